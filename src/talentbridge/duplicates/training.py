"""The linkage parameters estimated by Splink (Fellegi–Sunter, DuckDB in memory).

The records go into DuckDB with our prepared forms of them; each comparison is a Splink
comparison whose levels are SQL conditions: the birth date's and the state's plain SQL,
the name's and the title's through our own functions (compare.py), registered in DuckDB,
so Splink's levels are, pair for pair, the levels the background check computes. Splink
estimates u from random pairs and m by expectation maximisation in two sessions, each
blocked on one comparison (which it then leaves alone); the parameters it found are
written into models/duplicates.json, where the checker and the scan read them.
"""

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from duckdb import sqltypes
from duckdb.func import ARROW

from talentbridge.duplicates.compare import (
    COMPARISONS,
    LEVELS,
    Record,
    alike_titles,
    blocking_keys,
    name_level,
)
from talentbridge.duplicates.model import FLOOR, LinkageModel
from talentbridge.duplicates.names import Name

# Levels that say "another person" all but by definition, held rather than fitted (Splink's
# fix_m_probability): no word or only some words of the names alike, a birth date three or
# more digits off. Left free, EM takes twins and namesakes (as common among blocked pairs
# as among people) for a second kind of match and lets them through.
HELD_M = {("name", "differ"): 0.005, ("name", "partly_alike"): 0.002,
          ("birth_date", "differ"): 0.01}  # fmt: skip
_BIRTH_SQL = {
    "same": "birth_date_l = birth_date_r",
    "day_month_swapped": "year(birth_date_l) = year(birth_date_r) AND "
    "day(birth_date_l) = month(birth_date_r) AND month(birth_date_l) = day(birth_date_r)",
    "one_digit_off": "hamming(birth_digits_l, birth_digits_r) = 1",
    "two_digits_off": "hamming(birth_digits_l, birth_digits_r) = 2",
}
_OCCUPATION_SQL = {
    "same_title": "sector_l = sector_r AND title_l = title_r",
    "alike_title": "sector_l = sector_r AND tb_alike_titles(title_l, title_r)",
    "same_sector": "sector_l = sector_r",
}
# The training sessions' blocking (read by Splink to know which comparison each leaves
# alone): one birth date with day and month either way; one sound of the whole name.
BIRTH_BLOCK = (
    "year(l.birth_date) = year(r.birth_date) AND "
    "least(month(l.birth_date), day(l.birth_date)) = "
    "least(month(r.birth_date), day(r.birth_date)) AND "
    "greatest(month(l.birth_date), day(l.birth_date)) = "
    "greatest(month(r.birth_date), day(r.birth_date))"
)
# Names run in regions, so people of one name share a state more often than random pairs
# do: the state says nothing there either, and naming it in the rule (a condition always
# true of our records) is how Splink is told to leave it alone in that session.
NAME_BLOCK = (
    "tb_name_sound(l.full_name) = tb_name_sound(r.full_name) "
    "AND l.state IS NOT NULL AND r.state IS NOT NULL"
)


@lru_cache(maxsize=200_000)
def _name(full_name: str) -> Name:
    return Name.of(full_name)


@lru_cache(maxsize=1_000_000)
def _name_level(a: str, b: str) -> int:
    return name_level(_name(a), _name(b))


def _udf_name_level(a: pa.Array, b: pa.Array) -> pa.Array:
    return pa.array([_name_level(x, y) for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)],
                    pa.int8())  # fmt: skip


def _udf_alike_titles(a: pa.Array, b: pa.Array) -> pa.Array:
    pairs = zip(a.to_pylist(), b.to_pylist(), strict=True)
    return pa.array(
        [x is not None and y is not None and alike_titles(*sorted((x, y))) for x, y in pairs]
    )


def _udf_name_sound(a: pa.Array) -> pa.Array:
    return pa.array([" ".join(sorted(_name(x).skeletons)) for x in a.to_pylist()])


def connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with our comparing functions in it."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    two: list[Any] = [sqltypes.VARCHAR, sqltypes.VARCHAR]
    con.create_function("tb_name_level", _udf_name_level, two, sqltypes.TINYINT, type=ARROW)
    con.create_function("tb_alike_titles", _udf_alike_titles, two, sqltypes.BOOLEAN, type=ARROW)
    con.create_function(
        "tb_name_sound", _udf_name_sound, [sqltypes.VARCHAR], sqltypes.VARCHAR,
        type=ARROW,
    )  # fmt: skip
    return con


def frame(records: Sequence[Record], *, with_keys: bool = False) -> pa.Table:
    """The records as Splink reads them: one row each, our prepared forms as columns."""
    columns: dict[str, Any] = {
        "unique_id": [r.id for r in records],
        "full_name": [r.full_name for r in records],
        "birth_date": [r.birth for r in records],
        "birth_digits": [r.digits for r in records],
        "state": [r.state for r in records],
        "sector": [r.sector for r in records],
        "title": [r.title for r in records],
    }
    if with_keys:
        columns["keys"] = [sorted(blocking_keys(r)) for r in records]
    return pa.table(columns)


_NULL = {"name": "full_name", "birth_date": "birth_date", "state": "state", "occupation": "sector"}


