"""Seed files: pools and users created at every start of ``serve --seed FILE``, put back
by a reset, and written from a store by ``cognito-import export``."""

from __future__ import annotations

from pathlib import Path

from cognito_import.seed.apply import Applied, apply_seed
from cognito_import.seed.files import SeedError, read_document, write_document
from cognito_import.seed.model import Seed, parse_seed


def load_seed(path: Path) -> Seed:
    """The checked seed in ``path``; ``SeedError`` names the line and the reason."""
    return parse_seed(read_document(path))


__all__ = [
    "Applied",
    "Seed",
    "SeedError",
    "apply_seed",
    "load_seed",
    "write_document",
]
