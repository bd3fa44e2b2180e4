"""Booking, moving and cancelling appointments: one transaction each, never a double booking."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select, update

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    Organisation,
    Service,
    Topic,
)
from balie.services import jobs
from balie.services.catalogue import channel_reason, video_allowed
from balie.services.catalogue_cache import Catalogue
from balie.services.identity.levels import reaches, required_level
from balie.services.identity.signin import VerifiedPerson
from balie.services.insight import metrics
from balie.services.slots import SLOT_CACHE, free_staff_and_load
from balie.services.validation import CitizenDetails

log = logging.getLogger(__name__)

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # how long a key replays its booking


class BookingError(Exception):
    """A booking request that cannot be carried out; ``key`` names the message for the user."""

    key = "error_booking"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.key)


class SlotTaken(BookingError):
    """The chosen time is no longer free."""

    key = "error_slot_taken"


class Busy(BookingError):
    """The database stayed locked too long (SQLite under heavy load); trying again helps."""

    key = "error_busy"


class Raced(Busy):
    """The database broke a deadlock between two bookings of one time by aborting this one."""


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
RACE_ATTEMPTS = 3


class UnknownService(BookingError):
    """No live service with that slug."""

    key = "error_unknown_service"


class UnknownTopic(BookingError):
    """No active topic with that slug in the service."""

    key = "error_unknown_topic"


class NotChangeable(BookingError):
    """The appointment is cancelled or over and cannot be changed."""

    key = "error_not_changeable"


class IdempotencyKeyReused(BookingError):
    """The idempotency key was used (within 24 hours) for a request with other details."""

    key = "error_idempotency_reused"


class IdentificationRequired(BookingError):
    """The topic needs a verified identity (at its level) that the request does not carry."""

    key = "error_identification_required"


class TopicNotBookable(BookingError):
    """The topic cannot go by video; ``reason`` says why, per language."""

    key = "error_not_bookable"

    def __init__(self, reason: dict[str, str]) -> None:
        super().__init__(reason.get("en", ""))
        self.reason = reason


@dataclass(frozen=True)
class BookingRequest:
    """What a citizen (or an agent for them) asks to book."""

    service_slug: str
    topic_slug: str
    start: datetime
    details: CitizenDetails
    channel: BookingChannel = BookingChannel.WEB
    idempotency_key: str | None = None
    identity: VerifiedPerson | None = None  # from the citizen's sign-in, never from the browser


@dataclass(frozen=True)
class Booked:
    """A booking that exists, with the citizen's private manage token."""

    appointment: Appointment
    manage_token: str
    replayed: bool = field(default=False)


def manage_token_for(reference: str, secret_key: str) -> str:
    """The citizen's manage token: derived from a server secret, so e-mail jobs can rebuild it."""
    digest = hmac.new(secret_key.encode(), f"manage:{reference}".encode(), hashlib.sha256)
    return digest.hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a manage token."""
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token_matching(reference: str, stored_hash: str, secret_keys: list[str]) -> str:
    """The token of a booking made under the current or an earlier secret (current if none)."""
    for secret in secret_keys:
        token = manage_token_for(reference, secret)
        if hmac.compare_digest(token_hash(token), stored_hash):
            return token
    return manage_token_for(reference, secret_keys[0])


def new_reference() -> str:
    """A short reference like ``K7QX-3MPA`` that a citizen can read out on the phone."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def _plain(text: object, limit: int = 64) -> bool:
    """Whether ``text`` can be a slug or reference at all (PostgreSQL refuses NUL characters)."""
    return isinstance(text, str) and 0 < len(text) <= limit and "\x00" not in text


def find_live_service(
    session: Session,
    organisation: Organisation,
    slug: str,
    now: datetime | None = None,
    catalogue: Catalogue | None = None,
) -> Service:
    """The live, active service with this slug, or UnknownService (from ``catalogue`` if given)."""
    today = (now or utcnow()).astimezone(ZoneInfo(organisation.time_zone)).date()
    if not _plain(slug):
        raise UnknownService(repr(slug))
    if catalogue is not None:
        service = catalogue.services.get(slug)
    else:
        service = session.exec(
            select(Service).where(Service.organisation_id == organisation.id, Service.slug == slug)
        ).first()
    if service is None or not service.active or service.live_from > today:
        raise UnknownService(slug)
    return service


