"""Staff sign-in with Microsoft Entra ID: msal's authorization-code flow with PKCE.

The flow (state, nonce, PKCE verifier) stays on the server in ``SignInFlow``, keyed by the
SHA-256 hash of a random value the browser keeps in a short-lived HttpOnly cookie; it is used
once and lives 10 minutes. msal checks ``state`` and ``nonce``; the ID token comes straight from
the token endpoint (graph-msal.md §3.3), so its signature is not checked, but its audience,
tenant and lifetime are. A staff member is found by the token's ``tid`` + ``oid`` only, never by
e-mail address (that can change and be reused), and their roles are replaced by the token's app
roles at every sign-in: Entra ID is the source of truth. Pure Python without Reflex.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import msal
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from balie.models import CITY_ROLES, SignInFlow, StaffMember
from balie.services.catalogue import get_organisation
from balie.services.meetings.interface import MeetingError
from balie.services.meetings.teams import DEFAULT_TIMEOUT, login_routing
from balie.services.staff import staff_auth
from balie.services.validation import check_email, check_name
from balie.settings import Settings

log = logging.getLogger(__name__)

# The answer comes back in the query string on purpose (see start_flow); msal >= 1.35 warns
# about every such flow, which would only fill the logs.
warnings.filterwarnings(
    "ignore", message="response_mode='form_post' is recommended", category=UserWarning
)

FLOW_COOKIE = "balie_entra_flow"  # HttpOnly cookie with the random id of the flow under way
FLOW_LIFETIME = timedelta(minutes=10)
CALLBACK_PATH = "/api/staff/entra/callback"
COOKIE_MAX = 128
PARAM_MAX = 4096  # longest query value accepted at the callback (codes are ~1-2 KB)
CLOCK_SKEW = timedelta(minutes=5)
ROLE_VALUES = CITY_ROLES  # a city's own tenant never grants the platform role

# Why the sign-in was refused; the sign-in page explains each one (balie/texts/entra.py).
REFUSALS = (
    "entra_off",  # Entra sign-in is not configured
    "entra_failed",  # Microsoft refused or the answer did not check out
    "entra_expired",  # the flow is unknown, used already or older than 10 minutes
    "wrong_tenant",  # an account of another organisation's tenant
    "no_role",  # no app role of this application
    "inactive",  # the staff member is deactivated here
    "account_conflict",  # the e-mail address or object id is already used by another account
    "unavailable",  # Entra ID could not be reached
)


class EntraRefused(Exception):
    """Sign-in refused for ``reason`` (one of REFUSALS); ``return_origin`` when it is known."""

    def __init__(self, reason: str, return_origin: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.return_origin = return_origin


@dataclass(frozen=True)
class StartedFlow:
    """Where to send the browser and the value of its flow cookie."""

    auth_uri: str
    cookie_value: str


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: who, the new session token, and where the browser goes back to."""

    staff_id: int
    display_name: str
    session_token: str
    return_origin: str


# ----- msal ----------------------------------------------------------------------------------

_connections: dict[tuple[str, str, str], tuple[httpx.Client, dict]] = {}
_connections_lock = threading.Lock()


def _connection(settings: Settings) -> tuple[str, httpx.Client, dict]:
    """Authority, HTTP client and msal HTTP cache for these settings (one per process)."""
    try:
        authority_base, transport = login_routing(settings.entra_login_url)
    except MeetingError as problem:
        log.error("Entra sign-in is misconfigured: %s", problem)
        raise EntraRefused("unavailable") from problem
    key = (settings.entra_login_url, settings.entra_tenant_id, settings.entra_client_id)
    with _connections_lock:
        if key not in _connections:
            client = httpx.Client(transport=transport, timeout=DEFAULT_TIMEOUT)
            _connections[key] = (client, {})
        client, http_cache = _connections[key]
    return f"{authority_base}/{settings.entra_tenant_id}", client, http_cache


def build_application(settings: Settings) -> msal.ConfidentialClientApplication:
    """A new msal application for one request: its own token cache, shared discovery cache.

    A fresh application per sign-in keeps no user tokens in memory afterwards (the app only
    needs the ID token's claims); the shared ``http_cache`` means the tenant's configuration is
    fetched once a day, not per sign-in (the pattern of Microsoft's ``identity`` library).
    """
    if not settings.entra_sign_in_configured:
        raise EntraRefused("entra_off")
    authority, client, http_cache = _connection(settings)
    try:
        return msal.ConfidentialClientApplication(
            settings.entra_client_id,
            client_credential=settings.entra_client_secret.get_secret_value(),
            authority=authority,
            http_client=client,
            http_cache=http_cache,
            instance_discovery=False,
        )
    except (httpx.HTTPError, msal.exceptions.MsalServiceError) as problem:
        log.warning("Entra ID could not be reached: %s", type(problem).__name__)
        raise EntraRefused("unavailable") from problem
    except ValueError as problem:
        log.error("Entra ID does not know the configured tenant: %s", problem)
        raise EntraRefused("unavailable") from problem


