"""Webhooks: an organisation's receivers, the address rule, and what was delivered to them."""

import ipaddress
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.errors import Invalid, NotFound
from talentbridge.notifications.events import KINDS
from talentbridge.notifications.models import Delivery, DeliveryAttempt, OutboxEvent, Webhook


@dataclass(frozen=True)
class Destination:
    """Where one delivery goes: the URL with the address that was checked in place of its
    host name, so the name is not looked up again between the check and the connection (a
    name that answers a public address to the check and a private one to the connection,
    DNS rebinding, reaches nothing it may not). The name still goes as `Host` and, over
    TLS, as the SNI name the certificate is verified against."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, Any]


def refused_address(url: str, *, allow_private: bool) -> str | None:
    """Why the URL may not be called (None: it may): not http(s), no host, or a host that
    resolves to any private, loopback, link-local or otherwise non-public address."""
    return destination(url, allow_private=allow_private)[0]


def destination(url: str, *, allow_private: bool) -> tuple[str | None, Destination | None]:
    """(why the URL may not be called, None) or (None, where to send it)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "enter a URL like https://example.org/hooks", None
    if parts.scheme not in ("http", "https"):
        return "use an http:// or https:// URL", None
    if not host:
        return "the URL has no host", None
    try:
        port = port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return f"the host {host} cannot be resolved", None
    addresses = [ipaddress.ip_address(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in found]
    inward = any(not a.is_global or a.is_multicast for a in addresses)
    if not addresses or (inward and not allow_private):
        return f"the host {host} resolves to a private or loopback address", None
    first = addresses[0]
    pinned = f"[{first}]" if first.version == 6 else str(first)
    named = parts.netloc.rpartition("@")[2]  # host[:port] as written, without any user
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    target = urlunsplit(parts._replace(netloc=f"{pinned}:{port}"))
    return None, Destination(target, {"Host": named}, extensions)


def create(
    *,
    session: Session,
    organisation_id: int,
    url: str,
    kinds: Sequence[str],
    allow_private: bool,
) -> Webhook:
    """A receiver of the listed kinds of events; its secret is returned here only."""
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise Invalid(
            f"unknown event kinds: {', '.join(unknown) or 'none given'}; known: {', '.join(KINDS)}",
            field="events",
        )
    why = refused_address(url, allow_private=allow_private)
    if why:
        raise Invalid(why, field="url")
    hook = Webhook(
        organisation_id=organisation_id,
        url=url,
        events=sorted(set(kinds), key=KINDS.index),
        secret=secrets.token_hex(32),
    )
    session.add(hook)
    session.flush()
    return hook


def listing(*, session: Session, organisation_id: int) -> list[Webhook]:
    return list(
        session.scalars(
            select(Webhook).where(Webhook.organisation_id == organisation_id).order_by(Webhook.id)
        )
    )


def get(*, session: Session, webhook_id: int, organisation_id: int) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.organisation_id != organisation_id:
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


def delete(*, session: Session, hook: Webhook) -> None:
    session.delete(hook)
    session.flush()


def attempts(*, session: Session, hook: Webhook, limit: int = 200) -> list[dict[str, Any]]:
    """Every try of a delivery to this webhook, newest first."""
    rows = session.execute(
        select(
            Delivery.event_id,
            OutboxEvent.kind,
            DeliveryAttempt.status_code,
            DeliveryAttempt.attempt,
            DeliveryAttempt.at,
            DeliveryAttempt.error,
            Delivery.status,
        )
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(Delivery.webhook_id == hook.id)
        .order_by(DeliveryAttempt.id.desc())
        .limit(limit)
    ).all()
    keys = ("event_id", "kind", "status_code", "attempt", "at", "error", "delivery_status")
    return [dict(zip(keys, row, strict=True)) for row in rows]
