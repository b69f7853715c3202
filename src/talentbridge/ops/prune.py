"""Every cleanup task, registered: importing a domain's module registers its tasks.

A new domain with something to trim defines its task with
`@maintenance.task("name")` next to its table and adds its module here.
"""

from sqlalchemy.orm import Session, sessionmaker

from talentbridge import maintenance
from talentbridge.accounts import service as _accounts  # noqa: F401  expired sessions
from talentbridge.audit import service as _audit  # noqa: F401  audit_log retention
from talentbridge.config import Settings
from talentbridge.ingestion import service as _ingestion  # noqa: F401  finished jobs
from talentbridge.matching import changes as _changes  # noqa: F401  the change feed
from talentbridge.notifications import retention as _outbox  # noqa: F401  finished events


def run(sessions: sessionmaker[Session], settings: Settings) -> dict[str, int]:
    """Run every registered cleanup once; rows deleted by each (-1: failed, logged)."""
    return maintenance.run_all(sessions, settings)
