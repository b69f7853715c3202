"""Our character n-gram TF-IDF gives scikit-learn's numbers (the server no longer imports
scikit-learn to fit its label matrices)."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from talentbridge import reference
from talentbridge.matching.ngrams import CharNgramTfidf
from talentbridge.matching.occupations import title_key

ODD = ["", "x", "  a  b ", "ÅSTRÖM Straße", "溶接工", "fork-lift\tdriver", "a a a a"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_same_matrix_as_scikit_learn(dtype):
    labels = [
        title_key(label) for o in reference.esco_occupations() for label in (o.label, *o.alt_labels)
    ]
    labels += ODD
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=dtype)
    ours = CharNgramTfidf(dtype)
    expected, got = theirs.fit_transform(labels), ours.fit_transform(labels)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert ours.vocabulary_ == theirs.vocabulary_
    assert np.allclose(ours.idf_, theirs.idf_, rtol=1e-6)
    assert abs(got - expected).max() < 1e-6
    asked = ["welder", "weldng", "fork lift driver", "", "zzzz qqq", "溶接", *ODD]
    assert abs(ours.transform(asked) - theirs.transform(asked)).max() < 1e-6
    analyse = theirs.build_analyzer()
    assert all(ours.build_analyzer()(text) == analyse(text) for text in asked)


def test_a_kept_fit_is_the_fit(tmp_path):
    texts = ["welder", "tig welder", "care home worker", "", "溶接工"]
    fitted = CharNgramTfidf()
    first = fitted.fit_cached(texts, tmp_path, "t")
    assert len(list(tmp_path.glob("t-tfidf-*.npz"))) == 1
    loaded = CharNgramTfidf()
    again = loaded.fit_cached(texts, tmp_path, "t")
    assert loaded.vocabulary_ == fitted.vocabulary_
    assert np.array_equal(loaded.idf_, fitted.idf_)
    assert abs(again - first).max() == 0 and again.dtype == first.dtype
    assert abs(loaded.transform(["weldr"]) - fitted.transform(["weldr"])).max() == 0
    CharNgramTfidf().fit_cached([*texts, "plumber"], tmp_path, "t")  # other texts, another fit
    assert len(list(tmp_path.glob("t-tfidf-*.npz"))) == 2
