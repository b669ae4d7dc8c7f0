"""Fixtures shared by every suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import FIXTURES, ROOT

pytest_plugins = ["tests.support.fulldisk"]  # small_disk: a real tmpfs to fill


@pytest.fixture
def fixtures_dir() -> Path:
    """Vendored fixtures: XSDs, recorded provider responses, sample data."""
    return FIXTURES


@pytest.fixture
def test_output_dir() -> Path:
    """Where tests leave artefacts a person may look at (screenshots, reports)."""
    path = ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path
