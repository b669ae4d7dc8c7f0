"""The compiled loader gives exactly what the marshmallow schema gives, record for record."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load

from aggregator.normalise import UnmappableRecord, raw_values
from aggregator.normalise.fastload import compile_loader
from aggregator.normalise.schema import RECORD_SCHEMA, RecordSchema
from harvester.store import StoredRecord
from node_adapter.oai.formats import FORMATS, INSTITUTION_SLOT
from node_adapter.records import MATERIAL_TYPES, BibRecord, Copy
from tests.aggregator.provider_records import provider_records

FAST = compile_loader(RECORD_SCHEMA)
PROVIDERS = [
    ("slims9/oai2/ListRecords-page1.xml", "oai_dc"), ("alma/marc.xml", "marc21"),
    ("invenio-legacy-cds/hepcrawl/cds-single.xml", "marcxml"),
    ("dspace/pyoai/fake1/00005.xml", "oai_dc"),
    ("dspace/mit-oai-pmh-harvester/harvest-from-set__0__ListRecords_set.xml", "oai_dc"),
    ("invenio-legacy-cds/invenio-oaiharvester/sample_inspire_response_listrecords.xml",
     "marcxml"),
]


def outcome(load: Any, raw: dict[str, Any]) -> object:
    """The loaded record, or the schema's error messages."""
    try:
        return load(copy.deepcopy(raw))
    except ValidationError as exc:
        return ("error", exc.messages)


def node_raws() -> list[dict[str, Any]]:
    """Raw values of our nodes' records: every material type, both formats, messy text."""
    raws = []
    for number, kind in enumerate(MATERIAL_TYPES):
        record = BibRecord(
            local_id=f"b{number}", title=f"  LASKAR  Pelangi {number} / ", subtitle="novel :",
            creators=["Hirata, Andrea", "hirata, andrea", "Dr. H. Wulan, M.Pd."],
            publisher="Bentang ;", year=2005, isbn=["979-3062-79-7", "9789793062793"],
            language="Bahasa Indonesia", material_type=kind, subjects=["Novel", "novel", ""],
            issn=["03178471"], copies=[Copy(f"C{i}", "Rak", "", "dipinjam") for i in range(2)])
        for prefix in ("oai_dc", "marc21"):
            xml = FORMATS[prefix].render(record).replace(INSTITUTION_SLOT, "kota")
            raws.append(raw_values(StoredRecord("kota", f"oai:kota:b{number}",
                                                "2024-05-01T10:00:00Z", False, prefix, xml)))
    return raws


def provider_raws() -> list[dict[str, Any]]:
    """Raw values of every mappable record in the recorded real provider responses."""
    raws = []
    for relative, prefix in PROVIDERS:
        for stored in provider_records(relative, prefix):
            try:
                raws.append(raw_values(stored))
            except UnmappableRecord:
                continue
    return raws


def test_every_recorded_and_node_record_loads_alike() -> None:
    raws = provider_raws() + node_raws()
    assert len(raws) > 150
    errors = 0
    for raw in raws:
        expected = outcome(RECORD_SCHEMA.load, raw)
        assert outcome(FAST, raw) == expected, raw.get("identifier")
        errors += isinstance(expected, tuple)
    assert errors  # the inspire records have no title: the error path is compared too


def unusual(**changes: Any) -> dict[str, Any]:
    """A node record's raw values with some replaced (``None`` deletes a key)."""
    raw = node_raws()[1]
    for name, value in changes.items():
        target = raw["holding"] if name.startswith("holding_") else raw
        key = name.removeprefix("holding_")
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return raw


@pytest.mark.parametrize("raw", [
    unusual(title=" . "), unusual(title=None), unusual(title=17), unusual(year=1999),
    unusual(year=["c1998", "[2001]"]), unusual(creators=("A", "a", None)),
    unusual(material_type="scroll"), unusual(holding_copies="3"),
    unusual(holding_copies=-1), unusual(holding_available=9), unusual(holding_copies=True),
    unusual(holding=None), unusual(holding_statuses=("ada", " dipinjam ")),
    unusual(language=None), unusual(extra="ignored"), unusual(source=None),
], ids=lambda raw: "raw")
def test_unusual_values_get_the_schemas_own_answer(raw: dict[str, Any]) -> None:
    assert outcome(FAST, raw) == outcome(RECORD_SCHEMA.load, raw)


def test_well_typed_records_never_reach_marshmallow() -> None:
    calls = []

    class Counting(RecordSchema):
        def load(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return super().load(*args, **kwargs)

    load = compile_loader(Counting())
    for raw in node_raws():
        load(raw)
    assert not calls
    with pytest.raises(ValidationError):
        load(unusual(title=""))
    assert calls == [1]


def test_fields_it_does_not_know_are_refused_when_compiling() -> None:
    class Measured(Schema):
        class Meta:
            unknown = EXCLUDE

        weight = fields.Float()

        @staticmethod
        def finish(data: dict[str, Any]) -> dict[str, Any]:
            return data

        @post_load
        def make(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return self.finish(data)

    with pytest.raises(TypeError, match="Float does not compile"):
        compile_loader(Measured())

    class Hooked(RecordSchema):
        @post_load
        def stamp(self, data: Any, **kwargs: Any) -> Any:
            return data

    with pytest.raises(TypeError, match="hook"):
        compile_loader(Hooked())
