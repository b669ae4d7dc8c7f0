"""Configuration keys of catalogue intake (section ``[intake]``), with their defaults.

- ``legacy_encoding`` ("cp1252"): how a CSV that is not UTF-8 is read (with a warning);
  "" refuses such files instead.
- ``max_xml_mb`` (1024): MARCXML files larger than this are refused before parsing.
- ``upload_seconds`` (60): an upload on the registration page whose import takes longer
  is refused, so a hostile file cannot hold a web thread (``jala node import`` has no
  such limit).
"""

from __future__ import annotations

from typing import Any

from config.settings import Settings

DEFAULTS: dict[str, Any] = {"legacy_encoding": "cp1252", "max_xml_mb": 1024,
                            "upload_seconds": 60}


def intake_options(settings: Settings | None) -> dict[str, Any]:
    """The ``[intake]`` section merged over the defaults (defaults alone without settings)."""
    return settings.section("intake", DEFAULTS) if settings else dict(DEFAULTS)