# ----- the flow ------------------------------------------------------------------------------


def _cookie_hash(value: str) -> str:
    """The stored form of a flow cookie."""
    return hashlib.sha256(value.encode()).hexdigest()


def start_flow(
    session: Session,
    settings: Settings,
    *,
    redirect_uri: str,
    return_origin: str,
    now: datetime,
) -> StartedFlow:
    """Begin a sign-in: store msal's flow (10 minutes, single use); commits."""
    flow = build_application(settings).initiate_auth_code_flow(
        scopes=[],  # msal adds openid, profile and offline_access
        redirect_uri=redirect_uri,
        # A query-string answer is a top-level GET, so the SameSite=Lax flow cookie comes along
        # (form_post would be a cross-site POST without it). The code alone is useless to
        # whoever sees it: it is single-use, needs our client secret and the PKCE verifier.
        response_mode="query",
    )
    cookie_value = secrets.token_urlsafe(32)
    session.exec(delete(SignInFlow).where(SignInFlow.expires_at <= now))  # housekeeping
    session.add(
        SignInFlow(
            cookie_hash=_cookie_hash(cookie_value),
            flow={"msal": flow, "return_origin": return_origin},
            created_at=now,
            expires_at=now + FLOW_LIFETIME,
        )
    )
    session.commit()
    return StartedFlow(flow["auth_uri"], cookie_value)


def take_flow(session: Session, cookie_value: object, now: datetime) -> dict[str, Any]:
    """The stored flow of this cookie, deleted at once (single use); commits.

    EntraRefused("entra_expired") when there is none, it was used already or it is too old.
    """
    if not isinstance(cookie_value, str) or not cookie_value or len(cookie_value) > COOKIE_MAX:
        raise EntraRefused("entra_expired")
    row = session.exec(
        select(SignInFlow).where(SignInFlow.cookie_hash == _cookie_hash(cookie_value))
    ).first()
    if row is None:
        raise EntraRefused("entra_expired")
    stored, expires_at = dict(row.flow), row.expires_at
    # Only the request whose DELETE removed the row may go on: two callbacks racing with the
    # same cookie cannot both use the flow.
    deleted = session.exec(delete(SignInFlow).where(SignInFlow.id == row.id)).rowcount
    session.commit()
    origin = str(stored.get("return_origin", ""))
    if deleted != 1 or expires_at <= now or not isinstance(stored.get("msal"), dict):
        raise EntraRefused("entra_expired", origin)
    return stored


def _auth_response(params: dict[str, str]) -> dict[str, str]:
    """The query parameters of the callback that msal needs, each of a sane length."""
    wanted = ("code", "state", "error", "error_description", "client_info", "session_state")
    return {
        key: params[key]
        for key in wanted
        if isinstance(params.get(key), str) and len(params[key]) <= PARAM_MAX
    }


def finish_flow(
    settings: Settings, stored: dict[str, Any], params: dict[str, str], now: datetime
) -> dict[str, Any]:
    """Redeem the code (msal checks state, nonce and PKCE); the checked ID-token claims."""
    origin = str(stored.get("return_origin", ""))
    flow = dict(stored["msal"])
    response = _auth_response(params)
    try:
        result = build_application(settings).acquire_token_by_auth_code_flow(flow, response)
    except EntraRefused as refused:
        raise EntraRefused(refused.reason, origin) from refused
    except (httpx.HTTPError, msal.exceptions.MsalServiceError) as problem:
        log.warning("Entra ID could not be reached: %s", type(problem).__name__)
        raise EntraRefused("unavailable", origin) from problem
    except (ValueError, RuntimeError) as problem:  # state or nonce mismatch, bad answer
        # The messages hold state and nonce values: log only what kind of problem it was.
        log.warning("Entra sign-in answer refused by msal: %s", type(problem).__name__)
        raise EntraRefused("entra_failed", origin) from problem
    if "error" in result:
        log.warning(
            "Entra sign-in failed: %s: %s",
            str(result.get("error"))[:100],
            str(result.get("error_description", "")).split("\n")[0][:300],
        )
        raise EntraRefused("entra_failed", origin)
    claims = result.get("id_token_claims")
    if not isinstance(claims, dict) or not _claims_belong_to(claims, settings, flow, now):
        raise EntraRefused("entra_failed", origin)
    return claims


def _claims_belong_to(
    claims: dict[str, Any], settings: Settings, flow: dict[str, Any], now: datetime
) -> bool:
    """Whether the ID token is for this app, for this flow's nonce and still valid."""
    expected_nonce = hashlib.sha256(str(flow.get("nonce", "")).encode()).hexdigest()
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    problems = []
    if settings.entra_client_id not in audiences:
        problems.append("aud")
    if claims.get("nonce") != expected_nonce:  # msal checks this too; keep it if msal changes
        problems.append("nonce")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires < (now - CLOCK_SKEW).timestamp():
        problems.append("exp")
    if problems:
        log.warning("Entra ID token refused (%s)", ", ".join(problems))
    return not problems


