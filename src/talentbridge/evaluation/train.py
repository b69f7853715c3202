"""`talentbridge model train`: all-MiniLM-L6-v2 fine-tuned on job titles, reproducibly.

Pairs (a title, the ESCO preferred label of its occupation):
- ESCO v1.2.0, every occupation: up to six of its alternative labels, each with its
  preferred label;
- the development split's titles, except the held-back ones `talentbridge eval` measures
  on (the same hash rule), each with its labelled occupation.
Contrastive training with in-batch negatives (each batch holds one title per occupation),
fixed seed, AdamW, linear warm-up and decay. The weights are written in float16 (45 MB) and
loaded as float32. Training data stays outside the product; only the weights ship.
"""

import argparse
import csv
import random
import time
from pathlib import Path

from talentbridge.config import BASE_MODEL
from talentbridge.evaluation.cases import DEFAULT_DATA, Case
from talentbridge.matching.embedder import SHIPPED_DIR, resolve_model

DEFAULT_ESCO = Path("../shared/data/esco/occupations_en.csv")
ALTERNATIVES_PER_OCCUPATION = 6
BATCH = 64
SCALE = 20.0  # the similarity scale of the contrastive loss
SEED = 0


def training_pairs(esco: Path, titles: Path) -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    pairs = []
    with esco.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            preferred = row["preferredLabel"].strip()
            alternatives = [a.strip() for a in row["altLabels"].splitlines() if a.strip()]
            picked = rng.sample(alternatives, min(ALTERNATIVES_PER_OCCUPATION, len(alternatives)))
            pairs += [(alternative, preferred) for alternative in picked]
    with titles.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = row["text"].strip()
            if title and not Case(title, "", "").held:
                pairs.append((title, row["label"].strip()))
    rng.shuffle(pairs)
    return pairs


def train(pairs: list[tuple[str, str]], steps: int, out: Path, learning_rate: float) -> None:
    import torch
    import torch.nn.functional as F  # noqa: N812
    from sentence_transformers import SentenceTransformer

    random.seed(SEED)
    torch.manual_seed(SEED)
    model = SentenceTransformer(resolve_model(BASE_MODEL), device="cpu", local_files_only=True)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    warm = max(1, int(0.1 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps)
    )
    started, cursor = time.perf_counter(), 0
    for step in range(steps):
        batch: list[tuple[str, str]] = []
        labels: set[str] = set()
        while len(batch) < BATCH:  # one title per occupation: no false negatives
            title, label = pairs[cursor % len(pairs)]
            cursor += 1
            if label not in labels:
                labels.add(label)
                batch.append((title, label))
        left = model(model.tokenize([t for t, _ in batch]))["sentence_embedding"]
        right = model(model.tokenize([label for _, label in batch]))["sentence_embedding"]
        scores = SCALE * F.normalize(left, dim=-1) @ F.normalize(right, dim=-1).T
        target = torch.arange(len(batch))
        loss = (F.cross_entropy(scores, target) + F.cross_entropy(scores.T, target)) / 2
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.3f} ({time.perf_counter() - started:.0f} s)")
    model.eval()
    model.half()  # 45 MB on disk instead of 90; loaded back as float32
    model.save(str(out))


def main(args: argparse.Namespace) -> int:
    esco = Path(args.esco) if args.esco else DEFAULT_ESCO
    titles = Path(args.data) if args.data else DEFAULT_DATA
    for path in (esco, titles):
        if not path.exists():
            print(f"not found: {path} (pass --esco / --data)")
            return 2
    pairs = training_pairs(esco, titles)
    out = Path(args.out) if args.out else SHIPPED_DIR
    print(f"{len(pairs)} pairs; {args.steps} steps of {BATCH}; writing {out}")
    train(pairs, args.steps, out, args.learning_rate)
    print(f"written {out}; measure it with: talentbridge eval")
    return 0
