"""Staff accounts with a local password, sign-in with throttling, sessions, roles and audit.

Passwords are stored as argon2id hashes; a browser session is a random token of which the
database keeps only the SHA-256 hash. Sign-in is throttled without ever locking the owner out:
an account gets growing delays after a few failures (a correct password after the delay works),
and client addresses and networks get a cap on failures. Pure Python without Reflex, so pages,
commands and tests share it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import AuditEntry, Role, SignInAttempt, StaffMember, StaffService, StaffSession
from balie.services.client_address import network_of
from balie.services.validation import check_email, check_name

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=10)
IDLE_TIMEOUT = timedelta(minutes=30)  # default of BALIE_STAFF_IDLE_MINUTES
TOUCH_INTERVAL = timedelta(minutes=1)  # last_seen_at is written at most this often
FREE_FAILURES = 3  # failures of an account before its delays start
MAX_DELAY = timedelta(minutes=5)
ACCOUNT_WINDOW = timedelta(hours=1)  # failures older than this no longer count for the delay
LIMIT_WINDOW = timedelta(minutes=10)  # window of the limits per address and network
SPRAY_ACCOUNTS = 5  # distinct accounts failed from one address (or 2x from a network) = spray
SPRAY_ACTION = "sign_in_spray"
PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # hashing megabytes of "password" on every attempt would be a cheap attack
TOKEN_MAX = 128
EMAIL_MAX = 254
IP_MAX = 64
SESSION_COOKIE = "balie_staff"  # the HttpOnly cookie that holds the session token

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


@dataclass(frozen=True)
class SignInLimits:
    """Failed attempts allowed per client address and per network within LIMIT_WINDOW."""

    per_address: int = 20
    per_network: int = 100


class SignInRefused(Exception):
    """Sign-in refused: ``reason`` "invalid" or "rate_limited" (then ``wait_seconds``).

    Never says whether the e-mail address exists.
    """

    def __init__(self, reason: str, wait_seconds: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_seconds = wait_seconds


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random password, verified against when no account exists (same timing)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; takes about as long when there is no hash at all."""
    if not isinstance(password, str) or len(password) > PASSWORD_MAX:
        return False
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> str | None:
    """An error key when the password is too weak (or absurdly long); None when it is fine."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        return "error_password_too_short"
    if len(password) > PASSWORD_MAX:
        return "error_password_too_long"
    return None


def _printable(value: object, limit: int) -> str:
    """``value`` without control characters (PostgreSQL refuses NUL), trimmed and cut to size."""
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C").strip()[:limit]


def _email_key(email: object) -> str:
    """The form of an e-mail address used for look-ups and rate limiting: trimmed, lower case."""
    return _printable(email, EMAIL_MAX).lower()


def check_roles(roles: Iterable[str]) -> list[str]:
    """The roles without duplicates, or ValueError naming the unknown ones."""
    known = [role.value for role in Role]
    wanted = list(dict.fromkeys(roles))
    unknown = [role for role in wanted if role not in known]
    if unknown:
        raise ValueError(
            f"Unknown role(s): {', '.join(map(str, unknown))}; choose from {', '.join(known)}."
        )
    if not wanted:
        raise ValueError("A staff member needs at least one role.")
    return wanted


def find_staff_by_email(session: Session, organisation_id: int, email: str) -> StaffMember | None:
    """The organisation's staff member with this e-mail address (case-insensitive), if any."""
    return session.exec(
        select(StaffMember).where(
            StaffMember.organisation_id == organisation_id,
            func.lower(StaffMember.email) == _email_key(email),
        )
    ).first()


def create_local_account(
    session: Session,
    organisation_id: int,
    email: str,
    display_name: str,
    roles: list[str],
    password: str,
    *,
    service_ids: Iterable[int] = (),
) -> StaffMember:
    """Create a staff member who signs in with a password (linked to ``service_ids``); commits."""
    clean_email, email_error = check_email(email)
    if email_error:
        raise ValueError(f"Invalid e-mail address: {email!r}.")
    name, name_error = check_name(display_name)
    if name_error:
        raise ValueError("The name must be between 2 and 200 characters.")
    wanted_roles = check_roles(roles)
    weak = check_password_strength(password)
    if weak:
        raise ValueError(f"The password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters.")
    duplicate = ValueError(f"A staff member with e-mail {clean_email} already exists.")
    if find_staff_by_email(session, organisation_id, clean_email) is not None:
        raise duplicate
    staff = StaffMember(
        organisation_id=organisation_id,
        email=clean_email,
        display_name=name,
        roles=wanted_roles,
        password_hash=hash_password(password),
    )
    session.add(staff)
    try:
        session.flush()
        for service_id in dict.fromkeys(service_ids):
            session.add(StaffService(staff_id=staff.id, service_id=service_id))
        session.commit()
    except IntegrityError as problem:  # a concurrent create with the same address
        session.rollback()
        raise duplicate from problem
    return staff


