"""Fake Microsoft Entra ID (client credentials, staff sign-in) and Microsoft Graph calendar API.

Both fakes are real HTTP servers on 127.0.0.1 (random free ports, background threads) that follow
/work/shared/reference/graph-msal.md §5 (E1-E5; G1, G5-G10 and the G13 fault knobs). The
production code reaches them through settings alone:

* ``BALIE_ENTRA_LOGIN_URL=<fakes.login_url>``: msal only accepts https authorities, so the app
  keeps ``https://login.microsoftonline.com/<tenant>`` as authority and its HTTP transport sends
  that host's requests here. The fake therefore advertises endpoints on the ``Host`` it was
  asked for (``login.microsoftonline.com``).
* ``BALIE_GRAPH_BASE_URL=<fakes.graph_url>`` (plain http is fine for our own Graph client).

Use it as a context manager::

    with running_fakes() as fakes:
        provider = TeamsProvider(fakes.settings())
        fakes.fail("create_event", throttle(retry_after=7))
        ...
        assert len(fakes.graph.events_in(fakes.organiser)) == 1

Staff sign-in (authorization code with PKCE, E3 + E5): the discovery document points the
browser at ``<fakes.login_url>/<tenant>/oauth2/v2.0/authorize`` (msal accepts a plain-http
authorize endpoint, §3.5). That page lists the configured test users (``fakes.users``, see
``FakeUser``) as buttons; choosing one redirects to ``redirect_uri`` with ``code`` and ``state``.
``fakes.auto_sign_in = oid`` skips the page (for HTTP-level tests). The token endpoint checks the
code (single use, 10 minutes), the redirect URI and the PKCE verifier and returns an unsigned ID
token with ``aud, iss, tid, oid, nonce, name, preferred_username, roles, iat, nbf, exp``;
``fakes.tamper_next_id_token(nonce=…)`` changes claims of the next one.

Time for Retry-After bookkeeping comes from ``fakes.clock`` (a ``ManualClock`` unless another
callable is given), so tests move time forward with ``fakes.clock.advance(seconds)``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import random
import secrets
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from balie.settings import Settings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TEAMS = "teamsForBusiness"
DEFAULT_TENANT = "7f3c9a52-5b1e-4d8a-9c0f-2a6b1d3e4f50"
DEFAULT_CLIENT_ID = "0b6a4c1e-8d2f-4e5a-b7c9-3d1e2f4a5b6c"
DEFAULT_SECRET = "fake-client-secret~value"
DEFAULT_ORGANISER = "digitale.balie@stad.gent"
CODE_LIFETIME = 600.0  # seconds an authorization code can be redeemed (Entra: up to 10 minutes)
ENTRA_ALIASES = ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com"]
STATUS_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
GRAPH_ROUTES = (
    "calendar",
    "create_event",
    "get_event",
    "update_event",
    "cancel_event",
    "delete_event",
    "calendar_view",
)


class ManualClock:
    """A monotonic clock that only moves when told to (for Retry-After bookkeeping)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """The current time in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += seconds


@dataclass(frozen=True)
class FakeUser:
    """A person who can sign in at the fake authorize page."""

    oid: str
    name: str
    roles: tuple[str, ...] = ()  # app role values; none means the ``roles`` claim is left out
    preferred_username: str = ""
    tid: str | None = None  # None: the fake's tenant

    @property
    def label(self) -> str:
        """The text of this user's button on the fake sign-in page."""
        roles = ", ".join(self.roles) or "no app role"
        return f"{self.name} ({self.preferred_username or self.oid}; {roles})"


DEFAULT_USERS = (
    FakeUser(
        "4d1f7c2a-90b3-4e68-8a15-c3e2b7d90a11",
        "Eva Entra",
        ("staff",),
        "eva.entra@stad-gent.example",
    ),
    FakeUser(
        "8b2e5a90-1c47-4f3d-9e26-7a0d4c5b1f22",
        "Mo Manager",
        ("manager", "admin"),
        "mo.manager@stad-gent.example",
    ),
    FakeUser(
        "c05d8e13-6a2f-4b91-b7e4-2f9a1d3c6e33",
        "Nina Zonderrol",
        (),
        "nina.zonderrol@stad-gent.example",
    ),
)


