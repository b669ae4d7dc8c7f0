"""The open data dump: every live work in MARCXML and JSON Lines, a manifest, served at /data."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import requests
from lxml import etree

from aggregator.union.config import load_union_config
from aggregator.union.dump import write_dump
from tests.support.xsd import NS, XSD_DIR
from tests.union.network import PUBLISHED, member_records, running_province, stored


def test_dump_holds_every_live_work_with_a_manifest_and_is_served(tmp_path: Path) -> None:
    with running_province(tmp_path, licence="CC-BY-4.0") as province:
        assert requests.get(f"{province.url}/data/", timeout=30).status_code == 404
        province.tick()
        province.harvest([stored("kab", member_records("kab")[0], deleted=True)])
        manifest = write_dump(province.union, load_union_config(province.settings),
                              now=province.clock)
        assert (manifest["works"], manifest["deleted_works"]) == (PUBLISHED - 1, 1)
        assert manifest["licence"] == "CC-BY-4.0"
        served = requests.get(f"{province.url}/data/", timeout=30).json()
        assert served == manifest
        marc_file, jsonl_file = manifest["files"]
        assert marc_file["name"] == "union-2025-01-06.marcxml.gz"
        body = requests.get(f"{province.url}/data/{marc_file['name']}", timeout=30).content
        assert hashlib.sha256(body).hexdigest() == marc_file["sha256"]
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        collection = etree.fromstring(gzip.decompress(body), parser)
        schema = etree.XMLSchema(etree.parse(str(XSD_DIR / "MARC21slim.xsd"), parser))
        assert schema.validate(collection), schema.error_log
        assert len(collection.findall("marc:record", NS)) == PUBLISHED - 1
        lines = gzip.decompress(requests.get(f"{province.url}/data/{jsonl_file['name']}",
                                             timeout=30).content).decode().splitlines()
        works = [json.loads(line) for line in lines]
        assert len(works) == jsonl_file["records"] == PUBLISHED - 1
        assert all(work["holdings"] for work in works)
        assert requests.get(f"{province.url}/data/manifest.json.part",
                            timeout=30).status_code == 404
