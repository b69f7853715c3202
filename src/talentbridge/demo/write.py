"""Putting a demo plan in the database through the real services, and finding it again.

Organisations and keys go through organisations.service and every pipeline step through
placements.service (backdated with `at=`), so consent, openings and one-placement-per-person
hold as they do for users.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from talentbridge import reference
from talentbridge.accounts import service as account_service
from talentbridge.accounts.models import User
from talentbridge.accounts.schemas import UserCreate
from talentbridge.audit import service as audit
from talentbridge.audit.models import AuditEntry
from talentbridge.candidates.models import Candidate
from talentbridge.demo.spec import OrgSpec, Plan, Step
from talentbridge.matching.derived import refresh_derived_fields
from talentbridge.matching.text import candidate_text, vacancy_text
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.organisations.schemas import OrganisationCreate
from talentbridge.placements import service as placement_service
from talentbridge.placements.models import Placement, Stage
from talentbridge.vacancies import service as vacancy_service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyUpdate

MARKER = "TalentBridge demo officers"
SEED_ACTION = "demo_seed"  # audit action naming the organisations the demo created
EMBED_BATCH = 256


def embed_records(records: Sequence[Candidate | Vacancy], tools: Toolkit, label: str) -> None:
    """ESCO occupation and embedding for each record, in batches, with a progress bar."""
    # Similar lengths in a batch mean less padding, so less work for the model.
    records = sorted(records, key=lambda r: len(_text_of(r)))
    with tqdm(total=len(records), desc=f"embedding {label}", unit="rec") as bar:
        for begin in range(0, len(records), EMBED_BATCH):
            batch = records[begin : begin + EMBED_BATCH]
            refresh_derived_fields(batch, tools)
            bar.update(len(batch))


def _text_of(record: Candidate | Vacancy) -> str:
    return candidate_text(record) if isinstance(record, Candidate) else vacancy_text(record)


def write_organisations(
    session: Session, plan: Plan, backdate: datetime
) -> tuple[Organisation, list[Organisation], list[Organisation]]:
    def create(spec: OrgSpec) -> Organisation:
        body = OrganisationCreate(
            kind=spec.kind, name=spec.name, state=spec.state, prefecture=spec.prefecture
        )
        organisation, _ = organisation_service.create(session=session, organisation_in=body)
        organisation.created_at = backdate
        return organisation

    officer = create(OrgSpec(kind=OrgKind.officer, name=MARKER))
    institutes = [create(spec) for spec in plan.institutes]
    employers = [create(spec) for spec in plan.employers]
    audit.record(
        session=session,
        organisation_id=officer.id,
        action=SEED_ACTION,
        entity="organisation",
        entity_ids=[o.id for o in (*institutes, *employers)],
        detail="created by `talentbridge demo`",
    )
    return officer, institutes, employers


def write_records(
    session: Session, plan: Plan, institutes: list[Organisation], employers: list[Organisation]
) -> None:
    for seeker in plan.seekers:
        seeker.record.institute_id = institutes[seeker.institute].id
    for job in plan.jobs:
        job.record.employer_id = employers[job.employer].id
    session.add_all([s.record for s in plan.seekers])
    session.add_all([j.record for j in plan.jobs])
    session.flush()
    by_institute: dict[int, list[int]] = {}
    for seeker in plan.seekers:
        by_institute.setdefault(seeker.record.institute_id, []).append(seeker.record.id)
    for institute_id, ids in by_institute.items():
        audit.record(
            session=session,
            organisation_id=institute_id,
            action="bulk_upsert",
            entity="candidate",
            entity_ids=ids,
            detail="demo",
        )
    session.flush()
    # Keep the identity map small: placements.service synchronises its bulk UPDATEs by
    # evaluating them against every loaded object, which is O(rows in the session) per move.
    for record in (*[s.record for s in plan.seekers], *[j.record for j in plan.jobs]):
        session.expunge(record)


def replay_pipelines(
    session: Session, plan: Plan, institutes: list[Organisation], employers: list[Organisation]
) -> None:
    """Every shortlist and move through placements.service, in the order they happened."""
    events: list[tuple[datetime, int, int, Step | None]] = []
    for k, pipeline in enumerate(plan.pipelines):
        events.append((pipeline.shortlisted, k, -1, None))
        events += [(step.at, k, n, step) for n, step in enumerate(pipeline.steps)]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    placement_ids: dict[int, int] = {}  # ids, not objects, so finished rows leave the session
    for at, k, _, step in tqdm(events, desc="replaying the pipeline", unit="step"):
        pipeline = plan.pipelines[k]
        seeker, job = plan.seekers[pipeline.seeker], plan.jobs[pipeline.job]
        if step is None:
            placement_ids[k] = placement_service.create(
                session=session,
                employer=employers[job.employer],
                vacancy_id=job.record.id,
                candidate_id=seeker.record.id,
                at=at,
            ).id
            continue
        actor = institutes[seeker.institute] if step.by_institute else employers[job.employer]
        placement = placement_service.get(
            session=session, placement_id=placement_ids[k], organisation=actor
        )
        placement_service.move(
            session=session,
            placement=placement,
            to=step.to,
            organisation=actor,
            reason=step.reason,
            at=at,
        )


def close_vacancies(session: Session, plan: Plan, tools: Toolkit) -> None:
    for j in plan.to_close:
        vacancy = vacancy_service.get(session=session, vacancy_id=plan.jobs[j].record.id)
        vacancy_service.update_one(
            session=session, vacancy=vacancy, vacancy_in=VacancyUpdate(status="closed"), tools=tools
        )


# --- finding the demo again, keys and counts --------------------------------------------------
def find_marker(session: Session) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrgKind.officer, Organisation.name == MARKER)
        .order_by(Organisation.id)
        .limit(1)
    )


def demo_organisation_ids(session: Session, officer: Organisation) -> list[int]:
    return list(
        session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == SEED_ACTION,
                AuditEntry.organisation_id == officer.id,
                AuditEntry.entity == "organisation",
            )
        )
    )


def pick_examples(
    session: Session, demo_ids: Iterable[int]
) -> tuple[Organisation, Organisation, Vacancy | None]:
    """The demo institute with most candidates; an employer with a roomy open vacancy."""
    ids = list(demo_ids)
    institute = session.scalars(
        select(Organisation)
        .outerjoin(Candidate, Candidate.institute_id == Organisation.id)
        .where(Organisation.id.in_(ids), Organisation.kind == OrgKind.institute)
        .group_by(Organisation.id)
        .order_by(func.count(Candidate.id).desc(), Organisation.id)
    ).first()
    partners = sorted({p for _, p in reference.partnerships()})
    vacancy = session.scalars(
        select(Vacancy)
        .where(
            Vacancy.employer_id.in_(ids),
            Vacancy.status == "open",
            Vacancy.placed_count < Vacancy.openings,
        )
        .order_by(
            Vacancy.prefecture.in_(partners).desc(),
            (Vacancy.openings - Vacancy.placed_count).desc(),
            Vacancy.id,
        )
    ).first()
    if vacancy is not None:
        employer = session.get(Organisation, vacancy.employer_id)
    else:
        employer = session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids), Organisation.kind == OrgKind.employer)
            .order_by(Organisation.id)
        ).first()
    if institute is None or employer is None:
        raise RuntimeError("the demo organisations are missing; recreate the database")
    return institute, employer, vacancy


def fresh_key(session: Session, organisation: Organisation) -> str:
    """Revoke the organisation's earlier keys and issue one new key."""
    organisation_service.revoke_keys(session=session, organisation_id=organisation.id)
    return organisation_service.issue_key(session=session, organisation=organisation)