def set_password(session: Session, staff: StaffMember, password: str, now: datetime) -> int:
    """Give ``staff`` a new password and end their open sessions; commits; returns how many."""
    if check_password_strength(password):
        raise ValueError(f"The password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters.")
    staff.password_hash = hash_password(password)
    session.add(staff)
    open_sessions = session.exec(
        select(StaffSession).where(
            StaffSession.staff_id == staff.id,
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > now,
        )
    ).all()
    for row in open_sessions:
        row.revoked_at = now
        session.add(row)
    session.commit()
    return len(open_sessions)


def _failures(session: Session, column: object, value: str, since: datetime, now: datetime):
    """The failed (checked, not throttled) attempts where ``column`` is ``value``, oldest first."""
    return session.exec(
        select(SignInAttempt.at)
        .where(
            column == value,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.throttled.is_(False),
            SignInAttempt.at > since,
            SignInAttempt.at <= now,
        )
        .order_by(SignInAttempt.at)
    ).all()


def account_delay(failures: int) -> timedelta:
    """How long after its last failure an account with ``failures`` in a row may try again."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2**failures), MAX_DELAY)


def _account_wait(session: Session, email_key: str, now: datetime) -> timedelta:
    """The wait before this account may be tried again: growing with failures since success."""
    last_success = session.exec(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email == email_key,
            SignInAttempt.succeeded.is_(True),
            SignInAttempt.at <= now,
        )
    ).one()
    since = now - ACCOUNT_WINDOW
    if last_success is not None and last_success > since:
        since = last_success
    failed = _failures(session, SignInAttempt.email, email_key, since, now)
    if not failed:
        return timedelta(0)
    return failed[-1] + account_delay(len(failed)) - now


def _limit_wait(
    session: Session, column: object, value: str, limit: int, now: datetime
) -> timedelta:
    """The wait until ``value`` (an address or network) is under ``limit`` failures again."""
    if not value:
        return timedelta(0)
    failed = _failures(session, column, value, now - LIMIT_WINDOW, now)
    if len(failed) < limit:
        return timedelta(0)
    return failed[len(failed) - limit] + LIMIT_WINDOW - now


def _wait_before_attempt(
    session: Session, key: str, ip: str, network: str, limits: SignInLimits, now: datetime
) -> timedelta:
    """The longest wait of the address, network and account limits (zero: may try now)."""
    return max(
        _limit_wait(session, SignInAttempt.client_ip, ip, limits.per_address, now),
        _limit_wait(session, SignInAttempt.network, network, limits.per_network, now),
        _account_wait(session, key, now) if key else timedelta(0),
    )


def _accounts_tried(session: Session, column: object, value: str, now: datetime) -> int:
    """Distinct accounts with failed attempts from ``value`` within LIMIT_WINDOW."""
    return session.exec(
        select(func.count(func.distinct(SignInAttempt.email))).where(
            column == value,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at > now - LIMIT_WINDOW,
            SignInAttempt.at <= now,
        )
    ).one()


def _audit_spray(
    session: Session, ip: str, network: str, organisation_id: int | None, now: datetime
) -> None:
    """Write one audit entry per window when many accounts are tried from one address/network."""
    if organisation_id is None:
        return
    for kind, column, value, threshold in (
        ("address", SignInAttempt.client_ip, ip, SPRAY_ACCOUNTS),
        ("network", SignInAttempt.network, network, 2 * SPRAY_ACCOUNTS),
    ):
        if not value or _accounts_tried(session, column, value, now) < threshold:
            continue
        recent = session.exec(
            select(AuditEntry.detail).where(
                AuditEntry.action == SPRAY_ACTION,
                AuditEntry.organisation_id == organisation_id,
                AuditEntry.at > now - LIMIT_WINDOW,
            )
        ).all()
        if any(detail.get(kind) == value for detail in recent):
            continue
        log.warning("staff sign-in spray from %s %r", kind, value)
        audit(
            session,
            None,
            SPRAY_ACTION,
            "sign_in",
            organisation_id=organisation_id,
            at=now,
            kind=kind,
            **{kind: value},
            accounts=_accounts_tried(session, column, value, now),
        )


def _matching_staff(session: Session, email_key: str, password: str) -> StaffMember | None:
    """The staff member with this address whose password matches (any organisation), if any."""
    candidates = session.exec(
        select(StaffMember)
        .where(func.lower(StaffMember.email) == email_key, StaffMember.password_hash.is_not(None))
        .order_by(StaffMember.id)
    ).all()
    if not candidates:
        verify_password(None, password)
        return None
    return next((s for s in candidates if verify_password(s.password_hash, password)), None)


def _rehash_if_needed(session: Session, staff: StaffMember, password: str) -> None:
    """Store a fresh hash when the library's recommended parameters have changed."""
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        session.add(staff)


