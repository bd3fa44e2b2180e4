"""A citizen's request about their personal data: look it up, export it (JSON), erase it.

Administrators handle these requests by e-mail address. Every step is audited, but the audit
log never holds the address in clear: it keeps the SHA-256 hash of the trimmed, lower-cased
address (``email_sha256``), so one can later check whether a given address was handled
without the log giving addresses away. (An unsalted hash can be confirmed by someone who
already knows the address; that is the point, and all it allows.)

Erasing first cancels the citizen's upcoming booked appointments through
``booking.cancel`` (so the background jobs cancel the meetings), then clears the personal
fields of all their appointments through ``retention.erase_citizen``, in one transaction: the
cancellations, the erasure and both audit entries are kept together or not at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, Organisation, Service, StaffMember
from balie.services import booking
from balie.services.privacy import retention
from balie.services.staff.staff_auth import audit

ERASE_REASON = "Gegevens gewist op vraag van de burger"
EMAIL_MAX = 254
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Holding:
    """One appointment that holds the address: what the screen may list (no personal data)."""

    reference: str
    start: datetime
    service_name: dict[str, str]
    status: str


@dataclass(frozen=True)
class Lookup:
    """How many appointments hold the address, and the upcoming ones in detail."""

    past: int
    upcoming: list[Holding]

    @property
    def to_cancel(self) -> list[Holding]:
        """The upcoming appointments that are still booked: erasing cancels these first."""
        return [holding for holding in self.upcoming if holding.status == "booked"]


@dataclass(frozen=True)
class Erased:
    """What an erasure did."""

    cancelled: list[str]
    erased: int


def clean_email(value: Any) -> tuple[str, str | None]:
    """The trimmed, lower-cased address and an error key (``dr_error_…``), if any.

    Deliberately looser than the booking form's check: an administrator must be able to find
    any address that was ever stored (old or unusual ones, the demo's ``.invalid`` ones).
    """
    if not isinstance(value, str):
        return "", "dr_error_email_required"
    email = value.strip().lower()
    if not email:
        return "", "dr_error_email_required"
    if len(email) > EMAIL_MAX or "\x00" in email or not _EMAIL_SHAPE.fullmatch(email):
        return email[:EMAIL_MAX], "dr_error_email_invalid"
    return email, None


def email_sha256(email: str) -> str:
    """The hash the audit log keeps instead of the address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _checked(email: str) -> str:
    """The cleaned address; ValueError when it is not one."""
    cleaned, error = clean_email(email)
    if error:
        raise ValueError(error)
    return cleaned


def _holdings(session: Session, organisation_id: int, email: str) -> list[Holding]:
    """Every appointment of the organisation that still holds the address, oldest first."""
    export = retention.export_citizen(session, organisation_id, email)
    names = dict(
        session.exec(
            select(Service.slug, Service.name).where(Service.organisation_id == organisation_id)
        ).all()
    )
    return [
        Holding(
            reference=item["reference"],
            start=datetime.fromisoformat(item["start"]),
            service_name=names.get(item["service"], {}),
            status=item["status"],
        )
        for item in export["appointments"]
    ]


def _split(holdings: list[Holding], now: datetime) -> Lookup:
    """Past (started) versus upcoming appointments."""
    upcoming = [holding for holding in holdings if holding.start > now]
    return Lookup(past=len(holdings) - len(upcoming), upcoming=upcoming)


def look_up(session: Session, staff: StaffMember, email: str, now: datetime) -> Lookup:
    """How many appointments hold the address (audited, without the address), and commit."""
    email = _checked(email)
    lookup = _split(_holdings(session, staff.organisation_id, email), now)
    audit(
        session,
        staff,
        "data_request_search",
        "appointment",
        at=now,
        email_sha256=email_sha256(email),
        past=lookup.past,
        upcoming=len(lookup.upcoming),
    )
    session.commit()
    return lookup


def export(session: Session, staff: StaffMember, email: str, now: datetime) -> dict:
    """Everything held about the address, JSON-able (audited, without the address); commits."""
    email = _checked(email)
    organisation = session.get(Organisation, staff.organisation_id)
    data = retention.export_citizen(session, staff.organisation_id, email)
    references = [item["reference"] for item in data["appointments"]]
    audit(
        session,
        staff,
        "data_request_export",
        "appointment",
        at=now,
        email_sha256=email_sha256(email),
        count=len(references),
        references=references,
    )
    session.commit()
    return {
        "organisation": organisation.name if organisation else "",
        "exported_at": now.isoformat(),
        **data,
    }


def erase(session: Session, staff: StaffMember, email: str, now: datetime) -> Erased:
    """Cancel the address's upcoming booked appointments, then erase all its personal data."""
    email = _checked(email)
    lookup = _split(_holdings(session, staff.organisation_id, email), now)
    cancelled = []
    for holding in lookup.to_cancel:
        appointment = session.exec(
            select(Appointment).where(
                Appointment.organisation_id == staff.organisation_id,
                Appointment.reference == holding.reference,
                Appointment.status == AppointmentStatus.BOOKED,
            )
        ).first()
        if appointment is None:
            continue
        try:
            # One transaction with the erasure below: all of it happens, or none of it.
            booking.cancel(session, appointment, ERASE_REASON, now, commit=False)
        except booking.NotChangeable:
            continue  # it started in the meantime: it is erased below all the same
        cancelled.append(holding.reference)
    erased = retention.erase_citizen(session, staff.organisation_id, email, staff.id, commit=False)
    audit(
        session,
        staff,
        "data_request_erase",
        "appointment",
        at=now,
        email_sha256=email_sha256(email),
        cancelled=cancelled,
        erased=erased,
    )
    session.commit()
    return Erased(cancelled=cancelled, erased=erased)
