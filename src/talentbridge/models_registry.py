"""Imports every model so Alembic and tests see the whole schema."""

from talentbridge.accounts.models import User, UserSession
from talentbridge.allocations.models import AllocationPlan, Assignment
from talentbridge.audit.models import AuditEntry
from talentbridge.candidates.models import Candidate
from talentbridge.db import Base
from talentbridge.duplicates.models import DuplicateCheck, DuplicateKey, DuplicatePair
from talentbridge.ingestion.models import EmbeddingTask, FailedRow, Job
from talentbridge.matching.changes import Change
from talentbridge.notifications.models import (
    Delivery,
    DeliveryAttempt,
    EmailPreference,
    MatchCheck,
    NotificationRead,
    OutboxEvent,
    VacancyMatchNotice,
    Webhook,
)
from talentbridge.organisations.models import ApiKey, Organisation
from talentbridge.placements.models import (
    PlacedTally,
    Placement,
    PlacementEvent,
    PlacementMessage,
    StageTally,
)
from talentbridge.ratelimit import RateCounter
from talentbridge.reports.supply_models import SupplyChange, SupplyRecord, SupplyTally
from talentbridge.vacancies.models import Vacancy

__all__ = [
    "AllocationPlan",
    "Assignment",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Candidate",
    "Change",
    "DuplicateCheck",
    "DuplicateKey",
    "DuplicatePair",
    "Delivery",
    "DeliveryAttempt",
    "EmailPreference",
    "EmbeddingTask",
    "FailedRow",
    "Job",
    "MatchCheck",
    "NotificationRead",
    "Organisation",
    "OutboxEvent",
    "Placement",
    "PlacedTally",
    "PlacementEvent",
    "PlacementMessage",
    "RateCounter",
    "StageTally",
    "SupplyChange",
    "SupplyRecord",
    "SupplyTally",
    "User",
    "UserSession",
    "Vacancy",
    "VacancyMatchNotice",
    "Webhook",
]
