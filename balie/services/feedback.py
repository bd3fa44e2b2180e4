"""The one-question survey after a completed call: its link, its e-mail and job, and the answer.

The survey link carries its own token, derived from the secret key like the manage token but
for another purpose, so a manage link never opens the survey and a survey link never opens the
appointment. The answer is stored once; the comment is personal data and is erased with the
rest (see retention), the score and its time are kept for the figures.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from sqlalchemy import update
from sqlmodel import Session, select

from balie.i18n import pick
from balie.models import Appointment, AppointmentStatus, Job, JobKind, Organisation, Service
from balie.services import citizen_mail, jobs
from balie.services.notifications import SurveyMessage, build_survey_email
from balie.services.privacy import retention
from balie.services.validation import _clean_text

if TYPE_CHECKING:
    from balie.settings import Settings

SURVEY_PATH = "/tevredenheid"
SURVEY_KIND = JobKind.MAIL_SURVEY
COMMENT_MAX = 1000
SCORES = (1, 2, 3, 4, 5)
# A short pause before the e-mail: a counsellor who clicked "completed" by mistake and marks a
# no-show instead sends nothing (the job checks the status when it runs).
SURVEY_DELAY = timedelta(minutes=10)
_REFERENCE_MAX = 16
_TOKEN_MAX = 256


class FeedbackError(Exception):
    """A survey answer that cannot be stored; ``key`` names the message for the citizen."""

    key = "feedback_error"


class InvalidLink(FeedbackError):
    """Unknown reference or wrong token (deliberately the same error: no hint which)."""

    key = "feedback_invalid_link"


class AlreadyAnswered(FeedbackError):
    """The survey of this appointment was answered before."""

    key = "feedback_already_answered"


class NotAnswerable(FeedbackError):
    """The call was not completed, or its personal data has been erased."""

    key = "feedback_unavailable"


class InvalidAnswer(FeedbackError, ValueError):
    """The answer itself is wrong; the citizen can correct it."""


class InvalidScore(InvalidAnswer):
    """The score is not a whole number from 1 to 5."""

    key = "feedback_error_score"


class InvalidComment(InvalidAnswer):
    """The comment is not text or longer than COMMENT_MAX characters."""

    key = "feedback_error_comment"


def survey_token_for(reference: str, secret_key: str) -> str:
    """The survey token of an appointment; another purpose than the manage token."""
    digest = hmac.new(secret_key.encode(), f"survey:{reference}".encode(), hashlib.sha256)
    return digest.hexdigest()


def survey_url(settings: Settings, reference: str, token: str) -> str:
    """The survey link on the public site."""
    query = urlencode({"ref": reference, "token": token})
    return f"{settings.public_base_url.rstrip('/')}{SURVEY_PATH}?{query}"


def survey_link(settings: Settings, reference: str) -> str:
    """The survey link of ``reference``, with its token."""
    token = survey_token_for(reference, settings.secret_key.get_secret_value())
    return survey_url(settings, reference, token)


def _short_text(value: object, limit: int) -> bool:
    """Whether ``value`` is a non-empty string of at most ``limit`` characters."""
    return isinstance(value, str) and 0 < len(value) <= limit


def find_for_survey(
    session: Session, reference: object, token: object, secret_key: str
) -> Appointment:
    """The appointment of a survey link; InvalidLink when reference or token is wrong."""
    if not _short_text(reference, _REFERENCE_MAX) or not _short_text(token, _TOKEN_MAX):
        raise InvalidLink
    reference = reference.strip().upper()
    expected = survey_token_for(reference, secret_key)
    # Compare before looking up, in constant time: a wrong token says nothing about the reference.
    if not hmac.compare_digest(expected.encode(), token.strip().encode()):
        raise InvalidLink
    appointment = session.exec(
        select(Appointment).where(Appointment.reference == reference)
    ).first()
    if appointment is None:
        raise InvalidLink
    return appointment


def _ensure_open(appointment: Appointment) -> None:
    """Raise unless the survey of ``appointment`` can still be answered."""
    if appointment.feedback_at is not None or appointment.feedback_score is not None:
        raise AlreadyAnswered
    if appointment.status != AppointmentStatus.COMPLETED or retention.is_erased(appointment):
        raise NotAnswerable


def survey_state(session: Session, reference: object, token: object, secret_key: str) -> str:
    """What the survey page shows: ``open``, or the key of the message instead of the form."""
    try:
        _ensure_open(find_for_survey(session, reference, token, secret_key))
    except FeedbackError as problem:
        return problem.key
    return "open"


def check_score(score: object) -> int:
    """The score as an int from 1 to 5; InvalidScore for anything else (also "3" or True)."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise InvalidScore
    return score


