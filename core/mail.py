"""Outgoing mail: messages are queued in the store (``OutboxMessage``) inside the transaction that creates them, and
a mailer sends them afterwards (``python -m core mail send``).

Queueing in the store means a message exists exactly when the action that wrote it committed (no code is mailed for
a rolled-back request, none is lost when the SMTP server is down), and several app processes share one queue.
Without an SMTP server (``PEERSCOPE_SMTP_URL`` unset, e.g. a laptop demo) messages stay queued; the operator reads
them with ``python -m core mail outbox``.

``PEERSCOPE_SMTP_URL`` looks like ``smtp://user:password@host:587`` (STARTTLS) or ``smtps://user:password@host:465``;
``PEERSCOPE_MAIL_FROM`` is the sender address.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, select

from core.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class OutboxItem:
    id: int
    to_address: str
    subject: str
    body: str
    kind: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def _item(m: OutboxMessage) -> OutboxItem:
    return OutboxItem(m.id, m.to_address, m.subject, m.body, m.kind, m.created_at, m.sent_at, m.attempts, m.last_error)


def queue(*, session: Session, to_address: str, subject: str, body: str, kind: str) -> int:
    """Queue one plain-text message; it is sent only if the surrounding transaction commits."""
    msg = OutboxMessage(to_address=to_address, subject=subject, body=body, kind=kind)
    session.add(msg)
    session.flush()
    return msg.id


def outbox(
    *, session: Session, to_address: str | None = None, unsent_only: bool = True, limit: int = 50
) -> list[OutboxItem]:
    """Queued messages, newest first (optionally for one address)."""
    q = select(OutboxMessage)
    if unsent_only:
        q = q.where(OutboxMessage.sent_at.is_(None))
    if to_address:
        q = q.where(OutboxMessage.to_address == to_address.strip().lower())
    return [_item(m) for m in session.exec(q.order_by(OutboxMessage.id.desc()).limit(limit))]


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("PEERSCOPE_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
    if parts.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=30)
    else:
        conn = smtplib.SMTP(parts.hostname, parts.port or 587, timeout=30)
        conn.ehlo()
        if conn.has_extn("starttls"):
            conn.starttls()
            conn.ehlo()
    if parts.username:
        conn.login(unquote(parts.username), unquote(parts.password or ""))
    return conn


def send_pending(*, session: Session, smtp_url: str, sender: str, limit: int = 100) -> dict[str, int]:
    """Send queued messages through ``smtp_url``; each is marked sent or keeps its error for the next run."""
    pending = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    if not pending:
        return {"sent": 0, "failed": 0}
    conn = _connect(smtp_url)
    try:
        for m in pending:
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = sender, m.to_address, m.subject
            email.set_content(m.body)
            m.attempts += 1
            try:
                conn.send_message(email)
            except smtplib.SMTPException as exc:
                m.last_error = str(exc)[:500]
                failed += 1
            else:
                m.sent_at, m.last_error = utcnow(), None
                sent += 1
            session.add(m)
            session.flush()
    finally:
        conn.quit()
    return {"sent": sent, "failed": failed}
