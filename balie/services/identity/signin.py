"""A citizen's sign-in, stored on the server and bound to the browser by an HttpOnly cookie.

``start`` keeps state, nonce and the PKCE verifier in a ``CitizenSignIn`` row keyed by the hash
of a random cookie value; ``finish`` takes that row once, checks the provider's answer, maps the
claims and keeps only the verified person (a keyed hash of the national register number unless
the city may store the number) under a new cookie value. Pure Python without Reflex.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.cookies import CookieError, SimpleCookie
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from balie.models import CitizenSignIn, IdentificationLevel
from balie.services.identity import levels
from balie.services.identity.oidc import IdentityRefused, ProviderClient
from balie.settings import Settings

COOKIE = "balie_identity"
FLOW_LIFETIME = timedelta(minutes=10)
IDENTITY_LIFETIME = timedelta(minutes=30)
COOKIE_MAX = 128
PARAM_MAX = 4096
NAME_MAX = 200

# Why a sign-in was refused; the wizard explains each one (balie/texts/identity.py).
REFUSALS = (
    "identity_off",  # no provider configured
    "identity_expired",  # unknown, used, or older than 10 minutes
    "identity_cancelled",  # the citizen stopped at the provider
    "identity_failed",  # the provider's answer did not check out (nonce, signature, aud, exp)
    "identity_level",  # signed in at a lower level than the topic needs
    "identity_claims",  # the provider did not give the name (or another needed claim)
    "identity_unavailable",  # the provider could not be reached
)


class SignInRefused(IdentityRefused):
    """A refusal that knows where the citizen was (to send them back there)."""

    def __init__(self, reason: str, return_path: str = "", detail: str = "") -> None:
        super().__init__(reason, detail)
        self.return_path = return_path


@dataclass(frozen=True)
class StartedSignIn:
    """Where to send the browser and the value of its cookie."""

    url: str
    cookie_value: str


@dataclass(frozen=True)
class VerifiedPerson:
    """What the provider vouched for, as the booking keeps it (never the ID token)."""

    level: str
    method: str
    verified_at: datetime
    name: str
    birth_date: str | None
    number_hash: str | None
    number: str | None
    email: str | None


def cookie_hash(value: str | None) -> str:
    """The stored form of the cookie value."""
    return hashlib.sha256((value or "").encode()).hexdigest()


def number_hash(number: str, settings: Settings) -> str:
    """Keyed hash (HMAC-SHA-256) of a national register number: recognises, never reveals."""
    key = settings.identity_hash_key.get_secret_value() or (
        "identity:" + settings.secret_key.get_secret_value()
    )
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


def cookie_from_header(header: str | None) -> str:
    """This browser's sign-in cookie from a Cookie header ("" when absent or unreadable)."""
    try:
        jar = SimpleCookie(header or "")
    except CookieError:
        return ""
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else ""


def mask_number(number: str | None) -> str:
    """A national register number shown masked: only its last two digits."""
    if not number:
        return ""
    return "•" * max(len(number) - 2, 0) + number[-2:]


def start(
    session: Session,
    settings: Settings,
    client: ProviderClient,
    *,
    level: str,
    return_path: str,
    redirect_uri: str,
    language: str,
    now: datetime,
) -> StartedSignIn:
    """Store a new sign-in under way and build the provider's authorization URL."""
    if not settings.identification_configured:
        raise SignInRefused("identity_off", return_path)
    session.exec(delete(CitizenSignIn).where(CitizenSignIn.expires_at < now))
    request = client.authorization_request(
        settings, redirect_uri, levels.acr_values_for(level, settings), language
    )
    cookie_value = secrets.token_urlsafe(32)
    session.add(
        CitizenSignIn(
            cookie_hash=cookie_hash(cookie_value),
            state=request.state,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            required_level=level,
            return_path=return_path,
            created_at=now,
            expires_at=now + FLOW_LIFETIME,
        )
    )
    session.commit()
    return StartedSignIn(url=request.url, cookie_value=cookie_value)


def _take_flow(session: Session, cookie_value: str | None, now: datetime) -> CitizenSignIn:
    """The sign-in under way for this cookie, removed so that it is used once."""
    if not cookie_value or len(cookie_value) > COOKIE_MAX:
        raise SignInRefused("identity_expired")
    flow = session.exec(
        select(CitizenSignIn).where(
            CitizenSignIn.cookie_hash == cookie_hash(cookie_value),
            CitizenSignIn.verified_at.is_(None),
        )
    ).first()
    if flow is None:
        raise SignInRefused("identity_expired")
    session.delete(flow)
    session.commit()
    if flow.expires_at < now or not flow.state:
        raise SignInRefused("identity_expired", flow.return_path)
    return flow