def find_bookable_topic(
    session: Session, service: Service, slug: str, catalogue: Catalogue | None = None
) -> Topic:
    """The active topic with this slug, or an error saying why it cannot be booked."""
    if not _plain(slug):
        raise UnknownTopic(repr(slug))
    if catalogue is not None:
        topic = catalogue.topics.get((service.id, slug))
    else:
        topic = session.exec(
            select(Topic).where(Topic.service_id == service.id, Topic.slug == slug)
        ).first()
    if topic is None or not topic.active:
        raise UnknownTopic(slug)
    if not video_allowed(topic):
        raise TopicNotBookable(channel_reason(topic))
    return topic


def _appointments_on_day(
    session: Session, staff_ids: list[int], start: datetime, tz: ZoneInfo
) -> dict[int, int]:
    """Number of active appointments per staff member on the local day of ``start``."""
    local_day = start.astimezone(tz).date()
    day_start = datetime.combine(local_day, datetime.min.time(), tz)
    day_end = datetime.combine(local_day + timedelta(days=1), datetime.min.time(), tz)
    rows = session.exec(
        select(Appointment.staff_id, func.count())
        .where(
            Appointment.staff_id.in_(staff_ids),
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.start_at >= day_start,
            Appointment.start_at < day_end,
        )
        .group_by(Appointment.staff_id)
    ).all()
    return dict(rows)


def fair_order(
    session: Session,
    staff_ids: list[int],
    start: datetime,
    tz: ZoneInfo,
    load: dict[int, int] | None = None,
) -> list[int]:
    """Free staff, the one with the fewest appointments that day first.

    Ties are broken at random, so clients racing for one time do not all try the same person.
    ``load`` (appointments per staff member that day) spares the count query when known.
    """
    if len(staff_ids) < 2:
        return list(staff_ids)  # nothing to order: spare the count query
    if load is None:
        load = _appointments_on_day(session, staff_ids, start, tz)
    return sorted(staff_ids, key=lambda staff_id: (load.get(staff_id, 0), random.random()))


def idempotency_key_hash(organisation_id: int, key: str) -> str:
    """The stored form of an Idempotency-Key: SHA-256, scoped to the organisation."""
    return hashlib.sha256(f"{organisation_id}:{key}".encode()).hexdigest()