def sign_in_local(
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    now: datetime,
    *,
    limits: SignInLimits = SignInLimits(),
    organisation_id: int | None = None,
) -> tuple[StaffMember, str]:
    """Check e-mail and password; the staff member and a new session token, or SignInRefused.

    Every attempt is recorded (without the password). One inside a wait (account delay, too many
    failures from the address or network) is refused without checking the password and recorded
    as throttled, so it neither counts as a failure nor extends the wait.
    """
    key = _email_key(email)
    ip = _printable(client_ip, IP_MAX)
    network = network_of(ip) if ip else ""
    wait = _wait_before_attempt(session, key, ip, network, limits, now)
    if wait > timedelta(0):
        session.add(SignInAttempt(email=key, client_ip=ip, network=network, throttled=True, at=now))
        session.commit()
        log.warning("staff sign-in throttled for %r from %r (%s)", key, ip, wait)
        raise SignInRefused("rate_limited", max(1, math.ceil(wait.total_seconds())))
    staff = _matching_staff(session, key, password) if key else None
    succeeded = staff is not None and staff.active
    session.add(
        SignInAttempt(email=key, client_ip=ip, network=network, succeeded=succeeded, at=now)
    )
    if not succeeded:
        session.flush()
        _audit_spray(session, ip, network, organisation_id, now)
        session.commit()
        log.warning("staff sign-in failed for %r from %r", key, ip)
        raise SignInRefused("invalid")
    _rehash_if_needed(session, staff, password)
    return staff, start_session(session, staff, now)


def throttle_report(
    session: Session, organisation_id: int, now: datetime, since: timedelta = timedelta(days=1)
) -> tuple[list[AuditEntry], list[tuple[str, int, datetime]]]:
    """For administrators: recent spray audits, and addresses refused by throttling.

    The second list holds (client address, refused attempts, last refusal), most refused first.
    """
    sprays = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.organisation_id == organisation_id,
            AuditEntry.action == SPRAY_ACTION,
            AuditEntry.at > now - since,
        )
        .order_by(AuditEntry.at.desc())
        .limit(50)
    ).all()
    throttled = session.exec(
        select(SignInAttempt.client_ip, func.count(), func.max(SignInAttempt.at))
        .where(SignInAttempt.throttled.is_(True), SignInAttempt.at > now - since)
        .group_by(SignInAttempt.client_ip)
        .order_by(func.count().desc(), SignInAttempt.client_ip)
        .limit(50)
    ).all()
    return list(sprays), [(ip, count, last) for ip, count, last in throttled]


def _token_hash(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, staff: StaffMember, now: datetime) -> str:
    """Open a session for ``staff``; commits; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
        )
    )
    session.commit()
    return token


def _session_row(session: Session, token: object) -> StaffSession | None:
    """The session row of a plausible token, if any."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    return session.exec(
        select(StaffSession).where(StaffSession.token_hash == _token_hash(token))
    ).first()


def _live(row: StaffSession | None, now: datetime, idle: timedelta) -> bool:
    """Whether a session row is neither revoked, past its maximum, nor idle too long."""
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return False
    return (row.last_seen_at or row.created_at) + idle > now


def staff_for_token(
    session: Session, token: str | None, now: datetime, idle: timedelta = IDLE_TIMEOUT
) -> StaffMember | None:
    """The active staff member of a live session; None for anything else."""
    row = _session_row(session, token)
    if not _live(row, now, idle):
        return None
    staff = session.get(StaffMember, row.staff_id)
    return staff if staff is not None and staff.active else None


def session_key(token: str | None) -> str:
    """What a staff state remembers of the session it loaded data for (never the token)."""
    return _token_hash(token) if isinstance(token, str) and token else ""


def check_session(
    session: Session, token: str | None, now: datetime, idle: timedelta, *, touch: bool
) -> bool:
    """Whether the session of ``token`` is live (and its staff member active).

    With ``touch`` this counts as activity: last_seen_at moves on, at most once per
    TOUCH_INTERVAL so that not every event writes; commits only then.
    """
    if staff_for_token(session, token, now, idle) is None:
        return False
    row = _session_row(session, token)
    if touch and (row.last_seen_at or row.created_at) + TOUCH_INTERVAL <= now:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return True


def end_session(session: Session, token: str | None, now: datetime) -> None:
    """Sign out: revoke the session of this token (nothing happens for unknown tokens)."""
    row = _session_row(session, token)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    session.add(row)
    session.commit()


def has_role(staff: StaffMember | None, *roles: str) -> bool:
    """Whether ``staff`` is active and has at least one of ``roles``."""
    return staff is not None and staff.active and any(role in staff.roles for role in roles)


def require_role(staff: StaffMember | None, *roles: str) -> StaffMember:
    """``staff`` when they have one of ``roles``; PermissionError otherwise."""
    if not has_role(staff, *roles):
        raise PermissionError(f"needs one of the roles: {', '.join(roles)}")
    return staff


def audit(
    session: Session,
    staff: StaffMember | None,
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    *,
    organisation_id: int | None = None,
    at: datetime | None = None,
    **detail: object,
) -> None:
    """Add an audit entry to the caller's transaction (no commit); ``detail`` must be JSON."""
    organisation_id = organisation_id or (staff.organisation_id if staff else None)
    if organisation_id is None:
        raise ValueError("an audit entry without a staff member needs organisation_id")
    session.add(
        AuditEntry(
            organisation_id=organisation_id,
            staff_id=staff.id if staff else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            at=at or utcnow(),
        )
    )
