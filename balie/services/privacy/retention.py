"""Personal data of citizens: erase it after the retention time or on request, and export it.

Erasing sets the personal fields to NULL and keeps the row, so service, topic, times,
channel, status, outcome and the survey score with its time (everything the statistics use)
stay as they were. The survey comment is free text, so it is erased with the rest, and so are
the documents exchanged for the appointment (their encrypted files and rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, update
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Appointment, CitizenSignIn, Document, Service, StaffMember, Topic
from balie.services import documents
from balie.services.staff.staff_auth import audit

PERSONAL_FIELDS = (
    "citizen_name",
    "citizen_email",
    "citizen_phone",
    "question",
    "staff_note",
    "cancel_reason",
    "feedback_comment",
    # The verified identity (citizen sign-in): name, birth date, the number or its keyed hash.
    "identity_name",
    "identity_birth_date",
    "identity_number_hash",
    "identity_number",
)


def has_personal_data() -> ColumnElement[bool]:
    """WHERE clause: at least one personal field is still filled in."""
    return or_(*(getattr(Appointment, name).is_not(None) for name in PERSONAL_FIELDS))


def is_erased(appointment: Appointment) -> bool:
    """Whether the personal data of ``appointment`` has been erased (every field empty)."""
    return all(getattr(appointment, name) is None for name in PERSONAL_FIELDS)


def _documents_store(store: documents.Vault | None) -> documents.Vault:
    """The given document store, or the configured one."""
    if store is not None:
        return store
    from balie.settings import get_settings  # late: services do not read settings themselves

    return documents.Vault.from_settings(get_settings())


def _erase_documents(
    session: Session, store: documents.Vault | None, *where: ColumnElement[bool]
) -> int:
    """Delete the documents of the matching appointments (files and rows)."""
    ids = list(
        session.exec(
            select(Appointment.id)
            .where(*where)
            .where(Appointment.id.in_(select(Document.appointment_id)))
        ).all()
    )
    return documents.erase_for(session, _documents_store(store), ids) if ids else 0


def _erase(
    session: Session,
    now: datetime,
    *where: ColumnElement[bool],
    store: documents.Vault | None = None,
) -> int:
    """Clear the personal fields (and documents) of the matching appointments; the count."""
    _erase_documents(session, store, *where)
    values = dict.fromkeys(PERSONAL_FIELDS) | {"updated_at": now}
    result = session.exec(
        update(Appointment)
        .where(*where, has_personal_data())
        .values(values)
        .execution_options(synchronize_session=False)
    )
    # The bulk UPDATE bypassed the identity map: loaded appointments must be read again.
    session.expire_all()
    return result.rowcount


def _same_email(email: str) -> ColumnElement[bool]:
    """WHERE clause: the citizen e-mail address is ``email``, ignoring case and spaces around."""
    return func.lower(Appointment.citizen_email) == email.strip().lower()


def _past_retention(
    now: datetime, retention_days: int, own_days: Mapping[int, int]
) -> ColumnElement[bool]:
    """Appointments that ended longer ago than their organisation keeps them."""
    own = [
        and_(
            Appointment.organisation_id == organisation_id,
            Appointment.end_at < now - timedelta(days=days),
        )
        for organisation_id, days in own_days.items()
    ]
    others = and_(
        Appointment.organisation_id.not_in(list(own_days)),
        Appointment.end_at < now - timedelta(days=retention_days),
    )
    return or_(others, *own)


def erase_due(
    session: Session,
    now: datetime,
    retention_days: int,
    store: documents.Vault | None = None,
    own_days: Mapping[int, int] | None = None,
) -> int:
    """Erase personal data of appointments (any status) past their retention period.

    ``retention_days`` is the platform's period; ``own_days`` the organisations with their own.
    """
    condition = _past_retention(now, retention_days, own_days or {})
    erased = _erase(session, now, condition, store=store)
    session.exec(delete(CitizenSignIn).where(CitizenSignIn.expires_at < now))
    session.commit()
    return erased


def erase_citizen(
    session: Session,
    organisation_id: int,
    email: str,
    staff_id: int | None,
    *,
    commit: bool = True,
    store: documents.Vault | None = None,
) -> int:
    """Erase every appointment of the citizen with this e-mail address, audited; the count.

    ``commit=False`` leaves the commit to a caller that changes more in the same transaction.
    """
    now = utcnow()
    in_organisation = Appointment.organisation_id == organisation_id
    references = list(
        session.exec(select(Appointment.reference).where(in_organisation, _same_email(email))).all()
    )
    erased = _erase(session, now, in_organisation, _same_email(email), store=store)
    staff = session.get(StaffMember, staff_id) if staff_id is not None else None
    # The audit entry names the appointments, never the e-mail address being erased.
    audit(
        session,
        staff,
        "erase_citizen",
        "appointment",
        None,
        organisation_id=organisation_id,
        at=now,
        count=erased,
        references=sorted(references),
    )
    if commit:
        session.commit()
    else:
        session.flush()
    return erased


def _iso(moment: datetime | None) -> str | None:
    """A moment in ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None


def export_citizen(session: Session, organisation_id: int, email: str) -> dict:
    """A JSON-able export of the appointments of the citizen with this e-mail address."""
    rows = session.exec(
        select(Appointment, Service.slug, Topic.slug)
        .join(Service, Service.id == Appointment.service_id)
        .join(Topic, Topic.id == Appointment.topic_id)
        .where(Appointment.organisation_id == organisation_id, _same_email(email))
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    return {
        "email": email.strip().lower(),
        "appointments": [
            {
                "reference": appointment.reference,
                "service": service_slug,
                "topic": topic_slug,
                "start": appointment.start_at.isoformat(),
                "status": str(appointment.status),
                "name": appointment.citizen_name,
                "email": appointment.citizen_email,
                "phone": appointment.citizen_phone,
                "question": appointment.question,
                "feedback_score": appointment.feedback_score,
                "feedback_comment": appointment.feedback_comment,
                "feedback_at": _iso(appointment.feedback_at),
            }
            for appointment, service_slug, topic_slug in rows
        ],
    }