def _levels(name: str, sql: dict[str, str]) -> list[dict[str, Any]]:
    """Splink's levels of one comparison: not known (-1, weighing nothing), then highest
    first (Splink numbers them from the last, the ELSE, at 0: so its numbers are our level
    indices)."""
    column = _NULL[name]
    out: list[dict[str, Any]] = [{
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": "not_known", "is_null_level": True,
    }]  # fmt: skip
    for label in reversed(LEVELS[name]):
        level: dict[str, Any] = {"sql_condition": sql.get(label, "ELSE"), "label_for_charts": label}
        if (name, label) in HELD_M:
            level.update(m_probability=HELD_M[(name, label)], fix_m_probability=True)
        out.append(level)
    return out


def settings(*, prior: float = 1e-4, with_keys: bool = False) -> dict[str, Any]:
    """The Splink settings: our four comparisons; for a prediction, our blocking keys."""
    name_sql = {
        label: f"tb_name_level(full_name_l, full_name_r) = {index}"
        for index, label in enumerate(LEVELS["name"])
        if label != "differ"
    }
    comparisons = [
        {"output_column_name": "name", "comparison_levels": _levels("name", name_sql)},
        {"output_column_name": "birth_date",
         "comparison_levels": _levels("birth_date", _BIRTH_SQL)},
        {"output_column_name": "state",
         "comparison_levels": _levels("state", {"same": "state_l = state_r"})},
        {"output_column_name": "occupation",
         "comparison_levels": _levels("occupation", _OCCUPATION_SQL)},
    ]  # fmt: skip
    blocking = []
    if with_keys:
        blocking = [{"blocking_rule": "l.keys = r.keys", "arrays_to_explode": ["keys"]}]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": blocking,
        "probability_two_random_records_match": prior,
        "retain_matching_columns": False,
        "max_iterations": 100,
        "em_convergence": 1e-5,
    }


def _parameters(linker: Any) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """m and u per comparison, indexed by our level numbers, from Splink's settings."""
    m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for comparison in linker.misc.save_model_to_json()["comparisons"]:
        name = comparison["output_column_name"]
        levels = {lv["label_for_charts"]: lv for lv in comparison["comparison_levels"]}
        m[name] = [_number(levels[label].get("m_probability")) for label in LEVELS[name]]
        u[name] = [_number(levels[label].get("u_probability")) for label in LEVELS[name]]
    return m, u


def _number(value: Any) -> float:
    """A probability Splink estimated; 0 for a level it never saw (floored when scored)."""
    return float(value) if isinstance(value, int | float) else 0.0


def fit(
    records: Sequence[Record], *, samples: int = 1_000_000, seed: int = 7, source: str
) -> LinkageModel:
    """Parameters Splink estimated on these records (the programme's, or a generated set).

    u by random sampling; m by expectation maximisation, first on pairs of one birth date
    (day and month either way: teaching m of the name, the state and the occupation), then
    on pairs of one sound of the whole name (teaching m of the birth date). The prior is
    the matches Splink expects among our blocked pairs over all n(n-1)/2 pairs.
    """
    import splink
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    api = DuckDBAPI(connection())
    linker = Linker(api.register(frame(records)), settings(), log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=samples, seed=seed)
    for rule in (BIRTH_BLOCK, NAME_BLOCK):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    m, u = _parameters(linker)
    model = LinkageModel(m, u, prior=_prior(records, m, u))
    model.fitted_on = {
        "source": source,
        "records": len(records),
        "library": f"splink {splink.__version__} (DuckDB {duckdb.__version__})",
        "training_blocks": {"birth_date": BIRTH_BLOCK, "name": NAME_BLOCK},
        "random_pairs_for_u": samples,
        "seed": seed,
    }
    return model


def _prior(
    records: Sequence[Record], m: dict[str, list[float]], u: dict[str, list[float]]
) -> float:
    """The matches Splink predicts among our blocked pairs (at even prior odds) over all
    pairs: about one in `duplicate_share` records has a second record."""
    expected = float(predict(records, LinkageModel(m, u, 0.5), threshold=0.0)[:, 2].sum())
    everyone = len(records) * (len(records) - 1) / 2
    return float(np.clip(expected / max(everyone, 1.0), 1e-12, 0.5))


def predict(records: Sequence[Record], model: LinkageModel, *, threshold: float) -> np.ndarray:
    """Splink's prediction over our blocked pairs with these parameters: rows of (id, id,
    probability) from `threshold` up. The full scan's other way (docs/duplicates.md says
    why it is not the one shipped)."""
    from splink import DuckDBAPI, Linker

    api = DuckDBAPI(connection())
    fitted = settings(prior=model.prior, with_keys=True)
    for comparison in fitted["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"][1:]:
            index = LEVELS[name].index(level["label_for_charts"])
            level["m_probability"] = max(model.m[name][index], FLOOR)
            level["u_probability"] = max(model.u[name][index], FLOOR)
    linker = Linker(api.register(frame(records, with_keys=True)), fitted, log_level=None)
    predicted = linker.inference.predict(
        threshold_match_probability=threshold or None, warning_mode="never"
    )
    rows = api.duckdb_con.sql(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predicted.physical_name}"
    ).fetchnumpy()
    return np.stack([rows["unique_id_l"], rows["unique_id_r"], rows["match_probability"]], axis=1)


__all__ = ["COMPARISONS", "connection", "fit", "frame", "predict", "settings"]
