"""Database tables of Digitale Balie (SQLModel). All timestamps are stored in UTC."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import DDL, JSON, Column, Index, LargeBinary, String, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from balie.db_types import UTCDateTime, utcnow

LocalisedText = dict[str, str]
"""Text per language code, e.g. ``{"nl": "…", "en": "…"}``."""


class ChannelRule(StrEnum):
    """Whether a topic can be handled by video, and if not, why not."""

    VIDEO = "video"
    IN_PERSON = "in_person"
    NEEDS_IDENTIFICATION = "needs_identification"
    NEEDS_DOCUMENT_EXCHANGE = "needs_document_exchange"
    NEEDS_SIGNATURE = "needs_signature"


class IdentificationLevel(StrEnum):
    """How sure the city must be of who the citizen is (eIDAS levels of assurance)."""

    NONE = "none"
    SUBSTANTIAL = "substantial"
    HIGH = "high"


class Role(StrEnum):
    """What a staff member may do."""

    STAFF = "staff"
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"
    # Runs the platform: creates organisations and sees every organisation's statistics. Never
    # given from a city's own screens or its Entra tenant (see CITY_ROLES).
    PLATFORM = "platform"


CITY_ROLES: tuple[str, ...] = tuple(role.value for role in Role if role is not Role.PLATFORM)
"""The roles a city's administrators (and its Entra app roles) may hand out."""


class AppointmentStatus(StrEnum):
    """Life cycle of an appointment."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class BookingChannel(StrEnum):
    """How the appointment was booked."""

    WEB = "web"
    CONTACT_CENTRE = "contact_centre"


class Outcome(StrEnum):
    """What came of a call, recorded by the counsellor."""

    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    REFERRED = "referred"
    IN_PERSON = "in_person"


class MeetingState(StrEnum):
    """Whether the video meeting link exists yet."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


def _text_column() -> Column:
    """A JSON column holding text per language."""
    return Column(JSON, nullable=False, default=dict)


class Organisation(SQLModel, table=True):
    """A municipality that offers video appointments."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(64), unique=True, index=True)
    name: str = Field(sa_type=String(200))
    time_zone: str = Field(default="Europe/Brussels", sa_type=String(64))
    holiday_country: str = Field(default="BE", sa_type=String(8))
    holiday_subdivision: str | None = Field(default=None, sa_type=String(16))
    contact_email: str | None = Field(default=None, sa_type=String(254))
    contact_phone: str | None = Field(default=None, sa_type=String(40))
    website_url: str | None = Field(default=None, sa_type=String(500))
    counter_booking_url: str | None = Field(default=None, sa_type=String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrganisationHost(SQLModel, table=True):
    """A host name (e.g. ``videoloket.aalst.be``) at which one organisation is served.

    Hosts not listed here but allowed by the settings serve ``BALIE_ORGANISATION``; so a
    database without rows keeps the single-organisation set-up.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    host: str = Field(sa_type=String(253), unique=True, description="Lower case, without port")
    is_primary: bool = Field(default=False, description="The host used in e-mails and links")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MailTransport(StrEnum):
    """How an organisation's e-mail leaves: the platform's shared relay or its own SMTP server."""

    RELAY = "relay"
    SMTP = "smtp"


class MeetingChoice(StrEnum):
    """An organisation's meeting provider: the platform's default, a Jitsi server, or Teams."""

    PLATFORM = "platform"
    JITSI = "jitsi"
    TEAMS = "teams"


