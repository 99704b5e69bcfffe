"""The data files shipped inside the package (catalogue, portal column aliases, agencies, unit registries).

Read through `importlib.resources`, so an installed wheel finds them wherever it lives and a
clone needs nothing outside the repository.
"""

from __future__ import annotations

import gzip
from importlib.resources import files
from importlib.resources.abc import Traversable

DATA = files("core") / "data"
REGISTRY_FILE = "dvhcvn-2025-03-01.json"
MERGES_FILE = "merges-2025-07-01.json"


def data_file(name: str) -> Traversable:
    return DATA / name


def read_text(name: str) -> str:
    return data_file(name).read_text(encoding="utf-8")


def registry_text(name: str) -> str:
    """A shipped registry JSON (`units/<name>.gz`), decompressed."""
    return gzip.decompress((DATA / "units" / f"{name}.gz").read_bytes()).decode("utf-8")


def shipped_registries() -> list[str]:
    """The registry JSON names shipped with the package."""
    return sorted(f.name.removesuffix(".gz") for f in (DATA / "units").iterdir() if f.name.endswith(".json.gz"))
