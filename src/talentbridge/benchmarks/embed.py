"""`talentbridge bench embed`: texts per second of each embedding backend on profile texts.

The texts are candidate and vacancy profiles as the demo makes them (titles, skills,
summaries, employers' descriptions) put through `candidate_text` and `vacancy_text`.
Every backend embeds the same texts through `Embedder.encode`, in interleaved rounds
so that load from other processes falls on all of them alike; the median round counts.
Agreement is the cosine between each backend's vectors and PyTorch's, text by text.
"""

import argparse
import time
from datetime import date

import numpy as np

from talentbridge.config import get_settings
from talentbridge.matching.embedder import BACKENDS, Embedder
from talentbridge.matching.text import candidate_text, vacancy_text

TODAY = date(2026, 11, 1)


def profile_texts(n: int, seed: int = 2025) -> list[str]:
    """n texts, nine candidates to one vacancy, drawn as the demo draws them."""
    from talentbridge.demo import make_plan

    vacancies = max(1, n // 10)
    plan = make_plan(seed, candidates=n - vacancies, vacancies=vacancies, today=TODAY)
    return [candidate_text(s.record) for s in plan.seekers] + [
        vacancy_text(j.record) for j in plan.jobs
    ]


def token_lengths(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Tokens per text as the model's tokenizer counts them, before any truncation."""
    return np.asarray([len(ids) for ids in embedder.model.tokenizer(texts)["input_ids"]])


def main(args: argparse.Namespace) -> int:
    settings = get_settings()
    texts = profile_texts(args.embed_texts or 1000)
    backends = args.backends or list(BACKENDS)
    if "torch" not in backends:
        backends.insert(0, "torch")
    embedders = {
        b: Embedder(settings.embedding_model, batch_size=settings.embedding_batch_size, backend=b)
        for b in backends
    }
    started = time.perf_counter()
    for embedder in embedders.values():
        embedder.encode(texts[:64])  # load (and export, the first time) and warm up
    print(f"loaded {len(embedders)} backends in {time.perf_counter() - started:.1f} s")
    lengths = token_lengths(embedders["torch"], texts)
    p50, p90, p99 = np.percentile(lengths, [50, 90, 99])
    used = {
        b: e.model.max_seq_length if b == "torch" else e.encoder.max_length
        for b, e in embedders.items()
    }

    rates: dict[str, list[float]] = {b: [] for b in backends}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for backend, embedder in embedders.items():
            started = time.perf_counter()
            vectors[backend] = embedder.encode(texts)
            rates[backend].append(len(texts) / (time.perf_counter() - started))

    # Speed-up per round, the backends having run back to back under the same load.
    torch_rates = np.asarray(rates["torch"])
    speedup = {b: float(np.median(np.asarray(rs) / torch_rates)) for b, rs in rates.items()}
    print(
        f"\n{len(texts)} profile texts (demo candidates and vacancies), batch "
        f"{settings.embedding_batch_size}, {args.repeats} interleaved rounds: median texts/s, "
        "median of each round's speed-up over torch\n"
        f"tokens per text: p50 {p50:.0f}, p90 {p90:.0f}, p99 {p99:.0f}, max {lengths.max()}; "
        f"over 128 tokens: {int((lengths > 128).sum())}; over max_seq_length "
        f"{min(used.values())}: {int((lengths > min(used.values())).sum())}\n"
    )
    print(
        "| backend | stored model name | max_seq_length | texts/s | speed-up | cosine min | mean |"
    )
    print("|---|---|---|---|---|---|---|")
    for backend, embedder in embedders.items():
        rate = float(np.median(rates[backend]))
        cosine = np.sum(vectors[backend] * vectors["torch"], axis=1)
        chosen = " (setting)" if backend == settings.embedding_backend else ""
        print(
            f"| {backend}{chosen} | {embedder.model_name} | {used[backend]} | {rate:.0f} | "
            f"{speedup[backend]:.2f}x | {cosine.min():.4f} | {cosine.mean():.4f} |"
        )
    print(
        "\nrounds (texts/s): "
        + "; ".join(f"{b} " + " ".join(f"{r:.0f}" for r in rs) for b, rs in rates.items())
    )
    return 0