def clean_comment(comment: object) -> str | None:
    """The comment cleaned like other free text, None when empty; InvalidComment when wrong."""
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise InvalidComment
    cleaned = _clean_text(comment).replace("\r\n", "\n")
    if len(cleaned) > COMMENT_MAX:
        raise InvalidComment
    return cleaned or None


def enqueue_survey(session: Session, appointment: Appointment, now: datetime) -> Job | None:
    """Plan the survey e-mail of a completed call (once per appointment); the caller commits."""
    if appointment.status != AppointmentStatus.COMPLETED or not appointment.citizen_email:
        return None
    if appointment.feedback_at is not None:
        return None
    key = f"{SURVEY_KIND}:{appointment.id}"
    return jobs.enqueue(
        session, SURVEY_KIND, appointment.id, run_after=now + SURVEY_DELAY, dedupe_key=key, now=now
    )


def answer(
    session: Session,
    reference: object,
    token: object,
    score: object,
    comment: object,
    now: datetime,
    *,
    secret_key: str,
) -> Appointment:
    """Store the citizen's answer once; raises a FeedbackError saying why not; commits."""
    appointment = find_for_survey(session, reference, token, secret_key)
    _ensure_open(appointment)
    chosen, cleaned = check_score(score), clean_comment(comment)
    # One conditional UPDATE: of two answers sent at the same moment only one is stored.
    result = session.exec(
        update(Appointment)
        .where(
            Appointment.id == appointment.id,
            Appointment.feedback_at.is_(None),
            Appointment.feedback_score.is_(None),
            Appointment.status == AppointmentStatus.COMPLETED,
            retention.has_personal_data(),
        )
        .values(feedback_score=chosen, feedback_comment=cleaned, feedback_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        _ensure_open(session.get(Appointment, appointment.id, populate_existing=True))
        raise AlreadyAnswered  # the check above normally names the reason
    session.commit()
    return session.get(Appointment, appointment.id, populate_existing=True)


# --- the e-mail and its job ------------------------------------------------------------------


def build_survey_mail(
    session: Session, appointment: Appointment, settings: Settings
) -> EmailMessage:
    """The survey e-mail after a completed call, in the citizen's language."""
    settings = citizen_mail.settings_of(session, appointment, settings)
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
    uid_domain = citizen_mail.uid_domain(settings)
    return build_survey_email(message, sender=settings.mail_from, uid_domain=uid_domain)


def send_survey(session: Session, job: Job, context: jobs.JobContext) -> None:
    """Ask the citizen how the call went, unless it turned out not completed or was answered."""
    appointment = jobs.appointment_of(session, job)
    if appointment is None or appointment.status != AppointmentStatus.COMPLETED:
        return
    if not appointment.citizen_email or appointment.feedback_at is not None:
        return
    if citizen_mail.suppressed(session, appointment, "survey", context.settings):
        return
    message = build_survey_mail(session, appointment, context.settings)
    jobs.end_read(session)
    context.mailer.send(message)


jobs.register(JobKind.MAIL_SURVEY, send_survey)
