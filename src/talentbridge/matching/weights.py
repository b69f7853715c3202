"""Which component weights rank: fitted ones shipped beside the model card, or the hand ones.

`models/match_weights.json` (written by `talentbridge model fit`) holds weights fitted on
the development split and ESCO and the held-back numbers that earned them their place. A
weight set in the environment (TALENTBRIDGE_WEIGHT_*) means the hand weights are wanted:
they are used as given, and so they are when no file ships.
"""

import json
from pathlib import Path

from talentbridge.config import Settings
from talentbridge.matching.scoring import COMPONENTS

WEIGHTS_FILE = Path(__file__).resolve().parents[3] / "models" / "match_weights.json"


def read_weights(path: Path) -> dict[str, float] | None:
    """The fitted weights in a file, normalised to sum to 1; None if absent or unusable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))["weights"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    weights = {name: max(float(raw.get(name, 0.0)), 0.0) for name in COMPONENTS}
    total = sum(weights.values())
    return {name: value / total for name, value in weights.items()} if total > 0 else None


def match_weights(settings: Settings) -> tuple[dict[str, float], str]:
    """(the weights to rank with, where they came from)."""
    if not settings.weights.model_fields_set:
        fitted = read_weights(settings.weights_file or WEIGHTS_FILE)
        if fitted is not None:
            return fitted, f"fitted ({settings.weights_file or WEIGHTS_FILE})"
    return settings.weights.normalised(), "hand (settings)"
