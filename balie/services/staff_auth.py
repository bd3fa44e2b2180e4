"""Staff accounts with a local password, sign-in with rate limiting, sessions, roles and audit.

Passwords are stored as argon2id hashes; a browser session is a random token of which the
database keeps only the SHA-256 hash. Pure Python without Reflex, so pages, commands and tests
share it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import AuditEntry, Role, SignInAttempt, StaffMember, StaffService, StaffSession
from balie.services.validation import check_email, check_name

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=10)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # hashing megabytes of "password" on every attempt would be a cheap attack
TOKEN_MAX = 128
EMAIL_MAX = 254
IP_MAX = 64
SESSION_COOKIE = "balie_staff"  # the HttpOnly cookie that holds the session token

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


class SignInRefused(Exception):
    """Sign-in refused: ``reason`` "invalid" or "rate_limited"; never says if the e-mail exists."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def _recent_failures(session: Session, email_key: str, now: datetime) -> int:
    """Failed attempts for this address within the failure window."""
    return session.exec(
        select(func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.email == email_key,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at > now - FAILURE_WINDOW,
            SignInAttempt.at <= now,
        )
    ).one()


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
    session: Session, email: str, password: str, client_ip: str, now: datetime
) -> tuple[StaffMember, str]:
    """Check e-mail and password; the staff member and a new session token, or SignInRefused.

    Every checked attempt is recorded (without the password). Attempts refused because of too
    many failures are only logged, so a lock-out ends FAILURE_WINDOW after the last real failure.
    """
    key = _email_key(email)
    ip = _printable(client_ip, IP_MAX)
    if _recent_failures(session, key, now) >= MAX_FAILURES:
        log.warning("staff sign-in refused (too many failures) for %r from %r", key, ip)
        raise SignInRefused("rate_limited")
    staff = _matching_staff(session, key, password) if key else None
    succeeded = staff is not None and staff.active
    session.add(SignInAttempt(email=key, client_ip=ip, succeeded=succeeded, at=now))
    if not succeeded:
        session.commit()
        log.warning("staff sign-in failed for %r from %r", key, ip)
        raise SignInRefused("invalid")
    _rehash_if_needed(session, staff, password)
    return staff, start_session(session, staff, now)


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


def staff_for_token(session: Session, token: str | None, now: datetime) -> StaffMember | None:
    """The active staff member of a live session; None for anything else."""
    row = _session_row(session, token)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    staff = session.get(StaffMember, row.staff_id)
    return staff if staff is not None and staff.active else None


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
