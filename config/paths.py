"""Where the repository keeps files that code reads at run time."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = PROJECT_ROOT / "data" / "seed"
"""Real Indonesian book records (Gramedia) behind the sample libraries and the generator."""
