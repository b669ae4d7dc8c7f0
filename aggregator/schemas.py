"""Marshmallow schemas of the JSON API: what ``/api/v1`` accepts and what it answers.

The same schemas validate input, shape output and generate the OpenAPI document, so the
document cannot drift from what the API does.
"""

from __future__ import annotations

import base64
import json

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from aggregator.query import SORTS


class SearchArgsSchema(Schema):
    """Query-string parameters of ``GET /api/v1/search``."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=500),
                      metadata={"description": "Words to find (Indonesian stemming applies)."})
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    size = fields.Integer(load_default=None, validate=validate.Range(min=0),
                          metadata={"description": "Results per page (capped by the server)."})
    year_from = fields.Integer(load_default=None, validate=validate.Range(min=0, max=9999),
                               metadata={"description": "First year of publication, inclusive."})
    year_to = fields.Integer(load_default=None, validate=validate.Range(min=0, max=9999),
                             metadata={"description": "Last year of publication, inclusive; "
                                       "must not be before `year_from` (else 400)."})
    cursor = fields.String(load_default=None, metadata={
        "description": "`next_cursor` of the previous page (deep paging, `search_after`)."})
    library = fields.List(fields.String(), load_default=list)
    district = fields.List(fields.String(), load_default=list)
    material_type = fields.List(fields.String(), load_default=list)
    language = fields.List(fields.String(), load_default=list)
    subject = fields.List(fields.String(), load_default=list)
    series = fields.List(fields.String(), load_default=list)
    year = fields.List(fields.String(validate=validate.Regexp(r"^[0-9]{1,4}(-[0-9]{1,4})?\Z")),
                       load_default=list,
                       metadata={"description": "Year (2015) or decade range (2010-2019)."})

    @validates_schema
    def _years_in_order(self, data: dict, **_: object) -> None:
        """Reject a year range that ends before it starts."""
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and high < low:
            raise ValidationError("year_to is before year_from", "year_to")


class SuggestArgsSchema(Schema):
    """Query-string parameters of ``GET /api/v1/suggest``."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    size = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class HoldingSchema(Schema):
    """One library's copies of a work."""

    library_id = fields.String()
    library_name = fields.String()
    district = fields.String()
    record_id = fields.String()
    call_number = fields.String()
    location = fields.String()
    copies = fields.Integer()
    available = fields.Integer()
    status_known = fields.String(metadata={
        "description": "UTC time the copies' statuses were known (the oldest copy's); "
                       "empty when unknown"})
    url = fields.String()


class WorkSchema(Schema):
    """A work: one book, clustered across libraries, with its holdings."""

    id = fields.String()
    title = fields.String()
    subtitle = fields.String()
    creators = fields.List(fields.String())
    contributors = fields.List(fields.String())
    publisher = fields.String()
    place = fields.String()
    year = fields.Integer(allow_none=True)
    isbns = fields.List(fields.String())
    issns = fields.List(fields.String())
    language = fields.String()
    material_type = fields.String()
    subjects = fields.List(fields.String())
    classification = fields.String()
    description = fields.String()
    series = fields.String()
    links = fields.List(fields.String())
    total_copies = fields.Integer()
    available_copies = fields.Integer()
    holdings = fields.List(fields.Nested(HoldingSchema))


class HitSchema(Schema):
    """A work in a result list, with ``<mark>``-only HTML highlights."""

    work = fields.Nested(WorkSchema)
    score = fields.Float()
    highlights = fields.Dict(keys=fields.String(), values=fields.String())


class FacetValueSchema(Schema):
    """A facet value and how many matching works carry it."""

    value = fields.String()
    count = fields.Integer()
    label = fields.String()


class SearchResponseSchema(Schema):
    """A page of works, facet counts over all matches, and a spelling suggestion."""

    total = fields.Integer()
    page = fields.Integer()
    size = fields.Integer()
    took_ms = fields.Float()
    suggestion = fields.String(allow_none=True)
    next_cursor = fields.String(allow_none=True)
    hits = fields.List(fields.Nested(HitSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))


class LibrarySchema(Schema):
    """A library of the network and the number of works it holds."""

    id = fields.String()
    name = fields.String()
    type = fields.String()
    district = fields.String()
    address = fields.String(attribute="source.address")
    phone = fields.String(attribute="source.phone")
    whatsapp = fields.String(attribute="source.whatsapp")
    email = fields.String(attribute="source.email")
    website = fields.String(attribute="source.web_address")
    opening_hours = fields.String(attribute="source.opening_hours")
    latitude = fields.Float(attribute="source.latitude", allow_none=True)
    longitude = fields.Float(attribute="source.longitude", allow_none=True)
    works = fields.Integer()


class LibraryListSchema(Schema):
    """Every library of the network."""

    libraries = fields.List(fields.Nested(LibrarySchema))


class StatsSchema(Schema):
    """Network totals and the most held subjects, material types and languages."""

    libraries = fields.Integer()
    works = fields.Integer()
    ebooks = fields.Integer()
    holdings = fields.Integer()
    copies = fields.Integer()
    available = fields.Integer()
    districts = fields.Integer()
    top_subjects = fields.List(fields.Nested(FacetValueSchema))
    material_types = fields.List(fields.Nested(FacetValueSchema))
    languages = fields.List(fields.Nested(FacetValueSchema))


class SuggestResponseSchema(Schema):
    """Completions of what was typed."""

    q = fields.String()
    suggestions = fields.List(fields.String())


class ErrorDetailSchema(Schema):
    """What went wrong, with the offending parameters when the input was invalid."""

    status = fields.Integer()
    title = fields.String()
    detail = fields.String()
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Raw())


class ErrorSchema(Schema):
    """Every API error: ``{"error": {...}}`` with the HTTP status repeated inside."""

    error = fields.Nested(ErrorDetailSchema)


def encode_cursor(sort_key: tuple[str, ...]) -> str:
    """An opaque, URL-safe token for a hit's sort key."""
    return base64.urlsafe_b64encode(json.dumps(list(sort_key)).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, ...]:
    """The sort key inside a cursor token, or ``ValidationError`` when it is not one."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("not a cursor from this API", "cursor") from exc
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError("not a cursor from this API", "cursor")
    return tuple(values)