def request_hash(request: BookingRequest) -> str:
    """SHA-256 of the canonical JSON of the validated request (start as a UTC instant)."""
    details = request.details
    canonical = {
        "service": request.service_slug,
        "topic": request.topic_slug,
        "start": request.start.astimezone(UTC).isoformat(),
        "name": details.name,
        "email": details.email,
        "phone": details.phone,
        "language": details.language,
        "question": details.question,
        "consent": details.consent,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(
    session: Session,
    organisation: Organisation,
    request: BookingRequest,
    secret_key: str,
    now: datetime,
) -> Booked | None:
    """The booking made with this key and these details in the last 24 hours, if any.

    The same key with other details is refused: it never hands out another booking's token.
    """
    if not request.idempotency_key:
        return None
    hashed = idempotency_key_hash(organisation.id, request.idempotency_key)
    existing = session.exec(
        select(Appointment).where(Appointment.idempotency_key == hashed)
    ).first()
    if existing is None or existing.created_at <= now - IDEMPOTENCY_WINDOW:
        return None
    if existing.idempotency_request_hash is None or not hmac.compare_digest(
        existing.idempotency_request_hash, request_hash(request)
    ):
        raise IdempotencyKeyReused(existing.reference)
    return Booked(existing, manage_token_for(existing.reference, secret_key), replayed=True)


def _release_expired_key(session: Session, hashed: str | None, now: datetime) -> None:
    """Free a key whose 24 hours are over, so the unique column takes the new booking."""
    if hashed is None:
        return
    session.exec(
        update(Appointment)
        .where(
            Appointment.idempotency_key == hashed,
            Appointment.created_at <= now - IDEMPOTENCY_WINDOW,
        )
        .values(idempotency_key=None, idempotency_request_hash=None)
        .execution_options(synchronize_session=False)
    )


def expire_idempotency_keys(session: Session, now: datetime) -> int:
    """Clear keys and request hashes older than 24 hours (the cleanup job); the count."""
    result = session.exec(
        update(Appointment)
        .where(
            Appointment.idempotency_key.is_not(None),
            Appointment.created_at <= now - IDEMPOTENCY_WINDOW,
        )
        .values(idempotency_key=None, idempotency_request_hash=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount


def book(
    session: Session, organisation: Organisation, request: BookingRequest, **options
) -> Booked:
    """``_book``, counted for the metrics (bookings by channel and service, slot-taken refusals)."""
    try:
        booked = _book(session, organisation, request, **options)
    except SlotTaken:
        metrics.count_slot_taken(str(request.channel))
        raise
    if not booked.replayed:
        metrics.count_booking(str(request.channel), request.service_slug)
    return booked


def _book(
    session: Session,
    organisation: Organisation,
    request: BookingRequest,
    *,
    meeting_provider: str,
    secret_key: str,
    now: datetime | None = None,
    preferred_staff_id: int | None = None,
    catalogue: Catalogue | None = None,
    guard: Callable[[Session, Service], None] | None = None,
    meeting_claimed_until: datetime | None = None,
) -> Booked:
    """Book with a fairly chosen free staff member, or raise a BookingError.

    With ``catalogue`` (the process's cached copy) service and topic are looked up there.
    ``guard`` (the public paths' abuse checks) runs once the service is known and may raise a
    BookingError; an idempotent replay never reaches it.
    With ``preferred_staff_id`` (a follow-up with the same counsellor), that staff member is
    tried first when they are free at that time; otherwise the fair order decides.
    The appointment and its background jobs (make the meeting, send the confirmation, the
    reminders) are committed together, so neither can exist without the other. With
    ``meeting_claimed_until`` the meeting job is born claimed by the caller until then: it makes
    the meeting at once (see ``meetings.handlers.create_new``).
    """
    now = now or utcnow()
    replay = _replay(session, organisation, request, secret_key, now)
    if replay:
        return replay
    service = find_live_service(session, organisation, request.service_slug, now, catalogue)
    topic = find_bookable_topic(session, service, request.topic_slug, catalogue)
    needed = required_level(topic)
    if needed != "none" and (
        request.identity is None or not reaches(request.identity.level, needed)
    ):
        raise IdentificationRequired(needed)
    if guard is not None:
        guard(session, service)
    tz = ZoneInfo(organisation.time_zone)
    candidates, load = free_staff_and_load(session, service, request.start, now, organisation)
    if not candidates:
        raise SlotTaken(request.start.isoformat())
    order = fair_order(session, candidates, request.start, tz, load)
    if preferred_staff_id in order:
        order.remove(preferred_staff_id)
        order.insert(0, preferred_staff_id)
    for staff_id in order:
        booked = _try_insert_again_after_races(
            session,
            organisation,
            service,
            topic,
            staff_id,
            request,
            meeting_provider,
            secret_key,
            now,
            meeting_claimed_until,
        )
        if booked is not None:
            return booked
        replay = _replay(session, organisation, request, secret_key, now)
        if replay:
            return replay
    raise SlotTaken(request.start.isoformat())


def _identity_fields(person: VerifiedPerson | None) -> dict:
    """The appointment's identity columns for a verified person (none for anonymous bookings)."""
    if person is None:
        return {}
    return {
        "identity_level": person.level,
        "identity_method": person.method,
        "identity_verified_at": person.verified_at,
        "identity_name": person.name,
        "identity_birth_date": person.birth_date,
        "identity_number_hash": person.number_hash,
        "identity_number": person.number,
    }


def _try_insert(
    session: Session,
    organisation: Organisation,
    service: Service,
    topic: Topic,
    staff_id: int,
    request: BookingRequest,
    meeting_provider: str,
    secret_key: str,
    now: datetime,
    meeting_claimed_until: datetime | None = None,
) -> Booked | None:
    """Insert the appointment for one staff member; None when the database refuses it."""
    reference = new_reference()
    token = manage_token_for(reference, secret_key)
    start = request.start
    end = start + timedelta(minutes=service.appointment_minutes)
    busy_until = end + timedelta(minutes=service.buffer_minutes)
    details = request.details
    key = request.idempotency_key
    hashed_key = idempotency_key_hash(organisation.id, key) if key else None
    _release_expired_key(session, hashed_key, now)
    appointment = Appointment(
        reference=reference,
        organisation_id=organisation.id,
        service_id=service.id,
        topic_id=topic.id,
        staff_id=staff_id,
        start_at=start,
        end_at=end,
        busy_until=busy_until,
        channel=request.channel,
        citizen_name=request.identity.name if request.identity else details.name,
        citizen_email=details.email,
        citizen_phone=details.phone,
        language=details.language,
        question=details.question,
        consent_at=now,
        manage_token_hash=token_hash(token),
        idempotency_key=hashed_key,
        idempotency_request_hash=request_hash(request) if key else None,
        meeting_provider=meeting_provider,
        created_at=now,
        updated_at=now,
        **_identity_fields(request.identity),
    )
    session.add(appointment)
    try:
        session.flush()
        jobs.enqueue_for_booking(session, appointment, now, meeting_claimed_until)
        session.commit()
        SLOT_CACHE.took(session, service.id, staff_id, start, busy_until)
    except IntegrityError:
        session.rollback()
        log.info("booking refused by the database for staff %s at %s", staff_id, start)
        return None
    except OperationalError as problem:
        session.rollback()
        if getattr(problem.orig, "sqlstate", None) == DEADLOCK_DETECTED:
            log.info("booking raced another for staff %s at %s: %s", staff_id, start, problem)
            raise Raced(str(problem)) from problem
        log.warning("database busy while booking at %s: %s", start, problem)
        raise Busy(str(problem)) from problem
    return Booked(appointment, token)


def _try_insert_again_after_races(*args: Any, **options: Any) -> Booked | None:
    """``_try_insert``, tried again when PostgreSQL broke a deadlock between racing bookings.

    Two bookings inserting conflicting rows at once can wait on each other while the exclusion
    constraint is checked, and PostgreSQL then aborts one of them. Its time may still be free
    (the other can be refused by a third), so it tries again; only a third race answers "busy".
    """
    for _attempt in range(RACE_ATTEMPTS - 1):
        try:
            return _try_insert(*args, **options)
        except Raced:
            continue
    return _try_insert(*args, **options)


_BY_REFERENCE = select(Appointment).where(Appointment.reference == bindparam("reference"))


def find_by_token(session: Session, reference: str, token: str) -> Appointment | None:
    """The appointment when reference and manage token match; None otherwise (no hint which)."""
    if not _plain(reference, 16) or not _plain(token, 256):
        return None
    reference = reference.strip().upper()
    appointment = session.exec(_BY_REFERENCE, params={"reference": reference}).first()
    expected = appointment.manage_token_hash if appointment else token_hash("")
    matches = hmac.compare_digest(expected, token_hash(token))
    return appointment if appointment is not None and matches else None


def _ensure_changeable(appointment: Appointment, now: datetime) -> None:
    """Only booked appointments that have not started can be changed."""
    if appointment.status != AppointmentStatus.BOOKED or appointment.start_at <= now:
        raise NotChangeable(appointment.reference)


def cancel(
    session: Session,
    appointment: Appointment,
    reason: str = "",
    now: datetime | None = None,
    *,
    commit: bool = True,
) -> Appointment:
    """Cancel the appointment; its time becomes free once committed.

    ``commit=False`` leaves the commit (or rollback) to a caller that changes more in the same
    transaction; the cancellation and its jobs are flushed.
    """
    now = now or utcnow()
    _ensure_changeable(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason.strip()[:500] or None
    appointment.calendar_sequence += 1
    appointment.updated_at = now
    session.add(appointment)
    jobs.enqueue_for_cancellation(session, appointment, now=now)
    SLOT_CACHE.forget(appointment.service_id)
    if commit:
        session.commit()
    else:
        session.flush()
    return appointment


def reschedule(
    session: Session, appointment: Appointment, new_start: datetime, now: datetime | None = None
) -> Appointment:
    """Move the appointment in one UPDATE: the old time is released only if the new one is got."""
    now = now or utcnow()
    _ensure_changeable(appointment, now)
    service = session.get(Service, appointment.service_id)
    organisation = session.get(Organisation, appointment.organisation_id)
    tz = ZoneInfo(organisation.time_zone)
    candidates, load = free_staff_and_load(session, service, new_start, now, organisation)
    if not candidates:
        raise SlotTaken(new_start.isoformat())
    if appointment.staff_id in candidates:
        candidates = [appointment.staff_id]  # keep the same counsellor when they are free
    for staff_id in fair_order(session, candidates, new_start, tz, load):
        end = new_start + timedelta(minutes=service.appointment_minutes)
        appointment.staff_id = staff_id
        appointment.start_at = new_start
        appointment.end_at = end
        appointment.busy_until = end + timedelta(minutes=service.buffer_minutes)
        appointment.calendar_sequence += 1
        appointment.updated_at = now
        session.add(appointment)
        try:
            session.flush()
            jobs.enqueue_for_change(session, appointment, now=now)
            session.commit()
            SLOT_CACHE.forget(service.id)
            return appointment
        except IntegrityError:
            session.rollback()
            session.refresh(appointment)
        except OperationalError as problem:
            session.rollback()
            raise Busy(str(problem)) from problem
    raise SlotTaken(new_start.isoformat())
