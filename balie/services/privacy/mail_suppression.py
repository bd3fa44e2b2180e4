"""'Not requested by you?': one click cancels a booking and stops all mail to its address.

Anyone can type someone else's address into a booking form, so every mail about an
appointment carries a link (and RFC 8058 one-click headers) that cancels it and puts the
address on a suppression list. The list holds a keyed hash of the address, never the address.
Only a booking through the contact centre (a person on the phone asks for it) lifts it again:
a web form cannot prove who owns the address, and the owner can no longer get mail to prove it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, MailSuppression
from balie.services import booking

log = logging.getLogger(__name__)

PAGE_PATH = "/niet-aangevraagd"
CANCEL_REASON = "Niet door de burger aangevraagd (link in de e-mail)"


def not_requested_token(reference: str, secret_key: str) -> str:
    """The token of the 'not requested' link: derived from the secret, unlike the manage token."""
    digest = hmac.new(secret_key.encode(), f"not-requested:{reference}".encode(), hashlib.sha256)
    return digest.hexdigest()


def page_url(base_url: str, reference: str, secret_key: str) -> str:
    """The link in the e-mail: a page that asks before it cancels (a GET never cancels)."""
    token = not_requested_token(reference, secret_key)
    return f"{base_url.rstrip('/')}{PAGE_PATH}?ref={quote(reference)}&token={token}"


def one_click_url(base_url: str, reference: str, secret_key: str) -> str:
    """The RFC 8058 List-Unsubscribe address: a POST there does what the page does."""
    token = not_requested_token(reference, secret_key)
    path = f"/api/v1/appointments/{quote(reference)}/not-requested"
    return f"{base_url.rstrip('/')}{path}?token={token}"


def normalise_address(email: str) -> str:
    """The address as it is compared: no outer spaces, case folded."""
    return email.strip().casefold()


def address_hash(email: str, secret_key: str) -> str:
    """A keyed hash of the address: the list cannot be read back or checked without the key."""
    data = f"suppress:{normalise_address(email)}".encode()
    return hmac.new(secret_key.encode(), data, hashlib.sha256).hexdigest()


def is_suppressed(session: Session, email: str | None, secret_key: str) -> bool:
    """Whether no mail may go to ``email``."""
    if not email:
        return False
    hashed = address_hash(email, secret_key)
    found = session.exec(select(MailSuppression.id).where(MailSuppression.address_hash == hashed))
    return found.first() is not None


def suppress(session: Session, email: str, secret_key: str, now: datetime) -> None:
    """Put the address on the list in the caller's transaction (twice is harmless)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(MailSuppression)
        .values(address_hash=address_hash(email, secret_key), created_at=now)
        .on_conflict_do_nothing(index_elements=["address_hash"])
    )
    session.execute(statement)


def lift(session: Session, email: str | None, secret_key: str) -> bool:
    """Take the address off the list in the caller's transaction; whether it was on it."""
    if not email:
        return False
    hashed = address_hash(email, secret_key)
    result = session.execute(delete(MailSuppression).where(MailSuppression.address_hash == hashed))
    return bool(result.rowcount)


def find(session: Session, reference: object, token: object, secret_key: str) -> Appointment | None:
    """The appointment this 'not requested' link belongs to; None for any wrong link."""
    if not isinstance(reference, str) or not isinstance(token, str):
        return None
    reference = reference.strip().upper()
    if not 0 < len(reference) <= 16 or "\x00" in reference or len(token) > 256:
        return None
    expected = not_requested_token(reference, secret_key)
    if not hmac.compare_digest(expected.encode(), token.strip().encode()):
        return None
    return session.exec(select(Appointment).where(Appointment.reference == reference)).first()


def report_not_requested(
    session: Session, appointment: Appointment, secret_key: str, now: datetime
) -> bool:
    """Cancel the appointment (when it can still be) and suppress its address; commits.

    Returns whether it was cancelled now. Clicking twice, or after the call, only suppresses.
    """
    cancelled = False
    if appointment.status == AppointmentStatus.BOOKED and appointment.start_at > now:
        booking.cancel(session, appointment, CANCEL_REASON, now, commit=False)
        cancelled = True
    if appointment.citizen_email:
        suppress(session, appointment.citizen_email, secret_key, now)
    session.commit()
    log.info("appointment %s reported as not requested; address suppressed", appointment.reference)
    return cancelled
