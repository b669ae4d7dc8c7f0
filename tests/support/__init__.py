"""Helpers shared by the test suites: real servers on loopback, paths to fixtures."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
