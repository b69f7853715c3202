import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.db import utcnow
from talentbridge.errors import NotFound
from talentbridge.organisations.models import ApiKey, Organisation
from talentbridge.organisations.schemas import OrganisationCreate

KEY_PREFIX = "tb_"


def hash_key(key: str) -> str:
    """API keys are long random tokens, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


def create(*, session: Session, organisation_in: OrganisationCreate) -> tuple[Organisation, str]:
    """Create an organisation and its first API key; the plain key is returned only here."""
    organisation = Organisation(**organisation_in.model_dump())
    session.add(organisation)
    session.flush()
    return organisation, issue_key(session=session, organisation=organisation)


def issue_key(*, session: Session, organisation: Organisation) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(organisation=organisation, prefix=key[:10], key_hash=hash_key(key)))
    session.flush()
    return key


def by_key(*, session: Session, key: str) -> Organisation | None:
    """The organisation owning an unrevoked key, or None."""
    return session.scalar(
        select(Organisation)
        .join(ApiKey)
        .where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )


def revoke_keys(*, session: Session, organisation_id: int) -> int:
    """Revoke every live key of an organisation; returns how many."""
    keys = session.scalars(
        select(ApiKey).where(ApiKey.organisation_id == organisation_id, ApiKey.revoked_at.is_(None))
    ).all()
    for key in keys:
        key.revoked_at = utcnow()
    session.flush()
    return len(keys)


def keys(*, session: Session, organisation_id: int) -> list[ApiKey]:
    """An organisation's keys, newest first (revoked ones too, marked)."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.organisation_id == organisation_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def revoke_key(*, session: Session, organisation_id: int, key_id: int) -> ApiKey:
    """Revoke one of the organisation's own keys; 404 for another's or an unknown id."""
    key = session.get(ApiKey, key_id)
    if key is None or key.organisation_id != organisation_id:
        raise NotFound("no such API key", field="key_id")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def get(*, session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("no such organisation", field="organisation_id")
    return organisation


def every(*, session: Session) -> list[Organisation]:
    order = (Organisation.kind, Organisation.name)
    return list(session.scalars(select(Organisation).order_by(*order)))