@dataclass
class PendingAuthorization:
    """An authorize request waiting for the person to choose (or an issued code)."""

    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str | None
    code_challenge: str
    scope: str
    tenant: str
    user: FakeUser | None = None
    issued_at: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request as a fake received it."""

    service: str  # "entra" or "graph"
    route: str  # e.g. "token", "create_event", "unknown"
    method: str
    path: str  # decoded path without the query, e.g. /v1.0/users/x@y/events
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, a form dict, or None


@dataclass(frozen=True)
class Fault:
    """An answer a route gives instead of (or after) doing its work."""

    status: int
    code: str = ""
    message: str = ""
    retry_after: str | None = None  # header value: seconds or an HTTP-date
    commit: bool = False  # do the work first (e.g. store the event), then answer the fault
    hang: bool = False  # answer nothing until the client gives up (after committing if commit)


def throttle(retry_after: int = 5, *, http_date: bool = False) -> Fault:
    """429 with Retry-After in seconds, or as an HTTP-date ``retry_after`` seconds from now."""
    header = str(retry_after)
    if http_date:
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=retry_after), usegmt=True)
    return Fault(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        retry_after=header,
    )


def unavailable(retry_after: int | None = None) -> Fault:
    """503 Service Unavailable, with or without Retry-After."""
    header = None if retry_after is None else str(retry_after)
    return Fault(503, "serviceNotAvailable", "The service is temporarily unavailable.", header)


def gateway_timeout() -> Fault:
    """504 Gateway Timeout without doing the work."""
    return Fault(504, "GatewayTimeout", "The gateway did not receive a timely response.")


def commit_then_504() -> Fault:
    """Do the work (e.g. store the event), then answer 504: the client never sees the result."""
    return replace(gateway_timeout(), commit=True)


def commit_then_hang() -> Fault:
    """Do the work, then send nothing until the client times out."""
    return replace(gateway_timeout(), commit=True, hang=True)


def hang() -> Fault:
    """Send nothing (and do nothing) until the client times out."""
    return replace(gateway_timeout(), hang=True)


def access_denied() -> Fault:
    """403 as Exchange answers when app-only access to a mailbox is not allowed."""
    return Fault(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly "
        "AccessPolicy settings.",
    )


@dataclass
class Reply:
    """What a fake answers."""

    status: int
    body: Any = None  # dict -> JSON; str -> HTML page; None -> empty
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


@dataclass
class Incoming:
    """A parsed request."""

    method: str
    segments: list[str]  # decoded path segments, without empty ones
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    host: str


@dataclass
class FakeEvent:
    """A calendar event in the fake organiser mailbox."""

    id: str
    mailbox: str
    subject: str
    body: dict[str, Any] | None
    start: datetime
    end: datetime
    transaction_id: str | None
    is_online: bool
    join_url: str | None  # as Graph shows it now
    hidden_join_url: str | None = None  # appears after ``reads_before_link`` GETs
    reads_before_link: int | None = None  # None: the hidden link never appears
    cancelled: bool = False
    cancel_comment: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_graph(self, tenant: str) -> dict[str, Any]:
        """The event as Graph returns it (times in UTC, as with ``Prefer: outlook.timezone``)."""
        online = {"joinUrl": self.join_url, "conferenceId": "291633251"} if self.join_url else None
        data: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{self.mailbox}')"
            "/events/$entity",
            "@odata.etag": f'W/"{self.id[-12:]}"',
            "id": self.id,
            "createdDateTime": _graph_time(self.created),
            "subject": self.subject,
            "isCancelled": self.cancelled,
            "isOrganizer": True,
            "type": "singleInstance",
            "start": {"dateTime": _graph_time(self.start), "timeZone": "UTC"},
            "end": {"dateTime": _graph_time(self.end), "timeZone": "UTC"},
            "body": self.body or {"contentType": "text", "content": ""},
            "organizer": {"emailAddress": {"name": "Digitale Balie", "address": self.mailbox}},
            "onlineMeetingUrl": None,
            "isOnlineMeeting": self.is_online and self.join_url is not None,
            "onlineMeetingProvider": TEAMS if self.join_url else "unknown",
            "onlineMeeting": online,
            "webLink": f"https://outlook.office365.com/owa/?itemid={quote(self.id, safe='')}",
        }
        if self.transaction_id:
            data["transactionId"] = self.transaction_id
        return data


@dataclass
class FakeEntra:
    """State of the fake token endpoint (tenant, app registration, issued tokens)."""

    tenant: str
    client_id: str
    secret: str
    accept_client_assertions: bool = True  # certificate credentials: signature is not checked
    token_lifetime: int = 3599
    issued: list[str] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)

    @property
    def tokens_issued(self) -> int:
        """How many access tokens were handed out."""
        return len(self.issued)

    def revoke_tokens(self) -> None:
        """Make every token issued so far invalid (Graph answers 401 to them)."""
        self.valid.clear()


@dataclass
class FakeGraph:
    """State of the fake Graph calendar API."""

    tenant: str
    events: dict[str, FakeEvent] = field(default_factory=dict)
    blocked_mailboxes: set[str] = field(default_factory=set)  # 403 ErrorAccessDenied
    mailboxes_without_teams: set[str] = field(default_factory=set)  # no teamsForBusiness
    unknown_mailboxes: set[str] = field(default_factory=set)  # 404 ErrorInvalidUser
    page_size: int = 10  # calendarView page size without $top, like Graph
    max_page_size: int = 1000  # a larger $top is cut to this (lower it to test paging)
    missing_links: deque[int | None] = field(default_factory=deque)

    def events_in(self, mailbox: str, *, include_cancelled: bool = False) -> list[FakeEvent]:
        """Events in ``mailbox`` (cancelled ones only when asked)."""
        return [
            event
            for event in self.events.values()
            if event.mailbox.lower() == mailbox.lower()
            and (include_cancelled or not event.cancelled)
        ]

    def missing_join_url(self, reads_before_link: int | None = 1, *, creates: int = 1) -> None:
        """The next ``creates`` events come back without a link (``isOnlineMeeting: false``).

        The link shows up on the ``reads_before_link``-th GET of the event; never when None.
        """
        self.missing_links.extend([reads_before_link] * creates)


class MicrosoftFakes:
    """The running Entra and Graph fakes with their state, recordings and fault knobs."""

    def __init__(
        self,
        *,
        tenant: str = DEFAULT_TENANT,
        client_id: str = DEFAULT_CLIENT_ID,
        secret: str = DEFAULT_SECRET,
        organiser: str = DEFAULT_ORGANISER,
        clock: Callable[[], float] | None = None,
        users: Iterable[FakeUser] = DEFAULT_USERS,
    ) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.secret = secret
        self.organiser = organiser
        self.clock = clock if clock is not None else ManualClock()
        self.entra = FakeEntra(tenant, client_id, secret)
        self.graph = FakeGraph(tenant)
        self.requests: list[RecordedRequest] = []
        self.hang_seconds = 30.0
        self.login_url = ""
        self.graph_url = ""
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._random: tuple[float, tuple[str, ...], tuple[Fault, ...], random.Random] | None = None
        self._throttled_until: dict[tuple[str, str], float] = {}
        # Staff sign-in (E3, E5).
        self.users: dict[str, FakeUser] = {user.oid: user for user in users}
        self.redirect_uris: set[str] | None = None  # registered redirect URIs; None: any
        self.auto_sign_in: str | None = None  # oid: authorize redirects at once, no page
        self.pending: dict[str, PendingAuthorization] = {}  # request id -> authorize request
        self.codes: dict[str, PendingAuthorization] = {}  # code -> what it was issued for
        self._id_token_changes: dict[str, Any] = {}

    # ----- knobs -----------------------------------------------------------------------------

    def fail(self, route: str, *faults: Fault) -> None:
        """Answer the next requests to ``route`` with ``faults``, one per request, in order.

        Routes: ``token``, ``calendar``, ``create_event``, ``get_event``, ``update_event``,
        ``cancel_event``, ``delete_event``, ``calendar_view``.
        """
        with self.lock:
            self._faults[route].extend(faults)

    def random_faults(
        self,
        probability: float,
        *,
        routes: Iterable[str] = GRAPH_ROUTES,
        faults: Iterable[Fault] = (),
        seed: int = 0,
    ) -> None:
        """Fail a share of the requests to ``routes`` with a fault drawn from ``faults``."""
        choices = tuple(faults) or (throttle(), unavailable(), gateway_timeout())
        with self.lock:
            self._random = (probability, tuple(routes), choices, random.Random(seed))

    def add_user(
        self,
        oid: str,
        name: str,
        roles: Iterable[str] = (),
        *,
        preferred_username: str = "",
        tid: str | None = None,
    ) -> FakeUser:
        """Let one more person sign in (replaces a user with the same oid)."""
        user = FakeUser(oid, name, tuple(roles), preferred_username, tid)
        with self.lock:
            self.users[oid] = user
        return user

    def tamper_next_id_token(self, **claims: Any) -> None:
        """Change (or, with None, remove) claims of the next ID token the fake issues."""
        with self.lock:
            self._id_token_changes = dict(claims)

    def stop_random_faults(self) -> None:
        """Stop failing requests at random."""
        with self.lock:
            self._random = None

    # ----- inspection ------------------------------------------------------------------------

    def calls(self, route: str | None = None, *, service: str = "graph") -> list[RecordedRequest]:
        """Recorded requests to ``service`` (and ``route`` when given), oldest first."""
        with self.lock:
            return [
                recorded
                for recorded in self.requests
                if recorded.service == service and (route is None or recorded.route == route)
            ]

    # ----- settings for the code under test --------------------------------------------------

    def sign_in_env(self) -> dict[str, str]:
        """``BALIE_*`` variables for staff sign-in with Entra ID against these fakes."""
        return {
            "BALIE_ENTRA_LOGIN_URL": self.login_url,
            "BALIE_ENTRA_TENANT_ID": self.tenant,
            "BALIE_ENTRA_CLIENT_ID": self.client_id,
            "BALIE_ENTRA_CLIENT_SECRET": self.secret,
        }

    def env(self) -> dict[str, str]:
        """``BALIE_*`` variables that point the app (Teams and sign-in) at these fakes."""
        return {
            "BALIE_MEETING_PROVIDER": "teams",
            "BALIE_GRAPH_BASE_URL": self.graph_url,
            **self.sign_in_env(),
            "BALIE_TEAMS_ORGANISER_MAILBOX": self.organiser,
        }

    def settings(self, **changes: Any) -> Settings:
        """Settings for the Teams provider against these fakes (no ``.env`` file), with changes."""
        values: dict[str, Any] = {
            "meeting_provider": "teams",
            "graph_base_url": self.graph_url,
            "entra_login_url": self.login_url,
            "entra_tenant_id": self.tenant,
            "entra_client_id": self.client_id,
            "entra_client_secret": self.secret,
            "teams_organiser_mailbox": self.organiser,
        }
        values.update(changes)
        return Settings(_env_file=None, **values)

    # ----- request handling (called from the server threads) ---------------------------------

    def handle(self, service: str, incoming: Incoming) -> Reply:
        """Answer one request to ``service``."""
        with self.lock:
            if service == "entra":
                route, reply = self._entra(incoming)
            else:
                route, reply = self._graph(incoming)
            self.requests.append(
                RecordedRequest(
                    service,
                    route,
                    incoming.method,
                    incoming.path,
                    incoming.query,
                    incoming.headers,
                    incoming.body,
                )
            )
            return reply

    def _next_fault(self, route: str) -> Fault | None:
        """The queued fault for ``route``, else a random one, else None."""
        if self._faults[route]:
            return self._faults[route].popleft()
        if self._random is not None:
            probability, routes, choices, rng = self._random
            if route in routes and rng.random() < probability:
                return rng.choice(choices)
        return None

    # ----- Entra -----------------------------------------------------------------------------

    def _entra(self, incoming: Incoming) -> tuple[str, Reply]:
        """E1-E5."""
        segments, method = incoming.segments, incoming.method
        if method == "GET" and segments == ["common", "discovery", "instance"]:
            return "discovery", self._instance_discovery(incoming)
        if method == "GET" and segments[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return "openid_configuration", self._openid_configuration(segments[0], incoming.host)
        if method == "GET" and segments[1:] == ["oauth2", "v2.0", "authorize"]:
            return "authorize", self._authorize(segments[0], incoming.query)
        if method == "POST" and segments[1:] == ["oauth2", "v2.0", "authorize", "choose"]:
            form = incoming.body if isinstance(incoming.body, dict) else {}
            return "authorize_choose", self._choose(form)
        if method == "POST" and segments[1:] == ["oauth2", "v2.0", "token"]:
            fault = self._next_fault("token")
            if fault is not None:
                return "token", _entra_fault(fault)
            return "token", self._token(segments[0], incoming.body or {})
        return "unknown", _entra_error(404, "invalid_request", "AADSTS900561", "Not found.")

    def _instance_discovery(self, incoming: Incoming) -> Reply:
        """E1: instance metadata (api-version 1.1) or the tenant discovery endpoint (1.0)."""
        if incoming.query.get("api-version") == "1.0":
            endpoint = (
                f"https://{incoming.host}/{self.tenant}/v2.0/.well-known/openid-configuration"
            )
            return Reply(200, {"tenant_discovery_endpoint": endpoint})
        metadata = {
            "preferred_network": "login.microsoftonline.com",
            "preferred_cache": "login.windows.net",
            "aliases": [*ENTRA_ALIASES, "sts.windows.net"],
        }
        return Reply(200, {"api-version": "1.1", "metadata": [metadata]})

    def _openid_configuration(self, tenant: str, host: str) -> Reply:
        """E2: the discovery document, with endpoints on the host the client asked for."""
        if tenant != self.tenant:
            return _entra_error(
                400, "invalid_tenant", "AADSTS90002", f"Tenant '{tenant}' not found."
            )
        base = f"https://{host}/{tenant}"
        # The browser must reach the authorize page itself: point it at this loopback server.
        browser_base = f"{self.login_url}/{tenant}" if self.login_url else base
        return Reply(
            200,
            {
                "authorization_endpoint": f"{browser_base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "issuer": f"{base}/v2.0",
                "jwks_uri": f"https://{host}/{tenant}/discovery/v2.0/keys",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "response_types_supported": ["code", "id_token", "code id_token"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
            },
        )

    def _token(self, tenant: str, form: dict[str, str]) -> Reply:
        """E4: client-credentials grant; E5: authorization-code grant."""
        if tenant != self.tenant:
            return _entra_error(
                400, "invalid_tenant", "AADSTS90002", f"Tenant '{tenant}' not found."
            )
        if form.get("grant_type") not in ("client_credentials", "authorization_code"):
            return _entra_error(
                400,
                "unsupported_grant_type",
                "AADSTS70003",
                "The app requested an unsupported grant type.",
            )
        if form.get("client_id") != self.client_id:
            return _entra_error(
                400,
                "unauthorized_client",
                "AADSTS700016",
                f"Application with identifier '{form.get('client_id')}' was not found in the "
                f"directory '{self.tenant}'.",
            )
        if not self._client_authenticated(form):
            return _entra_error(
                401,
                "invalid_client",
                "AADSTS7000215",
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                "the client secret value, not the client secret ID, for a secret added to app "
                f"'{self.client_id}'.",
            )
        if form["grant_type"] == "authorization_code":
            return self._redeem_code(form)
        scope = form.get("scope", "")
        if scope != GRAPH_SCOPE:
            return _entra_error(
                400,
                "invalid_scope",
                "AADSTS70011",
                "The provided value for the input parameter 'scope' is not valid. "
                f"The scope {scope} is not valid.",
            )
        token = f"fake-graph-token-{secrets.token_urlsafe(18)}"
        self.entra.issued.append(token)
        self.entra.valid.add(token)
        lifetime = self.entra.token_lifetime
        return Reply(
            200,
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            },
        )

    # ----- staff sign-in (E3, E5) --------------------------------------------------------------

    def _authorize(self, tenant: str, query: dict[str, str]) -> Reply:
        """E3: check the request, then show the sign-in page (or sign ``auto_sign_in`` in)."""
        problem = self._authorize_problem(tenant, query)
        if problem:
            return _html_reply(400, _error_page(problem))
        request = PendingAuthorization(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            state=query.get("state"),
            nonce=query.get("nonce"),
            code_challenge=query["code_challenge"],
            scope=query.get("scope", ""),
            tenant=tenant,
        )
        if self.auto_sign_in is not None:
            user = self.users.get(self.auto_sign_in)
            if user is None:
                return _html_reply(400, _error_page("auto_sign_in names no configured user"))
            return self._issue_code(request, user)
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = request
        return _html_reply(200, self._sign_in_page(tenant, request_id))

    def _authorize_problem(self, tenant: str, query: dict[str, str]) -> str:
        """Why this authorize request is refused ("" when it is fine)."""
        redirect_uri = query.get("redirect_uri", "")
        checks = [
            (tenant == self.tenant, f"AADSTS90002: Tenant '{tenant}' not found."),
            (query.get("client_id") == self.client_id, "AADSTS700016: unknown application."),
            (query.get("response_type") == "code", "AADSTS900144: response_type must be code."),
            (
                urlsplit(redirect_uri).scheme in ("http", "https")
                and (self.redirect_uris is None or redirect_uri in self.redirect_uris),
                "AADSTS50011: The redirect URI does not match the redirect URIs configured.",
            ),
            (
                query.get("code_challenge_method") == "S256" and bool(query.get("code_challenge")),
                "AADSTS501491: PKCE with code_challenge_method S256 is required.",
            ),
        ]
        return next((message for ok, message in checks if not ok), "")

    def _sign_in_page(self, tenant: str, request_id: str) -> str:
        """A small, accessible page with one button per configured test user."""
        action = f"/{quote(tenant)}/oauth2/v2.0/authorize/choose"
        hidden = f'<input type="hidden" name="request" value="{html.escape(request_id)}">'
        buttons = "".join(
            f'<li><form method="post" action="{action}">{hidden}'
            f'<button type="submit" name="user" value="{html.escape(user.oid)}">'
            f"{html.escape(user.label)}</button></form></li>"
            for user in self.users.values()
        )
        cancel = (
            f'<form method="post" action="{action}">{hidden}'
            '<button type="submit" name="user" value="">Cancel</button></form>'
        )
        return _page(
            "Sign in – fake Microsoft Entra ID",
            "<h1>Sign in to your account</h1>"
            "<p>Test page of the fake Microsoft Entra ID. Choose who signs in.</p>"
            f'<ul aria-label="Test accounts">{buttons}</ul>{cancel}',
        )

    def _choose(self, form: dict[str, str]) -> Reply:
        """The button on the sign-in page: issue a code for that user, or answer access_denied."""
        request = self.pending.pop(str(form.get("request", "")), None)
        if request is None:
            return _html_reply(400, _error_page("This sign-in request is unknown or used."))
        user = self.users.get(str(form.get("user", "")))
        if user is None:
            answer = {"error": "access_denied", "error_description": "AADSTS65004: cancelled."}
            if request.state is not None:
                answer["state"] = request.state
            return _redirect(f"{request.redirect_uri}?{urlencode(answer)}")
        return self._issue_code(request, user)

    def _issue_code(self, request: PendingAuthorization, user: FakeUser) -> Reply:
        """Redirect to the app with a fresh single-use code (and the state it sent)."""
        code = f"fake-code-{secrets.token_urlsafe(24)}"
        self.codes[code] = replace(request, user=user, issued_at=self.clock())
        answer = {"code": code}
        if request.state is not None:
            answer["state"] = request.state
        answer["session_state"] = str(uuid.uuid4())
        return _redirect(f"{request.redirect_uri}?{urlencode(answer)}")

    def _redeem_code(self, form: dict[str, str]) -> Reply:
        """E5: code (single use, 10 minutes), redirect URI and PKCE verifier, then the tokens."""
        granted = self.codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", ""))
        checks = [
            (granted is not None, "The provided authorization code is invalid or used."),
            (
                granted is not None and self.clock() - granted.issued_at <= CODE_LIFETIME,
                "The provided authorization code has expired.",
            ),
            (
                granted is not None and form.get("redirect_uri") == granted.redirect_uri,
                "The redirect URI does not match the one of the authorization request.",
            ),
            (
                granted is not None
                and secrets.compare_digest(_s256(verifier), granted.code_challenge),
                "The code_verifier does not match the code_challenge of the authorization "
                "request (PKCE).",
            ),
        ]
        problem = next((message for ok, message in checks if not ok), "")
        if problem:
            return _entra_error(400, "invalid_grant", "AADSTS70008", problem)
        assert granted is not None and granted.user is not None
        user, tid = granted.user, granted.user.tid or granted.tenant
        lifetime = self.entra.token_lifetime
        client_info = _b64url(json.dumps({"uid": user.oid, "utid": tid}).encode())
        return Reply(
            200,
            {
                "token_type": "Bearer",
                "scope": "openid profile offline_access User.Read",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": f"fake-user-token-{secrets.token_urlsafe(18)}",
                "refresh_token": f"fake-refresh-token-{secrets.token_urlsafe(18)}",
                "id_token": self._id_token(user, tid, granted.nonce),
                "client_info": client_info,
            },
        )

    def _id_token(self, user: FakeUser, tid: str, nonce: str | None) -> str:
        """An unsigned ID token (msal does not check the signature, §3.3)."""
        now = int(datetime.now(UTC).timestamp())
        claims: dict[str, Any] = {
            "ver": "2.0",
            "iss": f"https://login.microsoftonline.com/{tid}/v2.0",
            "aud": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "tid": tid,
            "oid": user.oid,
            "sub": _b64url(hashlib.sha256(f"{user.oid}|{self.client_id}".encode()).digest()),
            "name": user.name,
            "preferred_username": user.preferred_username,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if user.roles:
            claims["roles"] = list(user.roles)
        claims.update(self._id_token_changes)
        self._id_token_changes = {}
        claims = {key: value for key, value in claims.items() if value is not None}
        header = {"typ": "JWT", "alg": "RS256", "kid": "fake-key"}
        return ".".join(
            [
                _b64url(json.dumps(header).encode()),
                _b64url(json.dumps(claims).encode()),
                _b64url(b"not-a-real-signature"),
            ]
        )

    def _client_authenticated(self, form: dict[str, str]) -> bool:
        """A correct client secret, or (when allowed) a client assertion for this client."""
        if "client_secret" in form:
            return secrets.compare_digest(form["client_secret"], self.entra.secret)
        assertion = form.get("client_assertion")
        if not assertion or not self.entra.accept_client_assertions:
            return False
        claims = _jwt_claims(assertion)
        return claims.get("iss") == self.client_id and claims.get("sub") == self.client_id

    # ----- Graph -----------------------------------------------------------------------------

    def _graph(self, incoming: Incoming) -> tuple[str, Reply]:
        """G1 authentication, the Retry-After rule, faults, then the route itself."""
        route, mailbox, event_id = _graph_route(incoming.method, incoming.segments)
        request_id = str(uuid.uuid4())
        client_request_id = incoming.headers.get("client-request-id", request_id)
        reply = self._graph_reply(incoming, route, mailbox, event_id)
        reply.headers.update(
            {
                "request-id": request_id,
                "client-request-id": client_request_id,
                "Cache-Control": "no-store",
                "x-ms-ags-diagnostic": '{"ServerInfo":{"DataCenter":"West Europe"}}',
                "Strict-Transport-Security": "max-age=31536000",
            }
        )
        if isinstance(reply.body, dict) and "error" in reply.body:
            reply.body["error"]["innerError"] = {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        return route, reply

    def _graph_reply(self, incoming: Incoming, route: str, mailbox: str, event_id: str) -> Reply:
        """The answer before the common Graph headers are added."""
        token = incoming.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.entra.valid:
            reply = _graph_error(
                401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."
            )
            reply.headers["WWW-Authenticate"] = 'Bearer realm="", error="invalid_token"'
            return reply
        throttle_key = (incoming.method, incoming.path)
        early = self._early_retry(throttle_key)
        if early is not None:
            return early
        fault = self._next_fault(route)
        if fault is not None and not fault.commit:
            return self._fault_reply(fault, throttle_key)
        reply = self._serve(route, mailbox, event_id, incoming)
        if fault is not None:
            return self._fault_reply(fault, throttle_key)
        return reply

    def _early_retry(self, key: tuple[str, str]) -> Reply | None:
        """Dev Proxy's RetryAfterPlugin: a request before Retry-After elapsed is throttled again."""
        until = self._throttled_until.get(key)
        if until is None:
            return None
        remaining = until - self.clock()
        if remaining <= 0:
            del self._throttled_until[key]
            return None
        reply = _graph_error(
            429,
            "TooManyRequests",
            f"Calling {key[1]} before waiting for the Retry-After period. "
            "Request will be throttled.",
        )
        reply.headers["Retry-After"] = str(math.ceil(remaining))
        return reply

    def _fault_reply(self, fault: Fault, throttle_key: tuple[str, str]) -> Reply:
        """The error answer (or silence) a fault asks for."""
        if fault.hang:
            return Reply(fault.status, hang=True)
        code = fault.code or STATUS_CODES.get(fault.status, "generalException")
        reply = _graph_error(fault.status, code, fault.message or "Some error was generated.")
        if fault.retry_after is not None:
            reply.headers["Retry-After"] = fault.retry_after
            if fault.status == 429:
                self._throttled_until[throttle_key] = self.clock() + _seconds(fault.retry_after)
        return reply

    def _serve(self, route: str, mailbox: str, event_id: str, incoming: Incoming) -> Reply:
        """G5-G10 and calendarView."""
        if route == "unknown":
            return _graph_error(400, "BadRequest", "Resource not found for the segment.")
        if mailbox.lower() in {m.lower() for m in self.graph.unknown_mailboxes}:
            return _graph_error(
                404, "ErrorInvalidUser", f"The requested user '{mailbox}' is invalid."
            )
        if mailbox.lower() in {m.lower() for m in self.graph.blocked_mailboxes}:
            return self._fault_reply(access_denied(), ("", ""))
        body = incoming.body if isinstance(incoming.body, dict) else {}
        if route == "calendar":
            return self._calendar(mailbox)
        if route == "create_event":
            return self._create_event(mailbox, body)
        if route == "calendar_view":
            return self._calendar_view(mailbox, incoming.query)
        event = self._find_event(mailbox, event_id)
        if event is None:
            return _graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        if route == "get_event":
            return self._get_event(event, incoming.query)
        if route == "update_event":
            return self._update_event(event, body)
        if route == "cancel_event":
            event.cancelled = True
            event.cancel_comment = body.get("comment", body.get("Comment"))
            return Reply(202)
        del self.graph.events[event.id]
        return Reply(204)

    def _teams_allowed(self, mailbox: str) -> bool:
        """Whether the mailbox's calendar offers Teams meetings."""
        return mailbox.lower() not in {m.lower() for m in self.graph.mailboxes_without_teams}

    def _calendar(self, mailbox: str) -> Reply:
        """G5: the default calendar with its online meeting providers."""
        providers = [TEAMS] if self._teams_allowed(mailbox) else []
        return Reply(
            200,
            {
                "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{mailbox}')"
                "/calendar/$entity",
                "id": "AAMkAGI2TGuLAAA=",
                "name": "Calendar",
                "canEdit": True,
                "isDefaultCalendar": True,
                "owner": {"name": "Digitale Balie", "address": mailbox},
                "allowedOnlineMeetingProviders": providers,
                "defaultOnlineMeetingProvider": TEAMS if providers else "unknown",
            },
        )

    def _create_event(self, mailbox: str, body: dict[str, Any]) -> Reply:
        """G6: store the event; a reused transactionId is refused as on Exchange."""
        transaction_id = body.get("transactionId")
        if transaction_id and any(
            event.transaction_id == transaction_id for event in self._all_events_of(mailbox)
        ):
            return _graph_error(
                400,
                "ErrorDuplicateTransactionId",
                "Your request can't be completed. The TransactionId specified in the request has "
                "already been used to create a different event.",
            )
        try:
            start, end = _event_time(body["start"]), _event_time(body["end"])
        except (KeyError, TypeError, ValueError) as error:
            return _graph_error(400, "ErrorInvalidRequest", f"Invalid start or end: {error}")
        if end < start:
            return _graph_error(400, "ErrorInvalidRequest", "The end is before the start.")
        wants_teams = body.get("isOnlineMeeting") is True and (
            body.get("onlineMeetingProvider") == TEAMS
        )
        event = FakeEvent(
            id=f"AAMkAD{secrets.token_urlsafe(24)}AAA=",
            mailbox=mailbox,
            subject=body.get("subject", ""),
            body=body.get("body"),
            start=start,
            end=end,
            transaction_id=transaction_id,
            is_online=wants_teams,
            join_url=None,
        )
        if wants_teams:
            self._give_link(event)
        self.graph.events[event.id] = event
        return Reply(201, event.as_graph(self.tenant))

    def _give_link(self, event: FakeEvent) -> None:
        """A Teams link, shown at once, later, or never (missing-link knob, no Teams)."""
        link = self._join_url(event.mailbox)
        if not self._teams_allowed(event.mailbox):
            event.hidden_join_url, event.reads_before_link = link, None
        elif self.graph.missing_links:
            event.hidden_join_url = link
            event.reads_before_link = self.graph.missing_links.popleft()
        else:
            event.join_url = link

    def _join_url(self, mailbox: str) -> str:
        """A join URL shaped like the ones Teams hands out."""
        meeting = base64.b32encode(secrets.token_bytes(30)).decode().rstrip("=")
        context = json.dumps(
            {"Tid": self.tenant, "Oid": str(uuid.uuid5(uuid.NAMESPACE_DNS, mailbox))}
        )
        return (
            f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{meeting}%40thread.v2/0"
            f"?context={quote(context.replace(' ', ''), safe='')}"
        )

    def _all_events_of(self, mailbox: str) -> list[FakeEvent]:
        """All events in ``mailbox``, cancelled ones included (transaction ids stay used)."""
        return self.graph.events_in(mailbox, include_cancelled=True)

    def _find_event(self, mailbox: str, event_id: str) -> FakeEvent | None:
        """The live event ``event_id`` in ``mailbox`` (cancelled events are in Deleted Items)."""
        event = self.graph.events.get(event_id)
        if event is None or event.cancelled or event.mailbox.lower() != mailbox.lower():
            return None
        return event

    def _get_event(self, event: FakeEvent, query: dict[str, str]) -> Reply:
        """G7: the event (``$select`` honoured); a hidden link may show up now."""
        if event.hidden_join_url and event.reads_before_link is not None:
            event.reads_before_link -= 1
            if event.reads_before_link <= 0:
                event.join_url, event.hidden_join_url = event.hidden_join_url, None
                event.reads_before_link = None
        return Reply(200, _selected(event.as_graph(self.tenant), query.get("$select")))

    def _update_event(self, event: FakeEvent, body: dict[str, Any]) -> Reply:
        """G8: move or rename; a new ``body`` without the meeting blob drops the meeting."""
        if "transactionId" in body and body["transactionId"] != event.transaction_id:
            return _graph_error(400, "ErrorInvalidRequest", "transactionId cannot be changed.")
        try:
            start = _event_time(body["start"]) if "start" in body else event.start
            end = _event_time(body["end"]) if "end" in body else event.end
        except (TypeError, ValueError) as error:
            return _graph_error(400, "ErrorInvalidRequest", f"Invalid start or end: {error}")
        event.start, event.end = start, end
        event.subject = body.get("subject", event.subject)
        if "body" in body:
            event.body = body["body"]
            if "meetup-join" not in json.dumps(body["body"]):
                event.join_url = event.hidden_join_url = None
                event.is_online = False
        return Reply(200, event.as_graph(self.tenant))

    def _calendar_view(self, mailbox: str, query: dict[str, str]) -> Reply:
        """Events overlapping [startDateTime, endDateTime), paged with ``@odata.nextLink``."""
        try:
            window_start = _query_time(query["startDateTime"])
            window_end = _query_time(query["endDateTime"])
        except (KeyError, ValueError):
            return _graph_error(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
            )
        matching = sorted(
            (
                event
                for event in self.graph.events_in(mailbox)
                if event.start < window_end and event.end > window_start
            ),
            key=lambda event: (event.start, event.id),
        )
        top = min(int(query.get("$top", self.graph.page_size)), self.graph.max_page_size)
        skip = int(query.get("$skip", 0))
        page = matching[skip : skip + top]
        result: dict[str, Any] = {
            "value": [
                _selected(event.as_graph(self.tenant), query.get("$select")) for event in page
            ]
        }
        if skip + top < len(matching):
            next_query = {**query, "$skip": str(skip + top), "$top": str(top)}
            result["@odata.nextLink"] = (
                f"{self.graph_url}/users/{quote(mailbox, safe='@')}/calendarView?"
                f"{urlencode(next_query)}"
            )
        return Reply(200, result)


