"""The Japanese–English glossary of the four sectors' work, shipped in
data/japanese_glossary.json (see its notice)."""

from functools import cache

from talentbridge.reference._data import load_json

GLOSSARY_FILE = "japanese_glossary.json"


@cache
def japanese_glossary() -> dict[str, str]:
    """Japanese term → the English words ESCO uses for it ("" for a term that says
    nothing of the work)."""
    return {str(k): str(v) for k, v in load_json(GLOSSARY_FILE)["terms"].items()}