class OrganisationSettings(SQLModel, table=True):
    """An organisation's own look, mail, meetings and privacy settings (one row each).

    Empty values mean "the platform's setting". Secrets are AES-GCM ciphertext
    (balie.services.org_settings), never plain text, and never sent to a browser.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        foreign_key="organisation.id", unique=True, index=True, ondelete="CASCADE"
    )
    display_name: str = Field(default="", sa_type=String(200))
    logo: bytes | None = Field(default=None, sa_type=LargeBinary)
    logo_type: str = Field(default="", sa_type=String(32))
    brand_primary: str = Field(default="#0b3d91", sa_type=String(7))
    brand_secondary: str = Field(default="#eef3fb", sa_type=String(7))
    languages: list[str] = Field(
        default_factory=lambda: ["nl", "en"],
        sa_column=Column(JSON, nullable=False, default=list, server_default='["nl", "en"]'),
    )
    privacy_contact: str = Field(default="", sa_type=String(254))
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    mail_from_address: str = Field(default="", sa_type=String(254))
    mail_from_name: str = Field(default="", sa_type=String(120))
    mail_transport: MailTransport = Field(default=MailTransport.RELAY, sa_type=String(16))
    smtp_host: str = Field(default="", sa_type=String(253))
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = Field(default="", sa_type=String(254))
    smtp_password_sealed: str = Field(default="", sa_type=String(1000))
    meeting_provider: MeetingChoice = Field(default=MeetingChoice.PLATFORM, sa_type=String(16))
    jitsi_server_url: str = Field(default="", sa_type=String(500))
    entra_tenant_id: str = Field(default="", sa_type=String(64))
    entra_client_id: str = Field(default="", sa_type=String(64))
    entra_client_secret_sealed: str = Field(default="", sa_type=String(1000))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Service(SQLModel, table=True):
    """A city service that holds video appointments (e.g. Energiecentrale)."""

    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    slug: str = Field(sa_type=String(64))
    name: LocalisedText = Field(sa_column=_text_column())
    description: LocalisedText = Field(sa_column=_text_column())
    live_from: date
    appointment_minutes: int = Field(default=30, ge=5, le=480)
    buffer_minutes: int = Field(default=0, ge=0, le=240)
    min_notice_minutes: int = Field(default=120, ge=0)
    horizon_days: int = Field(default=42, ge=1, le=366)
    active: bool = True
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Topic(SQLModel, table=True):
    """What a citizen wants to discuss within a service, with its channel rule."""

    __table_args__ = (UniqueConstraint("service_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    slug: str = Field(sa_type=String(64))
    name: LocalisedText = Field(sa_column=_text_column())
    channel_rule: ChannelRule = Field(default=ChannelRule.VIDEO, sa_type=String(32))
    channel_reason: LocalisedText = Field(sa_column=_text_column())
    preparation: LocalisedText = Field(sa_column=_text_column())
    # The documents the citizen is asked to bring to the call, each as text per language.
    documents_requested: list[LocalisedText] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, default=list, server_default="[]"),
    )
    identification_level: IdentificationLevel = Field(
        default=IdentificationLevel.NONE, sa_type=String(16)
    )
    active: bool = True
    sort_order: int = 0


class CacheVersion(SQLModel, table=True):
    """A counter per cached set of rows, raised in the transaction that changes them.

    Every app process keeps the catalogue in memory and reloads it when this number moved.
    """

    name: str = Field(sa_type=String(40), primary_key=True)
    version: int = 0


class StaffMember(SQLModel, table=True):
    """A person who works with the Digitale Balie: counsellor, agent, manager or admin."""

    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    display_name: str = Field(sa_type=String(200))
    email: str = Field(sa_type=String(254))
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    entra_tenant_id: str | None = Field(default=None, sa_type=String(64))
    entra_object_id: str | None = Field(default=None, sa_type=String(64), unique=True)
    password_hash: str | None = Field(default=None, sa_type=String(255))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffService(SQLModel, table=True):
    """Which staff member serves which service."""

    staff_id: int = Field(foreign_key="staffmember.id", primary_key=True, ondelete="CASCADE")
    service_id: int = Field(foreign_key="service.id", primary_key=True, ondelete="CASCADE")


class OpeningHours(SQLModel, table=True):
    """A weekly time window in which a staff member takes appointments for a service.

    Times are wall-clock times in the organisation's time zone.
    """

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staffmember.id", index=True, ondelete="CASCADE")
    service_id: int = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start_time: time
    end_time: time
    valid_from: date | None = None
    valid_until: date | None = None


class AvailabilityException(SQLModel, table=True):
    """A period without appointments: one staff member's leave, or a closure of the organisation."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    staff_id: int | None = Field(
        default=None, foreign_key="staffmember.id", index=True, ondelete="CASCADE"
    )
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(default="", sa_type=String(200))