# ----- helpers -------------------------------------------------------------------------------


def _graph_route(method: str, segments: list[str]) -> tuple[str, str, str]:
    """(route name, mailbox, event id) of a Graph request path."""
    parts = segments[1:] if segments[:1] == ["v1.0"] else segments
    if len(parts) < 3 or parts[0] != "users":
        return "unknown", "", ""
    mailbox, rest = parts[1], parts[2:]
    if rest == ["calendar"] and method == "GET":
        return "calendar", mailbox, ""
    if rest in (["events"], ["calendar", "events"]) and method == "POST":
        return "create_event", mailbox, ""
    if rest == ["calendarView"] and method == "GET":
        return "calendar_view", mailbox, ""
    if len(rest) == 2 and rest[0] == "events":
        routes = {"GET": "get_event", "PATCH": "update_event", "DELETE": "delete_event"}
        return routes.get(method, "unknown"), mailbox, rest[1]
    if len(rest) == 3 and rest[0] == "events" and rest[2] == "cancel" and method == "POST":
        return "cancel_event", mailbox, rest[1]
    return "unknown", mailbox, ""


def _graph_error(status: int, code: str, message: str) -> Reply:
    """A Graph JSON error envelope (§1.5)."""
    return Reply(status, {"error": {"code": code, "message": message}})


