"""The canonical record every metadata format maps into, validated by one marshmallow schema.

Format modules (``oai_dc``, ``marc21``) only pick values out of XML; this schema is where
they become comparable: text trimmed and de-duplicated, ISBNs checked and turned into
ISBN-13 (invalid ones dropped, never guessed), ISSNs checked, the year read from whatever
date text the provider sent, the language as ISO 639-3 and the material type from our
vocabulary. A record without a title fails here with ``ValidationError``.

The holding a record carries is its library's copies of it: ``copies_known=False`` when
the format says nothing about copies (oai_dc, MARC without 852); counts are then 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from aggregator.indonesian import merge_degree_pieces
from aggregator.model import Holding
from aggregator.normalise.vocabulary import DEFAULT_MATERIAL, MATERIALS, language_code
from biblio.isbn import compact, is_issn, to_isbn13

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_SPACES = re.compile(r"\s+")
_TRAILING = " /:;,.="


@dataclass
class NormalisedRecord:
    """One harvested record in canonical form, with its library's holding."""

    source: str
    identifier: str
    title: str
    datestamp: str = ""
    metadata_prefix: str = ""
    subtitle: str = ""
    creators: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    series: str = ""
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    language: str = "und"
    material_type: str = DEFAULT_MATERIAL
    subjects: list[str] = field(default_factory=list)
    classification: str = ""
    call_number: str = ""
    description: str = ""
    links: list[str] = field(default_factory=list)
    holding: Holding = field(default_factory=lambda: Holding(library_id="", record_id=""))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the works database (already clean: no schema pass needed back)."""
        return {**self.__dict__, "holding": {**self.holding.__dict__}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NormalisedRecord:
        """Rebuild from ``to_dict`` output."""
        return cls(**{**data, "holding": Holding(**data["holding"])})


def clean_text(value: str) -> str:
    """Collapse whitespace and drop the ISBD punctuation catalogues leave at the end."""
    return _SPACES.sub(" ", value).strip().rstrip(_TRAILING).strip()


# Each custom field's ``clean`` is what it adds to its base field's result; ``_deserialize``
# applies it after the base, and ``fastload`` calls it directly on values already of the
# base's type, so the schema and the fast path cannot drift apart.


class Text(fields.String):
    """A string cleaned with ``clean_text``."""

    def clean(self, value: str) -> str:
        """The string without stray spaces and trailing punctuation."""
        return clean_text(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return self.clean(super()._deserialize(value, attr, data, **kwargs))


class TextList(fields.List):
    """Cleaned strings, empty ones dropped, duplicates (ignoring case) removed in order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Text(), load_default=list, **kwargs)

    def clean(self, value: list[str]) -> list[str]:
        """The cleaned items without empties and case-insensitive repeats."""
        seen: set[str] = set()
        kept = []
        for item in value:
            folded = item.casefold()
            if item and folded not in seen:
                seen.add(folded)
                kept.append(item)
        return kept

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        return self.clean(super()._deserialize(value, attr, data, **kwargs))


class IdentifierList(fields.List):
    """Identifiers found in free text (``ISBN 979-...``, ``urn:issn:...``), checked, unique."""

    def __init__(self, pattern: str, convert: Callable[[str], str | None]) -> None:
        super().__init__(fields.String(), load_default=list)
        self.pattern = re.compile(pattern)
        self.convert = convert

    def clean(self, value: list[str]) -> list[str]:
        """Every valid identifier in the texts, converted, first occurrence kept."""
        found: list[str] = []
        for text in value:
            for candidate in self.pattern.findall(text):
                code = self.convert(candidate)
                if code and code not in found:
                    found.append(code)
        return found

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        return self.clean(super()._deserialize(value, attr, data, **kwargs))


def issn(text: str) -> str | None:
    """An ISSN with a valid check digit as ``NNNN-NNNC``, else None."""
    code = compact(text)
    return f"{code[:4]}-{code[4:]}" if is_issn(code) else None


class Year(fields.Field):
    """The earliest plausible year in any of the date texts (``[2015]``, ``c1999``, ISO)."""

    def clean(self, value: Any) -> int | None:
        """The earliest year found in a text or a list of texts."""
        texts = value if isinstance(value, list) else [value]
        years = [int(y) for text in texts if text for y in _YEAR.findall(str(text))]
        return min(years) if years else None

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        return self.clean(value)


class Language(fields.String):
    """ISO 639-3 from a name or code in any common form."""

    def clean(self, value: str) -> str:
        """The ISO 639-3 code of a language name or code."""
        return language_code(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return self.clean(super()._deserialize(value, attr, data, **kwargs))


class HoldingSchema(Schema):
    """One library's copies of the record, as its format states them."""

    class Meta:
        unknown = EXCLUDE

    library_id = fields.String(required=True)
    record_id = fields.String(required=True)
    call_number = Text(load_default="")
    location = Text(load_default="")
    copies = fields.Integer(load_default=0, validate=validate.Range(min=0))
    available = fields.Integer(load_default=0, validate=validate.Range(min=0))
    statuses = fields.List(Text(), load_default=list)
    url = fields.String(load_default="")
    copies_known = fields.Boolean(load_default=False)
    status_known = fields.String(load_default="")

    @staticmethod
    def finish(data: dict[str, Any]) -> Holding:
        """Counts can only be trusted up to the number of copies."""
        data["available"] = min(data["available"], data["copies"])
        return Holding(**data)

    @post_load
    def make(self, data: dict[str, Any], **kwargs: Any) -> Holding:
        """``finish`` after marshmallow's load (``fastload`` calls ``finish`` itself)."""
        return self.finish(data)


class RecordSchema(Schema):
    """Raw values picked out by a format module in, a ``NormalisedRecord`` out."""

    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True)
    identifier = fields.String(required=True)
    datestamp = fields.String(load_default="")
    metadata_prefix = fields.String(load_default="")
    title = Text(required=True, validate=validate.Length(min=1, error="no title"))
    subtitle = Text(load_default="")
    creators = TextList()
    contributors = TextList()
    publisher = Text(load_default="")
    place = Text(load_default="")
    year = Year(load_default=None)
    edition = Text(load_default="")
    series = Text(load_default="")
    isbns = IdentifierList(r"[0-9][0-9\- ]{8,16}[0-9Xx]", to_isbn13)
    issns = IdentifierList(r"\d{4}-?\d{3}[\dXx]", issn)
    language = Language(load_default="und")
    material_type = fields.String(load_default=DEFAULT_MATERIAL,
                                  validate=validate.OneOf(MATERIALS))
    subjects = TextList()
    classification = Text(load_default="")
    call_number = Text(load_default="")
    description = fields.String(load_default="")
    links = TextList()
    holding = fields.Nested(HoldingSchema, required=True)

    @staticmethod
    def finish(data: dict[str, Any]) -> NormalisedRecord:
        """The holding's call number falls back to the record's; degree pieces rejoin names."""
        data["description"] = data["description"].strip()
        data["creators"] = merge_degree_pieces(data["creators"])
        data["contributors"] = merge_degree_pieces(data["contributors"])
        if not data["holding"].call_number:
            data["holding"].call_number = data["call_number"]
        return NormalisedRecord(**data)

    @post_load
    def make(self, data: dict[str, Any], **kwargs: Any) -> NormalisedRecord:
        """``finish`` after marshmallow's load (``fastload`` calls ``finish`` itself)."""
        return self.finish(data)


RECORD_SCHEMA = RecordSchema()
"""Schemas are stateless; one instance serves every record."""
