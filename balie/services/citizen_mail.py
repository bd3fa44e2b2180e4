"""E-mails to the citizen about their appointment, built from the database."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Literal
from urllib.parse import urlsplit

from sqlmodel import Session

from balie.i18n import pick
from balie.models import Appointment, Organisation, Service, Topic
from balie.services import catalogue_cache, mail_suppression, tenancy
from balie.services.booking import manage_token_matching
from balie.services.feedback import survey_link
from balie.services.notifications import (
    AppointmentMessage,
    Mailer,
    SurveyMessage,
    build_email,
    build_ics,
    build_survey_email,
)
from balie.settings import Settings

log = logging.getLogger(__name__)

MailKind = Literal["confirmation", "change", "cancellation", "reminder"]


def manage_url(settings: Settings, reference: str, stored_hash: str = "") -> str:
    """The citizen's personal link; after a secret rotation, still the one the booking got."""
    token = manage_token_matching(reference, stored_hash, settings.secret_keys())
    return f"{settings.public_base_url.rstrip('/')}/afspraak?ref={reference}&token={token}"


def _settings_of(session: Session, appointment: Appointment, settings: Settings) -> Settings:
    """The settings as the appointment's organisation sees them (its host in every link)."""
    return tenancy.settings_for(settings, tenancy.slug_of(session, appointment.organisation_id))


def _catalogue_rows(
    session: Session, appointment: Appointment, settings: Settings
) -> tuple[Organisation, Service, Topic]:
    """Organisation, service and topic of the appointment: from the cached catalogue when it
    has them (no round trips), else from the database."""
    catalogue = catalogue_cache.current(session, settings.organisation)
    if catalogue is not None and catalogue.organisation.id == appointment.organisation_id:
        service = catalogue.services_by_id.get(appointment.service_id)
        topic = catalogue.topics_by_id.get(appointment.topic_id)
        if service is not None and topic is not None:
            return catalogue.organisation, service, topic
    return (
        session.get(Organisation, appointment.organisation_id),
        session.get(Service, appointment.service_id),
        session.get(Topic, appointment.topic_id),
    )


def appointment_message(
    session: Session, appointment: Appointment, settings: Settings
) -> AppointmentMessage:
    """Everything an e-mail about ``appointment`` says, in the citizen's language."""
    settings = _settings_of(session, appointment, settings)
    organisation, service, topic = _catalogue_rows(session, appointment, settings)
    language = appointment.language
    secret, base = settings.secret_key.get_secret_value(), settings.public_base_url
    return AppointmentMessage(
        reference=appointment.reference,
        organisation_name=organisation.name,
        service_name=pick(service.name, language),
        topic_name=pick(topic.name, language),
        preparation=pick(topic.preparation, language),
        start=appointment.start_at,
        end=appointment.end_at,
        time_zone=organisation.time_zone,
        citizen_name=appointment.citizen_name or "",
        citizen_email=appointment.citizen_email or "",
        language=language,
        join_url=appointment.join_url,
        manage_url=manage_url(settings, appointment.reference, appointment.manage_token_hash),
        sequence=appointment.calendar_sequence,
        cancel_reason=appointment.cancel_reason or "",
        not_requested_url=mail_suppression.page_url(base, appointment.reference, secret),
        one_click_url=mail_suppression.one_click_url(base, appointment.reference, secret),
    )


def _uid_domain(settings: Settings) -> str:
    """The domain in calendar UIDs: the public host name."""
    return urlsplit(settings.public_base_url).hostname or "localhost"


def calendar_file(session: Session, appointment_id: int, settings: Settings) -> str:
    """The appointment as an iCalendar file (a cancellation once it is cancelled)."""
    appointment = session.get(Appointment, appointment_id)
    settings = _settings_of(session, appointment, settings)
    return build_ics(
        appointment_message(session, appointment, settings),
        cancelled=appointment.status == "cancelled",
        uid_domain=_uid_domain(settings),
        sender=settings.mail_from,
    )


def build_appointment_mail(
    session: Session, appointment: Appointment, kind: MailKind, settings: Settings
) -> EmailMessage:
    """The e-mail of ``kind`` about ``appointment``; raises when it cannot be built."""
    settings = _settings_of(session, appointment, settings)
    return build_email(
        kind,
        appointment_message(session, appointment, settings),
        sender=settings.mail_from,
        uid_domain=_uid_domain(settings),
    )


def build_survey_mail(
    session: Session, appointment: Appointment, settings: Settings
) -> EmailMessage:
    """The survey e-mail after a completed call, in the citizen's language."""
    settings = _settings_of(session, appointment, settings)
    organisation = session.get(Organisation, appointment.organisation_id)
    service = session.get(Service, appointment.service_id)
    message = SurveyMessage(
        reference=appointment.reference,
        organisation_name=organisation.name,
        service_name=pick(service.name, appointment.language),
        citizen_name=appointment.citizen_name or "",
        citizen_email=appointment.citizen_email or "",
        language=appointment.language,
        survey_url=survey_link(settings, appointment.reference),
    )
    return build_survey_email(message, sender=settings.mail_from, uid_domain=_uid_domain(settings))


def send_appointment_mail(
    session: Session,
    appointment: Appointment,
    kind: MailKind,
    settings: Settings,
    mailer: Mailer,
) -> bool:
    """Send one e-mail; a mail failure is logged and never undoes the appointment."""
    if not appointment.citizen_email:
        return False
    try:
        mailer.send(build_appointment_mail(session, appointment, kind, settings))
    except Exception:
        log.exception("could not send %s e-mail for %s", kind, appointment.reference)
        return False
    return True