def _entra_error(status: int, error: str, aadsts: str, description: str) -> Reply:
    """An Entra token-endpoint error body (§1.5)."""
    now = datetime.now(UTC)
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    return Reply(
        status,
        {
            "error": error,
            "error_description": f"{aadsts}: {description}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {now:%Y-%m-%d %H:%M:%SZ}",
            "error_codes": [int(aadsts.removeprefix("AADSTS"))],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%SZ}",
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={aadsts[6:]}",
        },
    )


def _entra_fault(fault: Fault) -> Reply:
    """A fault on the token endpoint (JSON body, Retry-After when given)."""
    if fault.hang:
        return Reply(fault.status, hang=True)
    reply = _entra_error(
        fault.status, "temporarily_unavailable", "AADSTS50196", fault.message or "Try again."
    )
    if fault.retry_after is not None:
        reply.headers["Retry-After"] = fault.retry_after
    return reply


def _seconds(retry_after: str) -> float:
    """A Retry-After header value in seconds (an HTTP-date counts from now)."""
    if retry_after.strip().isdigit():
        return float(retry_after)
    return max(0.0, (parsedate_to_datetime(retry_after) - datetime.now(UTC)).total_seconds())


def _graph_time(moment: datetime) -> str:
    """Graph's UTC dateTime spelling, with seven fractional digits."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _event_time(value: dict[str, str]) -> datetime:
    """A ``dateTimeTimeZone`` as an aware UTC datetime (the fake only knows UTC)."""
    if value.get("timeZone") != "UTC":
        raise ValueError(f"time zone {value.get('timeZone')!r} is not supported by the fake")
    return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=UTC)


def _query_time(value: str) -> datetime:
    """A calendarView bound (ISO 8601, with offset or Z; naive means UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _selected(data: dict[str, Any], select: str | None) -> dict[str, Any]:
    """Only the ``$select``-ed properties (plus id and etag), like Graph."""
    if not select:
        return data
    wanted = {name.strip() for name in select.split(",")} | {"id", "@odata.etag"}
    return {key: value for key, value in data.items() if key in wanted}


def _b64url(raw: bytes) -> str:
    """Base64url without padding (JWT, PKCE)."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _s256(verifier: str) -> str:
    """The PKCE S256 code challenge of ``verifier``."""
    return _b64url(hashlib.sha256(verifier.encode("ascii", errors="replace")).digest())


def _page(title: str, content: str) -> str:
    """A complete HTML page in English with a main landmark."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f"<body><main>{content}</main></body></html>"
    )


