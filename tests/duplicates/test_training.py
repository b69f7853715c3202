"""The parameters come from Splink: `talentbridge duplicates fit` on generated records, and
Splink's levels agree with the ones the background check computes."""

import json
import os
import subprocess
import sys

import numpy as np

from talentbridge.benchmarks.duplicates_synth import Generator
from talentbridge.duplicates import training
from talentbridge.duplicates.compare import LEVELS, Record, blocked_pairs, compare_pairs
from talentbridge.duplicates.model import LinkageModel


def test_fit_estimates_m_and_u_with_splink_and_says_so_on_the_card(tmp_path):
    out = tmp_path / "duplicates.json"
    run = subprocess.run(
        [sys.executable, "-c", "from talentbridge.cli import main; main()", "duplicates", "fit",
         "--synthetic", "3000", "--held-out", "3000", "--out", str(out), "--force"],
        env=os.environ, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    card = json.loads(out.read_text(encoding="utf-8"))
    assert card["fitted_on"]["library"].startswith("splink 5.")
    assert card["fitted_on"]["source"] == "synthetic: 3000 records, generator seed 1"
    assert card["fitted_on"]["records"] >= 2_900
    same = LEVELS["birth_date"].index("same")
    assert card["m"]["birth_date"][same] > 0.5 > 0.01 > card["u"]["birth_date"][same]
    differ = LEVELS["name"].index("differ")
    assert card["u"]["name"][differ] > 0.9 and card["m"]["name"][differ] == 0.005  # held
    assert 0 < card["prior"] < 0.001
    assert card["fitted_on"]["held_out"]["recall"] >= 0.9


def test_splinks_prediction_scores_every_pair_as_the_background_check_does():
    records = [Record.of(r.row) for r in Generator(4).generate(3000)]
    model = LinkageModel.load()
    ours = model.probabilities(compare_pairs(records, blocked_pairs(records)))
    ids = np.asarray([r.id for r in records])
    pairs = blocked_pairs(records)
    mine = {(int(ids[i]), int(ids[j])): p for (i, j), p in zip(pairs, ours, strict=True)}
    theirs = {(int(a), int(b)): p for a, b, p in training.predict(records, model, threshold=0.0)}
    assert set(theirs) == set(mine)
    assert max(abs(theirs[k] - mine[k]) for k in mine) < 1e-9
    assert sum(p >= model.threshold for p in mine.values()) > 50  # duplicates among them
