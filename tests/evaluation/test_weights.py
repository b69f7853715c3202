"""Fitted weights: what a fit may change, and when a shipped file is used."""

import json

import numpy as np
import pytest

from talentbridge.config import MatchWeights, Settings
from talentbridge.evaluation.fit import weights_from
from talentbridge.matching.scoring import COMPONENTS
from talentbridge.matching.weights import match_weights, read_weights


def test_a_fit_moves_only_the_components_it_learned_and_never_below_zero():
    hand = Settings().weights.normalised()
    fitted = weights_from(np.array([3.0, -1.0, 1.0]), ["title", "lexical", "occupation"], hand)
    assert sum(fitted.values()) == pytest.approx(1.0, abs=1e-3)
    for name in ("skills", "experience", "japanese", "partnership", "preference", "semantic"):
        assert fitted[name] == pytest.approx(hand[name], abs=1e-4)
    assert fitted["lexical"] == 0.0  # a component that hurt gets no weight
    assert fitted["title"] == pytest.approx(3 * fitted["occupation"], rel=1e-3)


def test_a_shipped_file_ranks_unless_a_weight_is_set_in_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"weights": {"occupation": 3, "title": 1}}), encoding="utf-8")
    weights, source = match_weights(Settings(weights_file=path))
    assert source.startswith("fitted") and weights["occupation"] == pytest.approx(0.75)
    assert set(weights) == set(COMPONENTS)
    monkeypatch.setenv("TALENTBRIDGE_WEIGHT_SKILLS", "0.5")
    weights, source = match_weights(Settings(weights_file=path, weights=MatchWeights()))
    assert source.startswith("hand") and weights["skills"] > 0


def test_an_unreadable_or_empty_file_is_not_used(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    zero = tmp_path / "zero.json"
    zero.write_text(json.dumps({"weights": {"title": -1}}), encoding="utf-8")
    assert read_weights(broken) is None and read_weights(zero) is None
    assert read_weights(tmp_path / "missing.json") is None
