"""The exported ONNX model run with ONNX Runtime and the `tokenizers` library alone.

What `SentenceTransformer.encode` did around the ONNX session, done here without torch,
transformers or sentence-transformers (which cost the server about 450 MiB and most of its
start; docs/measurements.md, "Cold start and memory"):

- texts sorted longest first (by characters, NumPy's default argsort, as
  sentence-transformers sorts them) and cut into batches of ``batch_size``, so every batch
  holds the texts it held there: int8 activations are quantised per batch, so the batch a
  text is in moves its vector a little;
- the model folder's tokenizer, truncating at the model's sequence length (its
  ``sentence_bert_config.json``, else the tokenizer's ``model_max_length``, at most the
  model's positions) and padding to the batch's longest text;
- mean pooling over the attention mask (the model's ``1_Pooling/config.json`` must say
  mean; anything else is refused rather than computed differently), then unit length.

`tests/matching/test_onnx_encoder.py` holds the vectors to the sentence-transformers path.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np

EPSILON = 1e-12  # torch.nn.functional.normalize's floor on the norm


def _json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def model_facts(model_dir: Path) -> tuple[int, int, bool]:
    """(dimension, maximum tokens, lower-case first) of a sentence-transformers folder laid
    out as all-MiniLM-L6-v2 is: transformer, mean pooling, normalisation."""
    modules = [m.get("type", "") for m in json.loads((model_dir / "modules.json").read_text())]
    names = [kind.rsplit(".", 1)[-1] for kind in modules]
    if names != ["Transformer", "Pooling", "Normalize"]:
        raise ValueError(f"{model_dir}: modules {names}; only Transformer, Pooling, Normalize")
    pooling = _json(model_dir / "1_Pooling" / "config.json")
    mean = pooling.get("pooling_mode") == "mean" or (
        pooling.get("pooling_mode_mean_tokens") is True
        and not any(
            pooling.get(f"pooling_mode_{other}")
            for other in ("cls_token", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens")
        )
    )
    if not mean:
        raise ValueError(f"{model_dir}: pooling {pooling} is not mean pooling")
    config = _json(model_dir / "config.json")
    sbert = _json(model_dir / "sentence_bert_config.json")
    tokenizer_config = _json(model_dir / "tokenizer_config.json")
    dimension = int(
        pooling.get("embedding_dimension")
        or pooling.get("word_embedding_dimension")
        or config["hidden_size"]
    )
    longest = int(sbert.get("max_seq_length") or tokenizer_config.get("model_max_length") or 512)
    longest = min(longest, int(config.get("max_position_embeddings", longest)))
    return dimension, longest, bool(sbert.get("do_lower_case", False))


class OnnxEncoder:
    """Unit-length float32 vectors from an ONNX export of a sentence-transformers model."""

    def __init__(
        self, model_dir: Path, onnx_path: Path, *, batch_size: int, threads: int | None = None
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.dimension, longest, self.lower_case = model_facts(model_dir)
        self.max_length = longest  # tokens kept per text
        self.batch_size = batch_size
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=longest)
        pad = tokenizer.padding or {}
        tokenizer.enable_padding(  # to the batch's longest, as sentence-transformers pads
            pad_id=pad.get("pad_id", 0),
            pad_type_id=pad.get("pad_type_id", 0),
            pad_token=pad.get("pad_token", "[PAD]"),
        )
        self._tokenizer = tokenizer  # set up once here: threads share encode_batch
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No arena: it kept the largest batch's activations for good (one batch of 64
        # texts of 256 tokens took the process from 0.15 to 1.9 GiB); without it they are
        # freed after each run, at no cost measured in speed (docs/measurements.md).
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {node.name for node in self._session.get_inputs()}

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(text) for text in texts])
        starts: Any = range(0, len(texts), self.batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches")
        for first in starts:
            rows = order[first : first + self.batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        if self.lower_case:
            texts = [text.lower() for text in texts]
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(None, feeds)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: np.ndarray = (pooled / np.maximum(norms, EPSILON)).astype(np.float32)
        return vectors
