"""The progress report as a CSV that stands alone (GET /reports/progress.csv), and the text
of every CSV the service writes."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from talentbridge.csvsafe import neutralise
from talentbridge.reports.schemas import ProgressReport


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV, every text cell a spreadsheet would run as a formula neutralised (a
    skill, a name or a title is whatever its author typed)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def to_csv_rows(report: ProgressReport) -> list[list[Any]]:
    """The report as a CSV that stands alone: whose figures, as of when and under which
    filters; the goal, percent, pace and projection; then every breakdown as
    (breakdown, key, placed, in_pipeline, cumulative, goal_line) rows."""
    scope, chosen, goal, pace = report.scope, report.scope.filters, report.goal, report.pace
    projected = pace.projected_completion_date
    summary: list[list[Any]] = [
        ["field", "value"],
        ["report", "TalentBridge placement progress"],
        ["as_of", report.as_of.isoformat()],
        ["scope", scope.kind],
        ["organisation", scope.organisation or ""],
        ["figures", scope.description],
        ["filter_sector", chosen.sector or "all"],
        ["filter_state", chosen.state or "all"],
        ["filter_prefecture", chosen.prefecture or "all"],
        ["filter_from", (chosen.date_from or goal.start).isoformat()],
        ["filter_to", (chosen.date_to or report.as_of).isoformat()],
        ["goal_target", goal.target],
        ["goal_applies_to", f"{goal.applies_to} {goal.key}" if goal.key else goal.applies_to],
        ["goal_start", goal.start.isoformat()],
        ["goal_end", goal.end.isoformat()],
        ["placed", report.placed],
        ["placed_under_override", report.placed_under_override],
        ["placed_compared_with_goal", goal.placed],
        ["percent_of_goal", report.percent_of_goal],
        ["required_per_month", pace.required_per_month],
        ["actual_per_month", pace.actual_per_month],
        ["projected_completion_date", projected.isoformat() if projected else "none"],
        ["on_track", "yes" if pace.on_track else "no"],
        ["goal_note", goal.note],
        [],
    ]
    rows: list[list[Any]] = [
        ["breakdown", "key", "placed", "in_pipeline", "cumulative", "goal_line"]
    ]
    for name, counts in (
        ("sector", report.by_sector),
        ("state", report.by_state),
        ("prefecture", report.by_prefecture),
    ):
        rows += [[name, c.key, c.placed, c.in_pipeline, "", ""] for c in counts]
    rows += [
        ["partnership", f"{p.state}–{p.prefecture}", p.placed, p.in_pipeline, "", ""]
        for p in report.by_partnership
    ]
    rows += [["month", m.month, m.placed, "", m.cumulative, m.goal_line] for m in report.by_month]
    rows += [["funnel", s.stage, s.count, "", "", ""] for s in report.funnel]
    return summary + rows