# ----- from claims to a staff member ---------------------------------------------------------


def roles_from_claims(claims: dict[str, Any]) -> list[str]:
    """The known app roles in the token, in a stable order; unknown values are ignored."""
    granted = claims.get("roles")
    if not isinstance(granted, list):
        return []
    return [role for role in ROLE_VALUES if role in granted]


def _email_from(claims: dict[str, Any]) -> str:
    """The e-mail address for a new staff member: ``email``, else ``preferred_username``."""
    for name in ("email", "preferred_username"):
        email, problem = check_email(claims.get(name))
        if not problem:
            return email
    return ""


def _new_staff(
    session: Session, organisation_id: int, claims: dict[str, Any], roles: list[str]
) -> StaffMember:
    """A staff member for a first sign-in, with name and e-mail from the token (flushed)."""
    email = _email_from(claims)
    name, name_problem = check_name(claims.get("name"))
    if name_problem:
        name = email or "Microsoft"
    if not email:
        log.warning("Entra sign-in without a usable e-mail address for oid %s", claims["oid"])
        raise EntraRefused("entra_failed")
    staff = StaffMember(
        organisation_id=organisation_id,
        display_name=name,
        email=email,
        roles=roles,
        entra_tenant_id=claims["tid"],
        entra_object_id=claims["oid"],
    )
    session.add(staff)
    try:
        session.flush()
    except IntegrityError as problem:
        # Another account has this e-mail address here, or this object id in another tenant:
        # never take it over; an administrator links accounts.
        session.rollback()
        log.warning("Entra sign-in for oid %s clashes with an existing account", claims["oid"])
        raise EntraRefused("account_conflict") from problem
    return staff


def staff_for_claims(
    session: Session, organisation_id: int, tenant_id: str, claims: dict[str, Any]
) -> tuple[StaffMember, bool]:
    """The staff member these claims sign in (created when new) and whether they are new.

    Their roles become the token's known app roles. Refusals: wrong_tenant, no_role, inactive,
    account_conflict, entra_failed (no object id). Nothing is committed.
    """
    tid, oid = claims.get("tid"), claims.get("oid")
    if not isinstance(tid, str) or not tid or tid.lower() != tenant_id.lower():
        raise EntraRefused("wrong_tenant")
    if not isinstance(oid, str) or not oid or len(oid) > 64:
        raise EntraRefused("entra_failed")
    roles = roles_from_claims(claims)
    staff = session.exec(
        select(StaffMember).where(
            StaffMember.entra_tenant_id == tid, StaffMember.entra_object_id == oid
        )
    ).first()
    if staff is not None and staff.organisation_id != organisation_id:
        raise EntraRefused("account_conflict")
    if staff is not None and not staff.active:
        raise EntraRefused("inactive")
    if not roles:
        raise EntraRefused("no_role")
    if staff is None:
        return _new_staff(session, organisation_id, {**claims, "tid": tid, "oid": oid}, roles), True
    staff.roles = roles  # Entra ID is the source of truth for roles
    session.add(staff)
    return staff, False


def sign_in_with_claims(
    session: Session, settings: Settings, claims: dict[str, Any], now: datetime
) -> tuple[StaffMember, str]:
    """Map the claims to a staff member, audit, open a session; commits; returns the token."""
    organisation = get_organisation(session, settings.organisation)
    if organisation is None:
        raise EntraRefused("unavailable")
    try:
        staff, created = staff_for_claims(
            session, organisation.id, settings.entra_tenant_id, claims
        )
    except EntraRefused as refused:
        session.rollback()
        staff_auth.audit(
            session,
            None,
            "staff.sign_in_refused",
            organisation_id=organisation.id,
            at=now,
            method="entra",
            reason=refused.reason,
            tid=str(claims.get("tid", ""))[:64],
            oid=str(claims.get("oid", ""))[:64],
        )
        session.commit()
        raise
    staff_auth.audit(
        session,
        staff,
        "staff.sign_in",
        "staff",
        staff.id,
        at=now,
        method="entra",
        roles=list(staff.roles),
        created=created,
    )
    return staff, staff_auth.start_session(session, staff, now)


def finish_sign_in(
    session: Session,
    settings: Settings,
    cookie_value: object,
    params: dict[str, str],
    now: datetime,
) -> SignedIn:
    """The whole callback: take the flow, redeem the code, sign the staff member in."""
    stored = take_flow(session, cookie_value, now)
    origin = str(stored.get("return_origin", ""))
    claims = finish_flow(settings, stored, params, now)
    try:
        staff, token = sign_in_with_claims(session, settings, claims, now)
    except EntraRefused as refused:
        raise EntraRefused(refused.reason, origin) from refused
    return SignedIn(staff.id, staff.display_name, token, origin)
