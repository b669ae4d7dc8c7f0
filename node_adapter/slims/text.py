"""Text from old SLiMS installs: UTF-8 that went through latin1 (once or twice) made whole.

Many installs wrote UTF-8 bytes over a latin1 connection, so a column (utf8mb3, utf8mb4
or latin1 alike) holds ``Ã©`` for ``é`` or ``Ã¢â‚¬â„¢`` for ``’``. MariaDB's latin1 is
Windows-1252, whose five unassigned bytes pass through as C1 controls; undoing it is
encoding back to those bytes and decoding as UTF-8, repeated while it keeps succeeding.
A genuine latin1 or UTF-8 text almost never decodes that way, so it is left as it is.
"""

from __future__ import annotations

import re

_SUSPECT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                      "\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac"
                      "\u2122]")
_MAX_ROUNDS = 3


def _cp1252_bytes(text: str) -> bytes | None:
    """The bytes a Windows-1252 (MariaDB latin1) reading turned into ``text``, if any."""
    out = bytearray()
    for char in text:
        code = ord(char)
        if code < 0x80 or 0xA0 <= code <= 0xFF or code in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
            out.append(code)
            continue
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def mended(text: str | None) -> str:
    """``text`` with any latin1 double encoding undone; NULL becomes ""."""
    if not text:
        return ""
    for _ in range(_MAX_ROUNDS):
        if not _SUSPECT.search(text):
            break
        raw = _cp1252_bytes(text)
        if raw is None:
            break
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            break
    return text.strip()
