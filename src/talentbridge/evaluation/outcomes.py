"""Real outcomes as labels: each placement that ended placed (1) or rejected (0), with the
components the engine gives that candidate for that vacancy today."""

from typing import Any

import numpy as np
from sqlalchemy import select

from talentbridge.app import build_matcher
from talentbridge.db import make_engine, session_scope
from talentbridge.matching.scoring import COMPONENTS
from talentbridge.matching.toolkit import build_tools
from talentbridge.placements.models import Placement
from talentbridge.vacancies.models import Vacancy


def outcome_components(settings: Any) -> tuple[np.ndarray, np.ndarray]:
    engine = make_engine(settings.database_url)
    tools = build_tools(settings)
    matcher = build_matcher(tools, settings)
    rows: list[list[float]] = []
    labels: list[int] = []
    try:
        with session_scope(engine) as session:
            matcher.load(session)
            ended = session.execute(
                select(Placement.vacancy_id, Placement.candidate_id, Placement.status).where(
                    Placement.status.in_(["placed", "rejected"]),
                    Placement.candidate_id.is_not(None),
                )
            ).all()
            by_vacancy: dict[int, dict[int, int]] = {}
            for vacancy_id, candidate_id, status in ended:
                if candidate_id is not None:
                    by_vacancy.setdefault(vacancy_id, {})[candidate_id] = int(status == "placed")
            for vacancy_id, outcomes in by_vacancy.items():
                vacancy = session.get(Vacancy, vacancy_id)
                if vacancy is None:
                    continue
                found = matcher.candidates_for(
                    session, vacancy, limit=len(matcher.engine.candidates), include_ineligible=True
                )
                for match in found:
                    if match.record_id in outcomes:
                        rows.append([match.components[name] for name in COMPONENTS])
                        labels.append(outcomes[match.record_id])
    finally:
        engine.dispose()
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(COMPONENTS)), np.asarray(labels)
