"""Batched title fit equals the per-title one the engine uses for a match request."""

import numpy as np


def test_batched_title_fit_equals_one_at_a_time(tools):
    normaliser = tools.normaliser
    titles = ["care worker", "Kaigo staff for elderly home", "", None, "welder (TIG)", "xyzzy"]
    vectors = tools.embedder.encode([t or "" for t in titles]).astype(np.float32)
    vectors[3] = 0.0  # a record without a vector
    many = normaliser.occupation_scores_many(titles, vectors, batch=4)
    for row, (title, vector) in enumerate(zip(titles, vectors, strict=True)):
        one = normaliser.occupation_scores(title, vector if vector.any() else None)
        np.testing.assert_allclose(many[row], one, atol=1e-5)
    assert many[0].max() == 1.0  # an exact ESCO label
    assert not many[2].any() and not many[3].any()
