"""Real platform files from public repositories (see README.md here for each file's source and licence)."""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
