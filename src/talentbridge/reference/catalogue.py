"""The reference data in one JSON-ready summary, for the API and the UI."""

from typing import Any

from talentbridge.reference.partners import governors_network, partnerships
from talentbridge.reference.places import prefectures, state_kinds, states
from talentbridge.reference.programme import japanese_levels, sector_info, sectors


def meta() -> dict[str, Any]:
    """Sectors, prefectures, states, levels, partnerships and network members as plain JSON."""
    info = sector_info()
    kinds = state_kinds()
    return {
        "sectors": [
            {"name": name, "label": info[name]["label"], "skills_test": info[name]["skills_test"]}
            for name in sectors()
        ],
        "prefectures": list(prefectures()),
        "states": [{"name": name, "kind": kinds[name]} for name in states()],
        "japanese_levels": list(japanese_levels()),
        "partnerships": [{"state": s, "prefecture": p} for s, p in partnerships()],
        "governors_network": [p for p in prefectures() if p in governors_network()],
    }
