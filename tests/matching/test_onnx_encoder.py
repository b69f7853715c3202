"""The server's ONNX encoder (ONNX Runtime and the tokenizer, no torch) gives the vectors
sentence-transformers gave around the same ONNX session, and the same rankings."""

from typing import Any

import numpy as np
import pytest

from talentbridge.matching.embedder import Embedder, resolve_model

TITLES = [
    "care home worker",
    "Care worker (elderly), night shifts",
    "welder",
    "TIG welder — stainless steel, 5 yrs",
    "fork-lift driver",
    "forklift operator",
    "crop production worker",
    "dairy farm worker",
    "greenhouse vegetable grower",
    "fish processing operative",
    "food production operator",
    "bakery assistant",
    "construction labourer",
    "steel fixer",
    "scaffolder",
    "tower crane operator",
    "electrician (industrial)",
    "plumber",
    "machine operator, CNC lathe",
    "assembly line worker",
    "quality inspector",
    "warehouse picker",
    "hotel housekeeping attendant",
    "kitchen helper",
    "nursing aide",
    "automobile mechanic",
    "painter and decorator",
    "carpenter",
    "a",
    "",
    "   spaces   around   ",
    "Skills: communicate with social service users, assist individuals with disabilities. "
    "2.5 years as a care home worker in Hyderabad. " * 12,  # past the 256 tokens
    "介護職員",
    "溶接工",
    "フォークリフト運転手",
    "農業作業員(野菜の収穫)",
    "建設作業員",
    "食品製造作業員",
    "ホテル客室清掃スタッフ",
    "自動車整備士",
    "介護福祉士 夜勤あり 経験3年以上",
    "鉄筋工",
    "とび職",
    "Kerala से नर्सिंग सहायक",
    "Ärztliche Hilfskraft",
    "café cook",
    "ELECTRICAL & ELECTRONICS technician!!!",
    "agri-worker/harvest",
    "caregiver 介護",
    "1234 5678",
]


def _former_path(embedder: Embedder) -> Any:
    """The SentenceTransformer with its transformer run in an ONNX Runtime session over the
    same export: how the server embedded until the encoder replaced it."""
    import onnxruntime as ort
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        resolve_model(embedder.source),
        device="cpu",
        local_files_only=True,
        model_kwargs={"dtype": torch.float32},
    )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(embedder.onnx_path()), options, providers=["CPUExecutionProvider"]
    )
    config = model[0].model.config

    class OnnxTransformer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.config = config

        def forward(self, input_ids, attention_mask, token_type_ids=None, **_: Any):  # type: ignore[no-untyped-def]
            if token_type_ids is None:
                token_type_ids = torch.zeros_like(input_ids)
            feeds = {
                "input_ids": input_ids.numpy(),
                "attention_mask": attention_mask.numpy(),
                "token_type_ids": token_type_ids.numpy(),
            }
            (hidden,) = session.run(None, feeds)
            return {"last_hidden_state": torch.from_numpy(hidden)}

    model[0].model = OnnxTransformer()
    return model


@pytest.fixture(scope="module")
def both() -> tuple[Embedder, Any]:
    embedder = Embedder(backend="onnx-int8", batch_size=16)  # several batches of TITLES
    return embedder, _former_path(embedder)


def _former(model: Any, texts: list[str]) -> np.ndarray:
    vectors = model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def test_the_same_vectors_as_sentence_transformers(both):
    embedder, former = both
    new, old = embedder.encode(TITLES), _former(former, TITLES)
    assert new.shape == old.shape == (len(TITLES), embedder.dimension)
    assert np.allclose(np.linalg.norm(new, axis=1), 1.0, atol=1e-5)
    cosines = (new * old).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.9999, (TITLES[worst], float(cosines[worst]))
    assert abs(new - old).max() < 1e-5  # measured 7e-8: float rounding, nothing more


def test_the_same_top_20(both):
    """Candidates' profiles ranked for vacancies' titles: the same 20, in the same order."""
    embedder, former = both
    rng = np.random.default_rng(21)
    words = [w for title in TITLES[:28] for w in title.split()]
    profiles = [" ".join(rng.choice(words, size=int(rng.integers(3, 25)))) for _ in range(300)]
    queries = TITLES[:10] + TITLES[32:38]
    new = embedder.encode(queries) @ embedder.encode(profiles).T
    old = _former(former, queries) @ _former(former, profiles).T
    for row in range(len(queries)):
        assert np.argsort(-new[row])[:20].tolist() == np.argsort(-old[row])[:20].tolist()
