"""Reading the JSON files shipped in data/, once each."""

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@cache
def load_json(name: str) -> Any:
    """The parsed content of data/<name>; .gz files are decompressed."""
    path = DATA_DIR / name
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    return json.loads(path.read_text(encoding="utf-8"))
