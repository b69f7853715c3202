"""The words the normaliser learns beside ESCO's: the Japanese–English glossary of the four
sectors' work (data/japanese_glossary.json) and the Indian trade titles
(data/trade_titles.json); see each file's notice."""

from functools import cache

from talentbridge.reference._data import load_json

GLOSSARY_FILE = "japanese_glossary.json"


@cache
def japanese_glossary() -> dict[str, str]:
    """Japanese term → the English words ESCO uses for it ("" for a term that says
    nothing of the work)."""
    return {str(k): str(v) for k, v in load_json(GLOSSARY_FILE)["terms"].items()}


TRADE_TITLES_FILE = "trade_titles.json"


@cache
def trade_titles() -> tuple[tuple[str, str], ...]:
    """(title, ESCO occupation URI) pairs of the titles Indian institutes and candidates
    write (ITI trades, Sector Skill Council job roles)."""
    return tuple((str(t), str(u)) for t, u in load_json(TRADE_TITLES_FILE)["titles"])


@cache
def also_in_sectors() -> dict[str, frozenset[str]]:
    """ESCO occupation URI → the sectors besides its own whose records may be given it."""
    extra = load_json(TRADE_TITLES_FILE)["also_in_sectors"]
    return {str(uri): frozenset(map(str, sectors)) for uri, sectors in extra.items()}
