"""The OAI-PMH envelope, written as a stream of text; errors are rendered here and only here.

``<request>`` carries the base URL and, except after badVerb/badArgument (when the
protocol forbids attributes), the arguments that were legal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from node_adapter.oai.errors import BadArgument, BadVerb, OAIError
from node_adapter.oai.formats import xml_text

_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"'
         ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
         ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
         ' http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">')
_IDENTIFIER_SAFE = "-_.!~*'();/?:@&=+$,"


def datestamp(moment: datetime | str) -> str:
    """Second-granularity UTC, from a datetime or a stored catalogue stamp."""
    if isinstance(moment, str):
        return moment[:19] + "Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_identifier(repository: str, local_id: str) -> str:
    """``oai:<repository>:<local id>``, the id percent-encoded where the syntax demands."""
    return f"oai:{repository}:{quote(local_id, safe=_IDENTIFIER_SAFE)}"


def header_tail(local_id: str, updated: str, sets: str) -> str:
    """A header past ``oai:<repository>:``, rendered once when the record changes."""
    specs = f"<setSpec>{sets.replace(' ', '</setSpec><setSpec>')}</setSpec>" if sets else ""
    local = xml_text(quote(local_id, safe=_IDENTIFIER_SAFE))
    return f"{local}</identifier><datestamp>{updated[:19]}Z</datestamp>{specs}</header>"


def header_opening(repository: str, deleted: bool) -> str:
    """What comes before a stored ``header_tail``; tombstones say status="deleted"."""
    status = ' status="deleted"' if deleted else ""
    return f"<header{status}><identifier>{xml_text(oai_identifier(repository, ''))}"


def document(base_url: str, verb: str, arguments: Mapping[str, str],
             body: Iterable[str]) -> Iterator[str]:
    """A successful response: envelope, the verb's element, then its streamed content."""
    yield _prologue(base_url, {"verb": verb, **arguments})
    yield f"<{verb}>"
    yield from body
    yield f"</{verb}></OAI-PMH>\n"


def error_document(base_url: str, arguments: Mapping[str, str],
                   errors: Sequence[OAIError]) -> str:
    """A protocol error response (HTTP 200): one ``<error>`` per condition."""
    bare = any(isinstance(e, BadVerb | BadArgument) for e in errors)
    parts = [_prologue(base_url, {} if bare else arguments)]
    parts.extend(f'<error code="{e.code}">{xml_text(e.message)}</error>' for e in errors)
    parts.append("</OAI-PMH>\n")
    return "".join(parts)


def _prologue(base_url: str, echoed: Mapping[str, str]) -> str:
    """XML declaration, root, responseDate and request."""
    attributes = "".join(f' {name}="{xml_text(value)}"' for name, value in echoed.items())
    now = datestamp(datetime.now(UTC))
    return (f"{_OPEN}<responseDate>{now}</responseDate>"
            f"<request{attributes}>{xml_text(base_url)}</request>")