def fresh_person(session: Session, organisation: Organisation, email: str) -> str:
    """The organisation's demo admin (made once) with a new password; returns the password."""
    password = secrets.token_urlsafe(12)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        account_service.create(
            session=session,
            organisation=organisation,
            user_in=UserCreate(
                email=email, name=f"Demo {organisation.kind}", role="admin", password=password
            ),
        )
    else:
        account_service.set_password(session=session, user=user, password=password)
    return password


def counts(session: Session) -> dict[str, Any]:
    kinds = dict(
        session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    )
    stages = dict(
        session.execute(select(Placement.status, func.count()).group_by(Placement.status)).all()
    )
    return {
        "institutes": int(kinds.get(OrgKind.institute, 0)),
        "employers": int(kinds.get(OrgKind.employer, 0)),
        "candidates": session.scalar(select(func.count()).select_from(Candidate)) or 0,
        "vacancies": session.scalar(select(func.count()).select_from(Vacancy)) or 0,
        "open_vacancies": session.scalar(
            select(func.count()).select_from(Vacancy).where(Vacancy.status == "open")
        )
        or 0,
        "placements": sum(stages.values()),
        "placed": int(stages.get(Stage.placed, 0)),
        "stages": {str(k): int(v) for k, v in stages.items()},
    }
