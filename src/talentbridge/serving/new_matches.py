"""New candidates who fit a vacancy: the step of the notification worker that tells its employer.

Database triggers queue a `match_checks` row on every write of a candidate or vacancy, by any
path (migration 0018). Each round of the notification worker (a thread, never a request):

1. mark: in one short transaction, take up to `checks_per_round` queued rows (`FOR UPDATE
   SKIP LOCKED` on PostgreSQL) and delete them; the open vacancies of the sectors of the
   matchable candidates among them (consenting, with a vector), and the open vacancies
   among them, become due (their `vacancy_match_notices.due_since` is set);
2. look: for up to `vacancies_per_round` due vacancies, oldest first, and no longer than
   `budget_seconds` (the server's requests share the cores and the GIL with this thread),
   rank the eligible candidates with the match service the API uses
   (`MatchService.candidates_for`), outside any writing transaction, and keep the first
   `TOP` the employer may see under the visibility policy (`placements.service.views_of`);
3. tell: in one transaction per round, each notice row is locked and compared with what it
   holds; the candidates new in the top (not already in the employer's pipeline) make one
   `vacancy.new_matches` event, written with the notice's new state, so a crash neither
   tells twice nor forgets. Two workers that looked at the same vacancy tell once: the
   second finds the newcomers already recorded.

A vacancy never looked at (`candidate_ids` NULL: open before the upgrade) only records its
top candidates the first time: they are not new, and nobody gets a burst of notices.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from talentbridge.candidates.models import Candidate
from talentbridge.db import unit_of_work, utcnow
from talentbridge.errors import Invalid
from talentbridge.notifications import events
from talentbridge.notifications.models import MatchCheck, VacancyMatchNotice
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.placements import service as placement_service
from talentbridge.serving.sync import MatchService
from talentbridge.vacancies.models import Vacancy

logger = logging.getLogger("talentbridge.notifications")

TOP = 20  # a vacancy's candidates worth telling about: the first page of its matches
CHUNK = 1_000  # ids per IN list or multi-row insert


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


@dataclass(frozen=True)
class _Look:
    vacancy_id: int
    employer_id: int
    due_since: datetime | None  # as read: a mark after it keeps the notice due
    top: list[int]  # visible, eligible, best first
    pipeline: frozenset[int]  # already in the employer's pipeline: never news


class NewMatches:
    """`run_once` is a step of the notification worker's round; `matcher` gives the process's
    match service (None while it is not loaded: the step waits)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        matcher: Callable[[], MatchService | None],
        checks_per_round: int = 5_000,
        vacancies_per_round: int = 20,
        budget_seconds: float = 0.2,
    ) -> None:
        self.sessions = sessions
        self.matcher = matcher
        self.checks_per_round = checks_per_round
        self.vacancies_per_round = vacancies_per_round
        self.budget_seconds = budget_seconds

    def run_once(self, now: datetime | None = None) -> int:
        """Mark, look and tell once; the number of events written."""
        matcher = self.matcher()
        if matcher is None:
            return 0
        now = now or utcnow()
        self.mark(now)
        looks = self.look(matcher)
        return self.tell(looks, now) if looks else 0

    # 1. mark ----------------------------------------------------------------------------
    def mark(self, now: datetime) -> int:
        """Turn queued writes into due vacancies; how many queued rows were taken."""
        with unit_of_work(self.sessions) as session:
            rows = session.execute(
                select(MatchCheck.id, MatchCheck.entity, MatchCheck.record_id)
                .order_by(MatchCheck.id)
                .limit(self.checks_per_round)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            candidate_ids = sorted({r.record_id for r in rows if r.entity == "candidate"})
            vacancy_ids = sorted({r.record_id for r in rows if r.entity == "vacancy"})
            sectors: set[str] = set()
            for chunk in _chunks(candidate_ids):
                sectors.update(
                    session.scalars(
                        select(Candidate.sector)
                        .where(
                            Candidate.id.in_(chunk),
                            Candidate.consent_to_share.is_(True),
                            Candidate.embedding_hash.is_not(None),
                        )
                        .distinct()
                    )
                )
            which: list[Any] = [Vacancy.id.in_(c) for c in _chunks(vacancy_ids)]
            if sectors:
                which.append(Vacancy.sector.in_(sorted(sectors)))
            due: list[int] = []
            if which:
                due = list(
                    session.scalars(
                        select(Vacancy.id).where(Vacancy.is_open, or_(*which)).order_by(Vacancy.id)
                    )
                )
            _mark_due(session, due, now)
            for chunk in _chunks([r.id for r in rows]):
                session.execute(delete(MatchCheck).where(MatchCheck.id.in_(chunk)))
        return len(rows)

    # 2. look ----------------------------------------------------------------------------
    def look(self, matcher: MatchService) -> list[_Look]:
        """Rank the due vacancies (reading only: a writer is never kept waiting meanwhile)."""
        looks: list[_Look] = []
        until = time.monotonic() + self.budget_seconds
        with unit_of_work(self.sessions, read_only=True) as session:
            due = session.execute(
                select(VacancyMatchNotice.vacancy_id, VacancyMatchNotice.due_since)
                .where(VacancyMatchNotice.due_since.is_not(None))
                .order_by(VacancyMatchNotice.due_since, VacancyMatchNotice.vacancy_id)
                .limit(self.vacancies_per_round)
            ).all()
            for vacancy_id, due_since in due:
                if looks and time.monotonic() > until:
                    break  # the rest stay due for the next rounds
                vacancy = session.get(Vacancy, vacancy_id)
                if vacancy is None or not vacancy.is_open:
                    looks.append(_Look(vacancy_id, 0, due_since, [], frozenset()))
                    continue
                employer = session.get_one(Organisation, vacancy.employer_id)
                looks.append(self._rank(session, matcher, vacancy, employer, due_since))
        return looks

    def _rank(
        self,
        session: Session,
        matcher: MatchService,
        vacancy: Vacancy,
        employer: Organisation,
        due_since: datetime | None,
    ) -> _Look:
        try:
            results = matcher.candidates_for(
                session,
                vacancy,
                limit=TOP,
                include_ineligible=False,
                always_gates=("consent",) if employer.kind == OrgKind.employer else (),
            )
        except Invalid:  # a vacancy that cannot be matched until corrected has no matches
            results = []
        ids = [r.record_id for r in results]
        rows = list(session.scalars(select(Candidate).where(Candidate.id.in_(ids)))) if ids else []
        views = placement_service.views_of(session=session, viewer=employer, candidates=rows)
        top = [i for i in ids if i in views and views[i].profile]
        pipeline = frozenset(i for i in top if views[i].identity)
        return _Look(vacancy.id, employer.id, due_since, top, pipeline)

    # 3. tell ----------------------------------------------------------------------------
    def tell(self, looks: Sequence[_Look], now: datetime) -> int:
        told = 0
        with unit_of_work(self.sessions) as session:
            for look in looks:
                notice = session.scalars(
                    select(VacancyMatchNotice)
                    .where(VacancyMatchNotice.vacancy_id == look.vacancy_id)
                    .with_for_update()
                ).one_or_none()
                if notice is None:
                    continue  # the vacancy is gone
                before = notice.candidate_ids
                new = [] if before is None else [i for i in look.top if i not in set(before)]
                new = [i for i in new if i not in look.pipeline]
                notice.candidate_ids = list(look.top)
                notice.checked_at = now
                if notice.due_since == look.due_since:
                    notice.due_since = None  # else marked again meanwhile: looked at again
                if new:
                    events.emit(
                        session,
                        events.Kind.vacancy_new_matches,
                        [look.employer_id],
                        {"vacancy_id": look.vacancy_id, "candidate_ids": new, "count": len(new)},
                    )
                    told += 1
        return told


def _mark_due(session: Session, vacancy_ids: Sequence[int], now: datetime) -> None:
    """Each vacancy due from now, unless it already is (its row made if it has none).
    In id order, so two markers lock the rows in the same order."""
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = VacancyMatchNotice.__table__
    for chunk in _chunks(vacancy_ids):
        statement = dialect.insert(table).values(
            [{"vacancy_id": i, "candidate_ids": [], "due_since": now} for i in chunk]
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.vacancy_id],
                set_={"due_since": statement.excluded.due_since},
                where=table.c.due_since.is_(None),
            )
        )


def step(
    sessions: sessionmaker[Session], matcher: Callable[[], MatchService | None]
) -> Callable[[], int]:
    """The step for `NotificationWorker(steps=[...])`."""
    return NewMatches(sessions=sessions, matcher=matcher).run_once
