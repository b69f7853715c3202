"""`talentbridge model titles`: the real vacancy titles the occupation normaliser knows.

The fitting part of the development set (never the held-back titles `talentbridge eval`
measures on), in the four sectors, each with the ESCO occupation it was labelled with:
what employers actually write, compared with a title like the ESCO labels are. The labels
were collected from a job board, not checked by hand, so a known title is never an exact
match (`OccupationNormaliser`): it counts as strongly as a label only as far as the title
resembles it.
"""

import argparse
import json
from pathlib import Path

from talentbridge.evaluation.cases import dev_set, load_cases
from talentbridge.matching.occupations import KNOWN_TITLES_FILE, title_key

SOURCE = (
    "TechWolf JobBERT evaluation set (github.com/techwolf-ai/workrb, commit 751be36e, MIT "
    "licence): vacancy titles labelled with ESCO occupations, the fitting part only"
)


def main(args: argparse.Namespace) -> int:
    path = dev_set(args.data)
    if path is None:
        return 2
    cases = load_cases(path)
    # A fitting title written like a held-back one ("Machine Operator." and "machine
    # operator") would let the evaluation look the held-back title up: left out.
    held = {title_key(case.title) for case in cases if case.held}
    seen: set[tuple[str, str]] = set()
    titles = []
    for case in cases:
        key = (title_key(case.title), case.uri)
        if not case.held and key[0] not in held and key not in seen:
            seen.add(key)
            titles.append([case.title, case.uri])
    titles.sort()
    out = Path(args.out) if args.out else KNOWN_TITLES_FILE
    rows = ",\n".join(json.dumps(row, ensure_ascii=False) for row in titles)
    text = f'{{"source": {json.dumps(SOURCE)},\n"titles": [\n{rows}\n]}}\n'
    out.write_text(text, encoding="utf-8")
    print(f"{len(titles)} known titles written to {out}")
    return 0
