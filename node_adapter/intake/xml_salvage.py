"""Reading MARCXML that ILS exports wrote carelessly: forbidden characters, broken records.

``CleanedXML`` wraps the file and drops what XML 1.0 forbids (C0 control characters other
than tab, newline and carriage return, raw or as character references like ``&#x1F;``),
counting them with the lines they were on, so one stray byte no longer refuses a file of
thousands of good records. ``salvaged_records`` is the fallback after a syntax error: it
cuts the file at ``<record>``/``</record>`` tags and parses each record on its own (with
the root's namespace declarations), so one broken record costs that record only, and
the caller reports exactly which ones were lost. Both stream: memory holds one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from node_adapter.intake import messages
from node_adapter.intake.messages import Message, Rejection

CHUNK = 1 << 16
MAX_RECORD_BYTES = 16 << 20
"""A "record" longer than this has lost its end tag; it is refused, reading goes on."""
SHOWN_LINES = 10
_FORBIDDEN_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
_FORBIDDEN_REFERENCE = re.compile(
    rb"&#(?:x0*(?:[0-8bcBC]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]));")
_OPEN_REFERENCE = re.compile(rb"&#?[xX]?[0-9a-fA-F]{0,8}$")
_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?record[\s>/]")
_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?record\s*>")
_NAMESPACE = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


class CleanedXML:
    """A file-like reader giving the file's bytes without the characters XML 1.0 forbids."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._carry = b""
        self._line = 1
        self.dropped = 0
        self.lines: list[int] = []

    def read(self, size: int = CHUNK) -> bytes:
        """The next cleaned bytes ("" at the end), like ``BinaryIO.read``."""
        chunk = self._carry + self._raw.read(max(size, CHUNK))
        self._carry = b""
        if tail := _OPEN_REFERENCE.search(chunk[-12:]) if chunk else None:
            cut = len(chunk) - 12 + tail.start() if len(chunk) > 12 else tail.start()
            more = self._raw.read(12)
            if more:
                chunk, self._carry = chunk[:cut], chunk[cut:] + more
        return self._clean(chunk)

    def _clean(self, chunk: bytes) -> bytes:
        """Drop forbidden bytes and references, noting the lines they were on."""
        kept = _FORBIDDEN_REFERENCE.sub(b"", chunk)
        kept = kept.translate(None, _FORBIDDEN_BYTES)
        if len(kept) != len(chunk):
            for line_offset, text in enumerate(chunk.split(b"\n")):
                if _FORBIDDEN_REFERENCE.search(text) or text.translate(None, _FORBIDDEN_BYTES) \
                        != text:
                    self._note(self._line + line_offset)
            self.dropped += len(chunk) - len(kept) - sum(
                len(m.group(0)) - 1 for m in _FORBIDDEN_REFERENCE.finditer(chunk))
        self._line += chunk.count(b"\n")
        return kept

    def _note(self, line: int) -> None:
        """Remember a line that held a forbidden character (the first few are shown)."""
        if len(self.lines) < SHOWN_LINES and line not in self.lines:
            self.lines.append(line)

    def report(self) -> list[Message]:
        """One warning about the dropped characters, if any were dropped."""
        if not self.dropped:
            return []
        where = ", ".join(map(str, self.lines)) + (" …" if len(self.lines) == SHOWN_LINES else "")
        return [Message(
            f"{self.dropped} karakter yang dilarang XML 1.0 (karakter kontrol) dibuang, di "
            f"baris {where}", f"{self.dropped} characters XML 1.0 forbids (control characters) "
            f"were dropped, on lines {where}")]


def _parser() -> etree.XMLParser:
    """The same safe settings as the streaming parse: no entities, no network, no huge tree."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


def _pieces(source: CleanedXML) -> Iterator[tuple[bytes, bytes]]:
    """``(text before the first record, one record's bytes)``, a record at a time."""
    buffer = b""
    preamble = b""
    while True:
        chunk = source.read(CHUNK)
        buffer += chunk
        while start := _START.search(buffer):
            if not preamble:
                preamble = buffer[:start.start()] or b" "
            end = _END.search(buffer, start.end())
            following = _START.search(buffer, start.end())
            if following and (end is None or following.start() < end.start()):
                yield preamble, buffer[start.start():following.start()]
                buffer = buffer[following.start():]
            elif end:
                yield preamble, buffer[start.start():end.end()]
                buffer = buffer[end.end():]
            elif len(buffer) - start.start() > MAX_RECORD_BYTES or not chunk:
                yield preamble, buffer[start.start():]
                buffer = b""
            else:
                break
        if not chunk:
            return
        if not _START.search(buffer):
            buffer = buffer[-64:]


def salvaged_records(source: CleanedXML,
                     skip: int) -> Iterator[tuple[int, etree._Element | Rejection]]:
    """Each record after the first ``skip`` parsed alone, or a rejection saying it was lost."""
    for number, (preamble, piece) in enumerate(_pieces(source), start=1):
        if number <= skip:
            continue
        declaration = _DECLARATION.match(preamble)
        spaces = b"".join(dict.fromkeys(_NAMESPACE.findall(preamble)))
        text = ((declaration.group(0) if declaration else b"") + b"<salvage" + spaces + b">"
                + piece + b"</salvage>")
        try:
            wrapper = etree.fromstring(text, _parser())
        except etree.XMLSyntaxError as exc:
            yield number, Rejection(number, (messages.malformed(str(exc)),), "record")
            continue
        yield number, wrapper[0]
