"""Batched title fit equals the per-title one the engine uses for a match request."""

import numpy as np

from talentbridge.matching import occupations


def test_batched_title_fit_equals_one_at_a_time(tools, monkeypatch):
    monkeypatch.setattr(occupations, "BATCH", 4)  # six titles: two batches
    normaliser = tools.normaliser
    titles = ["care worker", "Kaigo staff for elderly home", "", None, "welder (TIG)", "xyzzy"]
    vectors = tools.embedder.encode([t or "" for t in titles]).astype(np.float32)
    vectors[3] = 0.0  # a record without a vector
    many = normaliser.scores(titles, vectors)
    for row, (title, vector) in enumerate(zip(titles, vectors, strict=True)):
        one = normaliser.occupation_scores(title, vector if vector.any() else None)
        np.testing.assert_allclose(many[row], one, atol=1e-5)
    assert many[0].max() == 1.0  # an exact ESCO label
    assert not many[2].any() and not many[3].any()