class Appointment(SQLModel, table=True):
    """A booked video call between a citizen and a staff member.

    The database refuses two active (not cancelled) appointments of one staff member whose
    time ``[start_at, busy_until)`` overlaps; ``busy_until`` is the end plus the service's buffer.
    """

    __table_args__ = (Index("ix_appointment_staff_time", "staff_id", "start_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_type=String(16), unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    staff_id: int = Field(foreign_key="staffmember.id")
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)
    busy_until: datetime = Field(sa_type=UTCDateTime)
    status: AppointmentStatus = Field(
        default=AppointmentStatus.BOOKED, sa_type=String(16), index=True
    )
    channel: BookingChannel = Field(default=BookingChannel.WEB, sa_type=String(20))
    citizen_name: str | None = Field(default=None, sa_type=String(200))
    citizen_email: str | None = Field(default=None, sa_type=String(254))
    citizen_phone: str | None = Field(default=None, sa_type=String(40))
    language: str = Field(default="nl", sa_type=String(8))
    question: str | None = Field(default=None, sa_type=String(1000))
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    manage_token_hash: str = Field(sa_type=String(128), unique=True)
    # SHA-256 of "<organisation id>:<Idempotency-Key>" and of the canonical request; both are
    # cleared 24 hours after the booking, when the key may be used again.
    idempotency_key: str | None = Field(default=None, sa_type=String(128), unique=True)
    idempotency_request_hash: str | None = Field(default=None, sa_type=String(64))
    meeting_provider: str = Field(default="jitsi", sa_type=String(32))
    meeting_external_id: str | None = Field(default=None, sa_type=String(512))
    join_url: str | None = Field(default=None, sa_type=String(2000))
    meeting_state: MeetingState = Field(default=MeetingState.PENDING, sa_type=String(16))
    cancel_reason: str | None = Field(default=None, sa_type=String(500))
    outcome: Outcome | None = Field(default=None, sa_type=String(16))
    staff_note: str | None = Field(default=None, sa_type=String(2000))
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    calendar_sequence: int = Field(default=0, description="iCalendar SEQUENCE; grows on changes")
    feedback_score: int | None = Field(default=None, ge=1, le=5)
    feedback_comment: str | None = Field(default=None, sa_type=String(1000))
    feedback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_demo: bool = Field(default=False, description="Made up by the demo data, never real")
    # The verified identity (OpenID Connect sign-in), never the ID token. By default only a
    # keyed hash of the national register number; the number itself only when the city is
    # authorised (settings.identity_store_national_number). Erased by the retention job.
    identity_level: str | None = Field(default=None, sa_type=String(16))
    identity_method: str | None = Field(default=None, sa_type=String(40))
    identity_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    identity_name: str | None = Field(default=None, sa_type=String(200))
    identity_birth_date: str | None = Field(default=None, sa_type=String(10))
    identity_number_hash: str | None = Field(default=None, sa_type=String(64))
    identity_number: str | None = Field(default=None, sa_type=String(16))
    identity_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    identity_confirmed_by: int | None = None  # staff id; no foreign key (erasable rows)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentStatus(StrEnum):
    """Where an exchanged document is: waiting for the virus scan, or checked and available."""

    QUARANTINE = "quarantine"
    CLEAN = "clean"


class Document(SQLModel, table=True):
    """A document exchanged for an appointment; the bytes are on disk, encrypted (AES-GCM).

    Only a document with status ``clean`` (scanned, type checked) can be downloaded.
    """

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    storage_name: str = Field(sa_type=String(64), unique=True)
    filename: str = Field(sa_type=String(120))
    content_type: str = Field(default="", sa_type=String(64))
    size: int = 0
    status: DocumentStatus = Field(default=DocumentStatus.QUARANTINE, sa_type=String(16))
    # Who uploaded it: the citizen (None) or this staff member.
    staff_id: int | None = Field(default=None, foreign_key="staffmember.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    scanned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in staff browser: the cookie holds a random token, the table only its hash."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    staff_id: int = Field(foreign_key="staffmember.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Last activity, for the idle timeout (updated at most once a minute, not on every event).
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInAttempt(SQLModel, table=True):
    """A sign-in attempt (never the password), for rate limiting and the security log."""

    __table_args__ = (
        Index("ix_signinattempt_email_at", "email", "at"),
        Index("ix_signinattempt_client_ip_at", "client_ip", "at"),
        Index("ix_signinattempt_network_at", "network", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254))
    client_ip: str = Field(default="", sa_type=String(64))
    network: str = Field(default="", sa_type=String(64))  # /24 or /56 of client_ip
    succeeded: bool = False
    # Refused by throttling without checking the password (not counted as a failure).
    throttled: bool = False
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInFlow(SQLModel, table=True):
    """A Microsoft sign-in under way: msal's auth-code flow (state, nonce, PKCE verifier).

    The browser only holds a random id in an HttpOnly cookie; the flow stays on the server.
    """

    id: int | None = Field(default=None, primary_key=True)
    cookie_hash: str = Field(sa_type=String(64), unique=True)
    flow: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class CitizenSignIn(SQLModel, table=True):
    """A citizen's OpenID Connect sign-in: first under way, then its verified identity.

    The browser holds a random value in an HttpOnly cookie; only its hash is stored. While under
    way the row keeps state, nonce and the PKCE verifier (used once); once verified, those are
    cleared and the verified person is kept until the row expires. Never the ID token.
    """

    id: int | None = Field(default=None, primary_key=True)
    cookie_hash: str = Field(sa_type=String(64), unique=True)
    state: str | None = Field(default=None, sa_type=String(128))
    nonce: str | None = Field(default=None, sa_type=String(128))
    code_verifier: str | None = Field(default=None, sa_type=String(128))
    required_level: str = Field(default="substantial", sa_type=String(16))
    return_path: str = Field(default="/boeken", sa_type=String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    level: str | None = Field(default=None, sa_type=String(16))
    method: str | None = Field(default=None, sa_type=String(40))
    name: str | None = Field(default=None, sa_type=String(200))
    birth_date: str | None = Field(default=None, sa_type=String(10))
    number_hash: str | None = Field(default=None, sa_type=String(64))
    number: str | None = Field(default=None, sa_type=String(16))
    email: str | None = Field(default=None, sa_type=String(254))


class AuditEntry(SQLModel, table=True):
    """Who did what, when: staff actions on appointments, hours, the catalogue, bulk reads."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staffmember.id", index=True)
    action: str = Field(sa_type=String(64))
    target_type: str = Field(default="", sa_type=String(32))
    target_id: int | None = None
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class MailSuppression(SQLModel, table=True):
    """An e-mail address that gets no more mail: a keyed hash of it, never the address."""

    id: int | None = Field(default=None, primary_key=True)
    address_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JobState(StrEnum):
    """Where a background job is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    """What a background job does; every kind has a handler its domain registers in jobs."""

    MEETING_CREATE = "meeting.create"
    MEETING_UPDATE = "meeting.update"
    MEETING_CANCEL = "meeting.cancel"
    MAIL_CONFIRMATION = "mail.confirmation"
    MAIL_CHANGE = "mail.change"
    MAIL_CANCELLATION = "mail.cancellation"
    MAIL_REMINDER = "mail.reminder"
    MAIL_SURVEY = "mail.survey"


class Job(SQLModel, table=True):
    """A unit of background work (make a meeting, send an e-mail, …): the outbox.

    Booking writes the appointment and its jobs in one transaction, so no work is lost when a
    process dies; ``dedupe_key`` makes enqueueing the same work twice harmless.
    """

    __table_args__ = (Index("ix_job_due", "state", "run_after"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(40))  # a JobKind
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    dedupe_key: str = Field(sa_type=String(120), unique=True)
    state: JobState = Field(default=JobState.PENDING, sa_type=String(16))
    attempts: int = 0
    run_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=String(1000))
    error_code: str | None = Field(default=None, sa_type=String(80))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    request_id: str | None = Field(default=None, sa_type=String(64))  # the request that made it


class WorkerHeartbeat(SQLModel, table=True):
    """The last sign of life of one app instance's background worker (for /api/readyz)."""

    instance: str = Field(primary_key=True, sa_type=String(200))
    beat_at: datetime = Field(sa_type=UTCDateTime)


class RateEvent(SQLModel, table=True):
    """One hit of a rate limit kept in the database (when Redis is not configured)."""

    __table_args__ = (Index("ix_rateevent_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=String(200))
    at: float = Field(description="Unix time of the hit (the limits package counts in seconds)")
    expires_at: float = Field(index=True)


class UsedChallenge(SQLModel, table=True):
    """A proof-of-work solution already used; kept until its challenge expires."""

    id: int | None = Field(default=None, primary_key=True)
    signature: str = Field(sa_type=String(128), unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class ApiKey(SQLModel, table=True):
    """A partner's key for the booking API: its own hourly limit instead of proof-of-work."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    key_hash: str = Field(sa_type=String(64), unique=True)
    prefix: str = Field(sa_type=String(16), description="First characters, to recognise a key")
    name: str = Field(sa_type=String(120))
    partner: str = Field(default="", sa_type=String(200))
    bookings_per_hour: int = Field(default=60, ge=1)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The overlap rule lives in the database so that no code path (wizard, API, staff screens,
# a second worker) can double-book. PostgreSQL: an exclusion constraint; SQLite: triggers.
OVERLAP_GUARD_POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE appointment ADD CONSTRAINT appointment_no_overlap EXCLUDE USING gist "
    "(staff_id WITH =, tstzrange(start_at, busy_until, '[)') WITH &&) "
    "WHERE (status <> 'cancelled')",
]
_SQLITE_OVERLAP_CHECK = (
    "SELECT RAISE(ABORT, 'appointment_no_overlap') WHERE EXISTS ("
    "SELECT 1 FROM appointment AS other WHERE other.staff_id = NEW.staff_id "
    "AND other.id IS NOT NEW.id AND other.status <> 'cancelled' "
    "AND other.start_at < NEW.busy_until AND NEW.start_at < other.busy_until);"
)
OVERLAP_GUARD_SQLITE = [
    "CREATE TRIGGER appointment_no_overlap_insert BEFORE INSERT ON appointment "
    f"WHEN NEW.status <> 'cancelled' BEGIN {_SQLITE_OVERLAP_CHECK} END",
    "CREATE TRIGGER appointment_no_overlap_update "
    "BEFORE UPDATE OF staff_id, start_at, busy_until, status ON appointment "
    f"WHEN NEW.status <> 'cancelled' BEGIN {_SQLITE_OVERLAP_CHECK} END",
]
OVERLAP_GUARD_DROP = {
    "postgresql": ["ALTER TABLE appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap"],
    "sqlite": [
        "DROP TRIGGER IF EXISTS appointment_no_overlap_insert",
        "DROP TRIGGER IF EXISTS appointment_no_overlap_update",
    ],
}
OVERLAP_GUARD = {"postgresql": OVERLAP_GUARD_POSTGRESQL, "sqlite": OVERLAP_GUARD_SQLITE}

for _dialect, _statements in OVERLAP_GUARD.items():
    for _statement in _statements:
        event.listen(
            Appointment.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
