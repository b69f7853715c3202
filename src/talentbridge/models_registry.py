"""Imports every model so Alembic and tests see the whole schema."""

from talentbridge.accounts.models import User, UserSession
from talentbridge.allocations.models import AllocationPlan, Assignment
from talentbridge.audit.models import AuditEntry
from talentbridge.candidates.models import Candidate
from talentbridge.db import Base
from talentbridge.ingestion.models import EmbeddingTask, Job
from talentbridge.matching.changes import Change
from talentbridge.notifications.models import (
    Delivery,
    DeliveryAttempt,
    EmailPreference,
    NotificationRead,
    OutboxEvent,
    Webhook,
)
from talentbridge.organisations.models import ApiKey, Organisation
from talentbridge.placements.models import PlacedTally, Placement, PlacementEvent, StageTally
from talentbridge.vacancies.models import Vacancy

__all__ = [
    "AllocationPlan",
    "Assignment",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Candidate",
    "Change",
    "Delivery",
    "DeliveryAttempt",
    "EmailPreference",
    "EmbeddingTask",
    "Job",
    "NotificationRead",
    "Organisation",
    "OutboxEvent",
    "Placement",
    "PlacedTally",
    "PlacementEvent",
    "StageTally",
    "User",
    "UserSession",
    "Vacancy",
    "Webhook",
]