def _error_page(message: str) -> str:
    """An error page as the fake authorize endpoint shows it."""
    return _page(
        "Sign-in error – fake Microsoft Entra ID",
        f'<h1>Sign-in error</h1><p role="alert">{html.escape(message)}</p>',
    )


def _html_reply(status: int, page: str) -> Reply:
    """An HTML answer."""
    return Reply(status, page, {"Cache-Control": "no-store"})


def _redirect(location: str) -> Reply:
    """A 302 to ``location``."""
    return Reply(302, None, {"Location": location, "Cache-Control": "no-store"})


def _jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT (signature not checked)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _parse_body(content_type: str, raw: bytes) -> Any:
    """A JSON or form body as Python data; None when empty."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type:
        return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}
    return text


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into ``MicrosoftFakes.handle`` calls."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls
    server: _FakeServer

    def do_GET(self) -> None:
        """Any method is handled the same way."""
        self._handle()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _handle(self) -> None:
        """Parse, answer, or hang."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        incoming = Incoming(
            method=self.command,
            segments=[unquote(part) for part in split.path.split("/") if part],
            path=unquote(split.path),
            query={key: values[-1] for key, values in parse_qs(split.query).items()},
            headers=headers,
            body=_parse_body(headers.get("content-type", ""), raw),
            host=headers.get("host", "").split(":")[0],
        )
        fakes = self.server.fakes
        reply = fakes.handle(self.server.service, incoming)
        if reply.hang:
            fakes.stopping.wait(fakes.hang_seconds)
            self.close_connection = True
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        """Write status, headers and a JSON (or, for a str, HTML) body."""
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/html; charset=utf-8"
        else:
            payload = b"" if reply.body is None else json.dumps(reply.body).encode()
            content_type = "application/json; charset=utf-8"
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.body is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _FakeServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows which fake it serves."""

    daemon_threads = True

    def __init__(self, fakes: MicrosoftFakes, service: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fakes = fakes
        self.service = service

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def running_fakes(**options: Any) -> Iterator[MicrosoftFakes]:
    """Start the Entra and Graph fakes (``MicrosoftFakes`` options), stop them afterwards."""
    fakes = MicrosoftFakes(**options)
    servers = [_FakeServer(fakes, "entra"), _FakeServer(fakes, "graph")]
    threads = [
        threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits for the next poll
            name=f"fake-{server.service}",
            daemon=True,
        )
        for server in servers
    ]
    for thread in threads:
        thread.start()
    fakes.login_url = servers[0].base_url
    fakes.graph_url = f"{servers[1].base_url}/v1.0"
    try:
        yield fakes
    finally:
        fakes.stopping.set()
        for server in servers:
            server.shutdown()
            server.server_close()
