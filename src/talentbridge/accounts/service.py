"""People, passwords and sessions. Passwords are hashed with Argon2id (argon2-cffi);
session tokens are random and stored only as their SHA-256, like API keys."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from talentbridge import maintenance
from talentbridge.accounts.models import Role, User, UserSession
from talentbridge.accounts.schemas import MIN_PASSWORD, UserCreate
from talentbridge.config import Settings, get_settings
from talentbridge.db import utcnow
from talentbridge.errors import Conflict, Invalid, NotFound
from talentbridge.organisations.models import Organisation

_hasher = PasswordHasher()
# Verified when the email is unknown, so an unknown address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")


def _aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone; every stored one is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password has at least {MIN_PASSWORD} characters", field="password")


def create(*, session: Session, organisation: Organisation, user_in: UserCreate) -> User:
    """A person of `organisation`; 409 when the email is taken (by anyone)."""
    check_password(user_in.password)
    email = normalise_email(user_in.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("that email is already taken", field="email")
    user = User(
        organisation_id=organisation.id,
        email=email,
        name=user_in.name.strip(),
        role=user_in.role,
        password_hash=_hasher.hash(user_in.password),
    )
    session.add(user)
    session.flush()
    return user


def people(*, session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.name)
        )
    )


def get(*, session: Session, user_id: int, organisation_id: int | None) -> User:
    """A person of `organisation_id` (any organisation's when None, for officers); 404 else,
    the same answer as for an id that does not exist."""
    user = session.get(User, user_id)
    if user is None or (organisation_id is not None and user.organisation_id != organisation_id):
        raise NotFound("no such person", field="user_id")
    return user


def end_sessions(*, session: Session, user_id: int) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def deactivate(*, session: Session, user: User) -> None:
    """The person can no longer sign in, and every session of theirs ends now."""
    user.active = False
    end_sessions(session=session, user_id=user.id)
    session.flush()


def set_password(*, session: Session, user: User, password: str) -> None:
    """A new password; every session of the person ends (they sign in again)."""
    check_password(password)
    user.password_hash = _hasher.hash(password)
    end_sessions(session=session, user_id=user.id)
    session.flush()


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active person with this email and password, or None (the same for every failure)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


@dataclass(frozen=True)
class Opened:
    token: str  # for the cookie, shown only here
    csrf_token: str


def open_session(
    *, session: Session, user: User, absolute: timedelta, now: datetime | None = None
) -> Opened:
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=_hash_token(token),
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute,
        )
    )
    session.flush()
    return Opened(token=token, csrf_token=csrf)


# A session's last_seen_at is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def by_token(
    *, session: Session, token: str, idle: timedelta, now: datetime | None = None
) -> UserSession | None:
    """The live session of an active person for this cookie (with its user and organisation
    loaded), or None."""
    now = now or utcnow()
    found = session.scalar(
        select(UserSession)
        .join(User)
        .where(UserSession.token_hash == _hash_token(token), User.active.is_(True))
        .options(joinedload(UserSession.user).joinedload(User.organisation))
    )
    if found is None:
        return None
    if _aware(found.expires_at) <= now or _aware(found.last_seen_at) + idle <= now:
        return None
    return found


def needs_touch(found: UserSession, now: datetime | None = None) -> bool:
    """Whether the idle clock is due a write (at most once a TOUCH_EVERY)."""
    return (now or utcnow()) - _aware(found.last_seen_at) >= TOUCH_EVERY


def touch(*, session: Session, session_id: int, now: datetime | None = None) -> None:
    session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now or utcnow())
    )


def close_session(*, session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == _hash_token(token)))


def prune_expired_sessions(
    *, session: Session, now: datetime, idle: timedelta | None = None
) -> int:
    """Delete sessions past their absolute or idle limit (the settings' when not given);
    returns how many. For the maintenance schedule."""
    if idle is None:
        idle = timedelta(minutes=get_settings().session_idle_minutes)
    result = session.execute(
        delete(UserSession).where(
            or_(UserSession.expires_at <= now, UserSession.last_seen_at <= now - idle)
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


@maintenance.task("sessions")
def forget_expired_sessions(session: Session, settings: Settings, now: datetime) -> int:
    """The maintenance schedule's cleanup: sessions past their idle or absolute limit."""
    idle = timedelta(minutes=settings.session_idle_minutes)
    return prune_expired_sessions(session=session, now=now, idle=idle)


def is_admin(user: User) -> bool:
    return user.role == Role.admin
