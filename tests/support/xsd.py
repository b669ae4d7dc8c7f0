"""Validate OAI-PMH responses against the official schemas vendored in ``tests/fixtures/xsd``.

``assert_valid_oai(body)`` parses safely (no entities, no network, size-limited) and checks
the envelope with its oai_dc, MARC21slim and oai-identifier payloads; it returns the root.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "xsd"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/",
      "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "marc": "http://www.loc.gov/MARC21/slim",
      "id": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
MAX_BYTES = 50_000_000


def _parser() -> etree.XMLParser:
    """Entities unresolved, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@functools.cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with every payload namespace imported, loaded from local files only."""
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "oai-pmh-all.xsd"), _parser()))


def assert_valid_oai(body: bytes) -> etree._Element:
    """The parsed response, after checking it against the schemas (raises if invalid)."""
    assert len(body) <= MAX_BYTES, "response larger than the test parser accepts"
    root = etree.fromstring(body, _parser())
    schema = oai_schema()
    if not schema.validate(root):
        raise AssertionError(f"not XSD-valid: {schema.error_log}\n{body[:2000]!r}")
    return root


def oai_errors(body: bytes) -> tuple[list[str], dict[str, str]]:
    """The error codes and the echoed ``<request>`` attributes of an XSD-valid response."""
    root = assert_valid_oai(body)
    codes = [e.get("code") for e in root.iterfind("oai:error", NS)]
    return codes, dict(root.find("oai:request", NS).attrib)
