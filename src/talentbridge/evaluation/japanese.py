"""The Japanese checks of `talentbridge eval`.

- **Japanese titles**: real Japanese vacancy titles (`data/japanese_titles.csv`: official
  SSW job and test category names, official occupation names, titles from public Japanese
  job pages, each with its source address), labelled with ESCO occupations, matched against
  the dev split's candidates (one per occupation, English titles and skills). Nothing is
  fitted on them. Baselines as for English, on the text as written: the base model's
  cosine of the raw Japanese title, and BM25 of its raw words (the analyser's, with no
  glossary), which meet no English candidate.
- **Twins**: twelve vacancies written in Japanese and in English (`data/twins.json`); how
  many of the top five the two share, and how many Japanese titles get an occupation.
"""

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from talentbridge import reference
from talentbridge.evaluation.cases import Case, open_vacancy
from talentbridge.evaluation.run import TODAY, Evaluation, Ranked
from talentbridge.matching.derived import normalise_occupations
from talentbridge.matching.text import profile_text, title_of
from talentbridge.matching.titles import embed_titles
from talentbridge.matching.toolkit import Toolkit

DATA = Path(__file__).parent / "data"
TITLES = DATA / "japanese_titles.csv"
TWINS = DATA / "twins.json"
TOP = 5


def japanese_cases(path: Path = TITLES) -> list[Case]:
    """The Japanese titles, each in its labelled occupation's sector."""
    by_label = {o.label: o for o in reference.esco_occupations()}
    with path.open(encoding="utf-8") as handle:
        return [
            Case(row["text"].strip(), by_label[row["label"]].uri, by_label[row["label"]].sector)
            for row in csv.DictReader(handle)
            if row["label"] in by_label
        ]


def japanese_titles(tools: Toolkit, weights: Mapping[str, float], _: Sequence[Case] = ()) -> Ranked:
    """The Japanese titles ranked by the engine and the two raw-text baselines."""
    cases = japanese_cases()
    evaluation = Evaluation(tools, weights, described=False)
    out = Ranked()
    evaluation.rank(cases, tools.normaliser, out, raw_baselines=True)
    return out


def _job(record_id: int, sector: str, side: Mapping[str, object]) -> SimpleNamespace:
    job = open_vacancy(record_id, str(side["title"]), sector, tuple(side["skills"]))  # type: ignore[arg-type]
    job.description = side["description"]
    return job


def twins(tools: Toolkit, weights: Mapping[str, float]) -> dict[str, float]:
    """Average top-5 overlap of each Japanese vacancy with its English twin, and how many
    Japanese titles got an occupation."""
    pairs = json.loads(TWINS.read_text(encoding="utf-8"))["twins"]
    evaluation = Evaluation(tools, weights, described=True)
    index = evaluation.index(tools.normaliser)
    embedder = tools.embedder
    jobs = [
        _job(2 * i + k, pair["sector"], pair[side])
        for i, pair in enumerate(pairs)
        for k, side in enumerate(("ja", "en"))
    ]
    for job, vector in zip(jobs, embedder.encode([profile_text(j) for j in jobs]), strict=True):
        job.embedding = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        job.embedding_model = embedder.model_name
    titles = embed_titles([title_of(j) for j in jobs], embedder)
    normalise_occupations(jobs, tools.normaliser, titles)
    index.add_titles(titles)
    tops = []
    for job in jobs:
        features, query = index.query("vacancy", job)
        found = index.rank_candidates(features, query, limit=TOP, explain=False, today=TODAY)
        tops.append({m.record_id for m in found})
    overlaps = [len(tops[i] & tops[i + 1]) for i in range(0, len(jobs), 2)]
    named = sum(job.occupation_uri is not None for job in jobs[::2])
    return {"pairs": len(pairs), "overlap": float(np.mean(overlaps)), "named": named}