def finish(
    session: Session,
    settings: Settings,
    client: ProviderClient,
    cookie_value: str | None,
    params: dict[str, str],
    *,
    redirect_uri: str,
    now: datetime,
) -> tuple[str, CitizenSignIn]:
    """Check the provider's answer; the new cookie value and the verified sign-in row."""
    flow = _take_flow(session, cookie_value, now)
    back = flow.return_path
    if any(len(value) > PARAM_MAX for value in params.values()):
        raise SignInRefused("identity_failed", back, "parameter too long")
    if not hmac.compare_digest(params.get("state", ""), flow.state or ""):
        raise SignInRefused("identity_failed", back, "state")
    if params.get("error"):
        reason = "identity_cancelled" if params["error"] == "access_denied" else "identity_failed"
        raise SignInRefused(reason, back, params["error"][:80])
    if not params.get("code"):
        raise SignInRefused("identity_failed", back, "no code")
    try:
        tokens = client.redeem(settings, params["code"], flow.code_verifier or "", redirect_uri)
        claims = client.verify_id_token(
            tokens.id_token, settings.identity_client_id, flow.nonce or ""
        )
        if settings.identity_userinfo:
            # FAS gives the national register number (and more) only at userinfo; the ID
            # token's own claims win where both have one.
            extra = client.userinfo(tokens.access_token, claims["sub"])
            claims = {**extra, **claims}
    except SignInRefused:
        raise
    except IdentityRefused as refused:
        raise SignInRefused(refused.reason, back, refused.detail) from None
    del tokens  # never kept
    person = person_from_claims(claims, settings, flow.required_level, now, back)
    new_cookie = secrets.token_urlsafe(32)
    verified = CitizenSignIn(
        cookie_hash=cookie_hash(new_cookie),
        required_level=flow.required_level,
        return_path=back,
        created_at=now,
        expires_at=now + IDENTITY_LIFETIME,
        verified_at=person.verified_at,
        level=person.level,
        method=person.method,
        name=person.name,
        birth_date=person.birth_date,
        number_hash=person.number_hash,
        number=person.number,
        email=person.email,
    )
    session.add(verified)
    session.commit()
    return new_cookie, verified


def _text_claim(claims: dict[str, Any], name: str) -> str:
    """A claim as a trimmed string (empty when absent or not text)."""
    value = claims.get(name) if name else None
    return value.strip() if isinstance(value, str) else ""


def _method(claims: dict[str, Any], settings: Settings) -> str:
    """How the citizen signed in (itsme, eID, …): the method claim, else the provider name."""
    value = claims.get(settings.identity_claim_method) if settings.identity_claim_method else None
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    if isinstance(value, str) and value.strip():
        return value.strip()[:40]
    return settings.identity_provider_name[:40]


def person_from_claims(
    claims: dict[str, Any], settings: Settings, required: str, now: datetime, back: str = ""
) -> VerifiedPerson:
    """The verified person from the ID token's claims, or SignInRefused saying what is wrong."""
    level = levels.level_of_acr(claims.get("acr"), settings)
    if level is IdentificationLevel.NONE or not levels.reaches(level, required):
        raise SignInRefused("identity_level", back, f"acr {str(claims.get('acr'))[:80]}")
    name = _text_claim(claims, settings.identity_claim_name)
    if not name:
        given = _text_claim(claims, settings.identity_claim_given_name)
        family = _text_claim(claims, settings.identity_claim_family_name)
        name = f"{given} {family}".strip()
    if not name:
        raise SignInRefused("identity_claims", back, "no name")
    birth_date: str | None = None
    if settings.identity_claim_birth_date:
        birth_date = _text_claim(claims, settings.identity_claim_birth_date) or None
        if birth_date is not None:
            try:
                birth_date = date.fromisoformat(birth_date[:10]).isoformat()
            except ValueError:
                raise SignInRefused("identity_claims", back, "birth date unreadable") from None
    number: str | None = None
    if settings.identity_claim_national_number:
        raw = _text_claim(claims, settings.identity_claim_national_number)
        number = re.sub(r"\D", "", raw)
        if len(number) != 11:
            raise SignInRefused("identity_claims", back, "no national register number")
    email = _text_claim(claims, settings.identity_claim_email)[:254] or None
    return VerifiedPerson(
        level=level.value,
        method=_method(claims, settings),
        verified_at=now,
        name=name[:NAME_MAX],
        birth_date=birth_date,
        number_hash=number_hash(number, settings) if number else None,
        number=number if number and settings.identity_store_national_number else None,
        email=email,
    )


def verified_for(
    session: Session, cookie_value: str | None, now: datetime
) -> VerifiedPerson | None:
    """The verified person behind this browser's cookie, while it is valid."""
    if not cookie_value or len(cookie_value) > COOKIE_MAX:
        return None
    row = session.exec(
        select(CitizenSignIn).where(
            CitizenSignIn.cookie_hash == cookie_hash(cookie_value),
            CitizenSignIn.verified_at.is_not(None),
            CitizenSignIn.expires_at >= now,
        )
    ).first()
    if row is None or not row.name or not row.level:
        return None
    return VerifiedPerson(
        level=row.level,
        method=row.method or "",
        verified_at=row.verified_at,
        name=row.name,
        birth_date=row.birth_date,
        number_hash=row.number_hash,
        number=row.number,
        email=row.email,
    )


def forget(session: Session, cookie_value: str | None) -> None:
    """End this browser's verified sign-in (after booking, or when the citizen signs out)."""
    if cookie_value:
        session.exec(
            delete(CitizenSignIn).where(CitizenSignIn.cookie_hash == cookie_hash(cookie_value))
        )
        session.commit()


def erase_expired(session: Session, now: datetime) -> int:
    """Delete sign-ins (under way or verified) that have expired; the count."""
    result = session.exec(delete(CitizenSignIn).where(CitizenSignIn.expires_at < now))
    session.commit()
    return result.rowcount
