"""Microsoft Teams meetings as calendar events in an organiser mailbox, through Microsoft Graph.

App-only access (client credentials through msal, application permission
``Calendars.ReadWrite``); the Teams link is the event's ``onlineMeeting.joinUrl``. The facts
behind the choices here are in /work/shared/reference/graph-msal.md (§1.2, §1.4, §1.5, §2, §3).

Nothing here retries on its own except the one retry after a 401 (stale app token): throttling,
outages and time-outs become a ``MeetingError(retryable=True, retry_after=…)`` so the caller (a
background job) decides when to try again. A retried create is safe: every event carries a
``transactionId`` that is stable per appointment, and when Graph says that id was used already
the existing event is looked up instead of making a second one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx
import msal

from balie.services.meetings.interface import (
    Meeting,
    MeetingError,
    MeetingRequest,
    register_provider,
    transaction_id_for,
)
from balie.settings import Settings

log = logging.getLogger(__name__)

PUBLIC_LOGIN_URL = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TEAMS = "teamsForBusiness"
# Never change: transaction ids of appointments already booked are derived from it.
RETRYABLE_STATUSES = frozenset({429, 503, 504})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
JOIN_URL_DELAYS = (1.0, 2.0, 4.0)  # waits before each re-read of an event without a link
# Searched around the appointment when Graph reports the transactionId as already used.
DUPLICATE_SEARCH_MARGIN = timedelta(hours=12)
CANCEL_COMMENT = "Deze afspraak is geannuleerd via de Digitale Balie."
CHECK_OK = "OK  "
CHECK_FAIL = "FAIL"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (seconds or HTTP-date) in seconds from ``now``; None if absent."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _require_safe_url(url: str, what: str) -> None:
    """Refuse plain http except on this machine (test fakes): tokens and secrets travel there."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return
    raise MeetingError(
        f"{what} {url!r} must be an https URL (plain http only on 127.0.0.1/localhost).",
        retryable=False,
        code="InsecureUrl",
    )


# ----- app token (msal) ----------------------------------------------------------------------


class TokenSource(Protocol):
    """Hands out app tokens for Graph."""

    def token(self) -> str:
        """A valid access token (cached while it lasts)."""
        ...

    def drop(self) -> None:
        """Forget cached tokens so the next ``token()`` asks Entra ID again."""
        ...


class LoginRedirectTransport(httpx.BaseTransport):
    """Sends requests for ``public_host`` to ``target_url`` (scheme, host, port, path prefix).

    msal only accepts https authorities (graph-msal.md §3.5), so against a plain-http fake the
    authority stays ``https://login.microsoftonline.com/<tenant>`` and this transport carries
    its requests to the fake. The Host header keeps the public name, so the fake advertises
    endpoints msal accepts.
    """

    def __init__(
        self, public_host: str, target_url: str, inner: httpx.BaseTransport | None = None
    ) -> None:
        self.public_host = public_host
        self.target = urlsplit(target_url.rstrip("/"))
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the URL when it is for the public login host, then send."""
        if request.url.host == self.public_host:
            request.url = request.url.copy_with(
                scheme=self.target.scheme,
                host=self.target.hostname,
                port=self.target.port,
                path=self.target.path + request.url.path,
            )
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the underlying transport."""
        self.inner.close()


def login_routing(login_url: str) -> tuple[str, httpx.BaseTransport]:
    """The authority base msal gets for ``login_url`` and the transport that reaches it."""
    _require_safe_url(login_url, "BALIE_ENTRA_LOGIN_URL")
    if urlsplit(login_url).scheme == "https":
        return login_url.rstrip("/"), httpx.HTTPTransport()
    public = urlsplit(PUBLIC_LOGIN_URL).hostname or ""
    return PUBLIC_LOGIN_URL, LoginRedirectTransport(public, login_url)


class AppTokenSource:
    """App-only Graph tokens from ONE msal ``ConfidentialClientApplication`` (it caches them).

    ``credential`` is the client secret, or an msal certificate dict such as
    ``{"private_key": pem, "thumbprint": hex}``. The msal application is built on first use,
    because building it already talks to Entra ID (tenant discovery).

    ``instance_discovery`` is left on: for ``login.microsoftonline.com`` msal skips it at start-up
    and after a failed token request it looks up authority aliases on the same host, which the
    transport above routes to the fake as well.
    """

    def __init__(
        self,
        *,
        login_url: str,
        tenant_id: str,
        client_id: str,
        credential: str | dict[str, Any],
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        authority_base, transport = login_routing(login_url)
        self.authority = f"{authority_base}/{tenant_id}"
        self.client_id = client_id
        self._credential = credential
        self._http = httpx.Client(transport=transport, timeout=timeout)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AppTokenSource:
        """A token source for the app registration in ``settings`` (client secret)."""
        return cls(
            login_url=settings.entra_login_url,
            tenant_id=settings.entra_tenant_id,
            client_id=settings.entra_client_id,
            credential=settings.entra_client_secret.get_secret_value(),
        )

    def token(self) -> str:
        """A Graph app token; msal answers from its cache while more than 5 minutes remain."""
        try:
            result = self._application().acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except MeetingError:
            raise
        except (httpx.TransportError, httpx.HTTPStatusError, msal.exceptions.MsalServiceError) as e:
            raise MeetingError(
                f"Entra ID could not be reached for a token: {e}",
                retryable=True,
                code="TokenServiceUnavailable",
            ) from e
        except ValueError as error:  # msal: the token endpoint answered something other than JSON
            raise MeetingError(
                f"Entra ID gave an unreadable token answer: {error}",
                retryable=True,
                code="TokenServiceUnavailable",
            ) from error
        if "access_token" in result:
            return result["access_token"]
        raise _token_error(result)

    def drop(self) -> None:
        """Remove cached app tokens (after Graph answered 401 to one)."""
        with self._lock:
            if self._app is not None:
                self._app.remove_tokens_for_client()

    def close(self) -> None:
        """Close the HTTP connections to Entra ID."""
        self._http.close()

    def _application(self) -> msal.ConfidentialClientApplication:
        """The msal application, built once (thread-safe)."""
        with self._lock:
            if self._app is None:
                self._app = self._build_application()
            return self._app

    def _build_application(self) -> msal.ConfidentialClientApplication:
        """Build the msal application; its constructor fetches the tenant's configuration."""
        try:
            return msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self._credential,
                authority=self.authority,
                http_client=self._http,
            )
        except (httpx.TransportError, httpx.HTTPStatusError) as error:
            raise MeetingError(
                f"Entra ID could not be reached: {error}",
                retryable=True,
                code="TokenServiceUnavailable",
            ) from error
        except ValueError as error:
            raise MeetingError(
                f"Entra ID does not know tenant {self.authority!r}: {error}",
                retryable=False,
                code="invalid_tenant",
            ) from error


def _token_error(result: dict[str, Any]) -> MeetingError:
    """An msal error result as a MeetingError (Entra's ``error`` becomes the code)."""
    error = str(result.get("error", "unknown_error"))
    description = str(result.get("error_description", "")).split("\r\n")[0].split("\n")[0]
    return MeetingError(
        f"Entra ID refused the token request: {error}: {description}",
        retryable=error in {"temporarily_unavailable", "server_error"},
        code=error,
    )


_shared_sources: dict[str, AppTokenSource] = {}
_shared_lock = threading.Lock()


def shared_token_source(settings: Settings) -> AppTokenSource:
    """The one token source of this process for the app registration in ``settings``."""
    secret = settings.entra_client_secret.get_secret_value()
    key = "|".join(
        (
            settings.entra_login_url,
            settings.entra_tenant_id,
            settings.entra_client_id,
            hashlib.sha256(secret.encode()).hexdigest(),
        )
    )
    with _shared_lock:
        if key not in _shared_sources:
            _shared_sources[key] = AppTokenSource.from_settings(settings)
        return _shared_sources[key]


# ----- Graph HTTP ----------------------------------------------------------------------------

_shared_graph_http: httpx.Client | None = None


def shared_graph_http() -> httpx.Client:
    """The one connection pool to Graph of this process (providers are made per booking)."""
    global _shared_graph_http
    with _shared_lock:
        if _shared_graph_http is None:
            _shared_graph_http = httpx.Client(timeout=DEFAULT_TIMEOUT)
        return _shared_graph_http


class GraphError(MeetingError):
    """A Graph call that did not succeed; ``status`` is the HTTP status (None: no answer)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        code: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, retry_after=retry_after, code=code)
        self.status = status


def error_from_response(response: httpx.Response) -> GraphError:
    """A non-2xx Graph answer as a GraphError (retryable for 429, 5xx)."""
    code, message = _error_envelope(response)
    status = response.status_code
    retryable = status in RETRYABLE_STATUSES or status >= 500
    retry_after = parse_retry_after(response.headers.get("Retry-After")) if retryable else None
    return GraphError(
        f"Graph answered {status} {code or response.reason_phrase}: {message} "
        f"(request-id {response.headers.get('request-id', '?')})",
        retryable=retryable,
        retry_after=retry_after,
        code=code,
        status=status,
    )


def _error_envelope(response: httpx.Response) -> tuple[str, str]:
    """``error.code`` and ``error.message`` of a Graph error body ("" when absent)."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return "", response.text[:200]
    if not isinstance(error, dict):
        return "", str(error)[:200]
    return str(error.get("code", "")), str(error.get("message", ""))


class GraphClient:
    """Calls Microsoft Graph with an app token; answers become dicts or GraphErrors."""

    def __init__(
        self,
        base_url: str,
        token_source: TokenSource,
        *,
        http: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        _require_safe_url(base_url, "BALIE_GRAPH_BASE_URL")
        self.base_url = base_url.rstrip("/")
        self.token_source = token_source
        self.http = http or httpx.Client(timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a request (path below the base URL, or a full Graph URL); 401 → new token, once."""
        url = self._url(path)
        response = self._send(method, url, params, json)
        if response.status_code == 401:
            self.token_source.drop()
            response = self._send(method, url, params, json)
        if response.is_success:
            return response.json() if response.content else {}
        error = error_from_response(response)
        log.warning(
            "Graph %s %s failed: %s (client-request-id %s)",
            method,
            urlsplit(url).path,
            error,
            response.request.headers.get("client-request-id"),
        )
        raise error

    def close(self) -> None:
        """Close the HTTP connections to Graph."""
        self.http.close()

    def _url(self, path: str) -> str:
        """The full URL; full URLs (``@odata.nextLink``) must point at our Graph base URL."""
        if not path.startswith(("http://", "https://")):
            return self.base_url + path
        if not path.startswith(self.base_url + "/"):
            raise GraphError(
                f"Graph sent a link outside {self.base_url}: {path}",
                retryable=False,
                code="ForeignLink",
            )
        return path

    def _send(
        self, method: str, url: str, params: dict[str, str] | None, json: dict[str, Any] | None
    ) -> httpx.Response:
        """One HTTP exchange; no answer at all becomes a retryable GraphError."""
        headers = {
            "Authorization": f"Bearer {self.token_source.token()}",
            "client-request-id": str(uuid.uuid4()),
            "Prefer": 'outlook.timezone="UTC"',
            "Accept": "application/json",
        }
        try:
            return self.http.request(method, url, params=params, json=json, headers=headers)
        except httpx.TimeoutException as error:
            raise GraphError(
                f"Graph did not answer {method} in time: {error!r}", retryable=True, code="Timeout"
            ) from error
        except httpx.TransportError as error:
            raise GraphError(
                f"Graph could not be reached: {error!r}", retryable=True, code="ConnectionError"
            ) from error


# ----- the provider --------------------------------------------------------------------------


def _graph_time(moment: datetime) -> dict[str, str]:
    """An aware datetime as Graph's ``dateTimeTimeZone`` in UTC."""
    if moment.tzinfo is None:
        raise ValueError("meeting times must be timezone-aware")
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _query_time(moment: datetime) -> str:
    """An aware datetime as a calendarView bound."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _join_url_of(event: dict[str, Any]) -> str:
    """The event's Teams join URL, or "" while Graph has none."""
    online = event.get("onlineMeeting") or {}
    url = online.get("joinUrl") if isinstance(online, dict) else None
    return url if isinstance(url, str) and url.startswith("https://") else ""


def _times(request: MeetingRequest) -> tuple[datetime, datetime]:
    """Start and end of the request; both are needed for a Teams calendar event."""
    if request.start is None or request.end is None:
        raise MeetingError(
            f"Appointment {request.reference} has no start or end time.",
            retryable=False,
            code="NoTime",
        )
    return request.start, request.end


def _user_path(mailbox: str) -> str:
    """``/users/{mailbox}`` with the mailbox escaped for a URL path."""
    return f"/users/{quote(mailbox, safe='@')}"


def _event_path(mailbox: str, event_id: str) -> str:
    """``/users/{mailbox}/events/{id}`` (event ids may contain ``/``, ``+`` and ``=``)."""
    return f"{_user_path(mailbox)}/events/{quote(event_id, safe='')}"


class TeamsProvider:
    """Teams meetings as events in the organiser's calendar (Graph ``/users/{id}/events``)."""

    name = "teams"

    def __init__(
        self,
        settings: Settings,
        token_source: TokenSource | None = None,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        join_url_delays: Sequence[float] = JOIN_URL_DELAYS,
    ) -> None:
        self.default_organiser = settings.teams_organiser_mailbox
        self.graph = GraphClient(
            settings.graph_base_url,
            token_source or shared_token_source(settings),
            http=http or shared_graph_http(),
        )
        self.sleep = sleep
        self.join_url_delays = tuple(join_url_delays)

    def create(self, request: MeetingRequest) -> Meeting:
        """Create the event with a Teams meeting; a repeated create finds the first event."""
        organiser = self._organiser(request.organiser)
        payload = self._event_payload(request)
        try:
            event = self.graph.request("POST", f"{_user_path(organiser)}/events", json=payload)
        except GraphError as error:
            if error.code != "ErrorDuplicateTransactionId":
                raise
            # An earlier create went through but its answer was lost: use that event.
            event = self._event_with_transaction(organiser, request, payload["transactionId"])
        join_url = self._wait_for_join_url(organiser, event)
        return Meeting(self.name, f"{organiser}|{event['id']}", join_url)

    def update(self, external_id: str, request: MeetingRequest) -> None:
        """Move the event; only start and end are sent (a new body would drop the meeting)."""
        organiser, event_id = self._split(external_id, request)
        start, end = _times(request)
        self.graph.request(
            "PATCH",
            _event_path(organiser, event_id),
            json={"start": _graph_time(start), "end": _graph_time(end)},
        )

    def cancel(self, external_id: str, request: MeetingRequest) -> None:
        """Cancel the event (Graph tells attendees); an event that is already gone is fine."""
        organiser, event_id = self._split(external_id, request)
        try:
            self.graph.request(
                "POST",
                f"{_event_path(organiser, event_id)}/cancel",
                json={"comment": CANCEL_COMMENT},
            )
        except GraphError as error:
            if error.status != 404:
                raise

    def _organiser(self, requested: str) -> str:
        """The mailbox that organises the meeting: the request's, else the configured one."""
        organiser = requested or self.default_organiser
        if not organiser:
            raise MeetingError(
                "No organiser mailbox: set BALIE_TEAMS_ORGANISER_MAILBOX or give the staff "
                "member's Entra object id.",
                retryable=False,
                code="NoOrganiser",
            )
        return organiser

    def _split(self, external_id: str, request: MeetingRequest) -> tuple[str, str]:
        """(organiser, event id) from ``organiser|event-id`` (older ids: event id only)."""
        organiser, separator, event_id = external_id.partition("|")
        if not separator:
            return self._organiser(request.organiser), external_id
        return organiser, event_id

    def _event_payload(self, request: MeetingRequest) -> dict[str, Any]:
        """The new event: subject, the caller's body text, UTC times, Teams, transactionId."""
        start, end = _times(request)
        payload: dict[str, Any] = {
            "subject": request.subject,
            "start": _graph_time(start),
            "end": _graph_time(end),
            "isOnlineMeeting": True,
            "onlineMeetingProvider": TEAMS,
            "allowNewTimeProposals": False,
            "transactionId": request.transaction_id or transaction_id_for(request.reference),
        }
        if request.body:
            payload["body"] = {"contentType": "text", "content": request.body}
        return payload

    def _event_with_transaction(
        self, organiser: str, request: MeetingRequest, transaction_id: str
    ) -> dict[str, Any]:
        """The event created earlier with ``transaction_id`` (not filterable: list and match)."""
        start, end = _times(request)
        params = {
            "startDateTime": _query_time(start - DUPLICATE_SEARCH_MARGIN),
            "endDateTime": _query_time(end + DUPLICATE_SEARCH_MARGIN),
            "$select": "id,transactionId,isOnlineMeeting,onlineMeeting",
            "$top": "50",
        }
        for event in self._calendar_view(organiser, params):
            if event.get("transactionId") == transaction_id:
                return event
        raise GraphError(
            f"Graph reports transactionId {transaction_id} as used, but no event of "
            f"{organiser} near {_query_time(start)} carries it.",
            retryable=False,
            code="ErrorDuplicateTransactionId",
            status=400,
        )

    def _calendar_view(self, organiser: str, params: dict[str, str]) -> Iterable[dict[str, Any]]:
        """Every event in a calendarView window, following ``@odata.nextLink``."""
        page = self.graph.request("GET", f"{_user_path(organiser)}/calendarView", params=params)
        yield from page.get("value", [])
        while page.get("@odata.nextLink"):
            page = self.graph.request("GET", page["@odata.nextLink"])
            yield from page.get("value", [])

    def _wait_for_join_url(self, organiser: str, event: dict[str, Any]) -> str:
        """The join URL; re-read the event a few times when Graph has not filled it in yet."""
        join_url = _join_url_of(event)
        for delay in self.join_url_delays:
            if join_url:
                return join_url
            self.sleep(delay)
            event = self.graph.request(
                "GET",
                _event_path(organiser, event["id"]),
                params={"$select": "isOnlineMeeting,onlineMeetingProvider,onlineMeeting"},
            )
            join_url = _join_url_of(event)
        if join_url:
            return join_url
        raise MeetingError(
            f"Graph made event {event['id']} for {organiser} without a Teams link.",
            retryable=True,
            code="JoinUrlMissing",
        )


register_provider(TeamsProvider.name, TeamsProvider)


# ----- tenant check --------------------------------------------------------------------------


def check_failed(lines: Iterable[str]) -> bool:
    """Whether a ``check_tenant`` report contains a problem."""
    return any(line.startswith(CHECK_FAIL) for line in lines)


def _missing_settings(settings: Settings) -> list[str]:
    """FAIL lines for Teams settings that are empty."""
    missing = []
    if not settings.entra_tenant_id:
        missing.append("BALIE_ENTRA_TENANT_ID")
    if not settings.entra_client_id:
        missing.append("BALIE_ENTRA_CLIENT_ID")
    if not settings.entra_client_secret.get_secret_value():
        missing.append("BALIE_ENTRA_CLIENT_SECRET")
    return [f"{CHECK_FAIL} settings: {name} is empty." for name in missing]


def _token_line(settings: Settings, token_source: TokenSource) -> str:
    """One line about getting an app token."""
    try:
        token_source.token()
    except MeetingError as error:
        explanations = {
            "invalid_client": "Entra ID refused the client secret (invalid_client, "
            "AADSTS7000215): create a new secret and put its value (not its id) in "
            "BALIE_ENTRA_CLIENT_SECRET.",
            "unauthorized_client": "Entra ID does not know client id "
            f"{settings.entra_client_id} in this tenant (unauthorized_client).",
            "invalid_tenant": f"Entra ID does not know tenant {settings.entra_tenant_id} "
            "(check BALIE_ENTRA_TENANT_ID).",
            "invalid_scope": "Entra ID refused the Graph scope (invalid_scope).",
        }
        return f"{CHECK_FAIL} token: {explanations.get(error.code, str(error))}"
    return (
        f"{CHECK_OK} token: Entra ID issued an app token for client {settings.entra_client_id} "
        f"in tenant {settings.entra_tenant_id}."
    )


def _mailbox_line(graph: GraphClient, mailbox: str) -> str:
    """One line about whether ``mailbox`` can organise Teams meetings for this app."""
    try:
        calendar = graph.request(
            "GET",
            f"{_user_path(mailbox)}/calendar",
            params={"$select": "allowedOnlineMeetingProviders,defaultOnlineMeetingProvider"},
        )
    except GraphError as error:
        if error.status == 403 or error.code == "ErrorAccessDenied":
            return (
                f"{CHECK_FAIL} {mailbox}: access denied ({error.code or error.status}): grant the "
                "application permission Calendars.ReadWrite with admin consent, and allow this "
                "mailbox in the Exchange application access policy if there is one."
            )
        if error.status == 404:
            return f"{CHECK_FAIL} {mailbox}: no such mailbox ({error.code})."
        return f"{CHECK_FAIL} {mailbox}: {error}"
    allowed = calendar.get("allowedOnlineMeetingProviders") or []
    if TEAMS not in allowed:
        return (
            f"{CHECK_FAIL} {mailbox}: the calendar does not offer Teams meetings (allowed: "
            f"{', '.join(allowed) or 'none'}): give the mailbox a Teams licence or allow Teams "
            "as online meeting provider."
        )
    return f"{CHECK_OK} {mailbox}: calendar reachable, Teams meetings allowed."


def _unique(mailboxes: Iterable[str]) -> list[str]:
    """Non-empty mailboxes, each once (case-insensitive), in the given order."""
    seen: dict[str, str] = {}
    for mailbox in mailboxes:
        if mailbox and mailbox.lower() not in seen:
            seen[mailbox.lower()] = mailbox
    return list(seen.values())


def check_tenant(
    settings: Settings,
    mailboxes: Iterable[str] = (),
    *,
    token_source: TokenSource | None = None,
    http: httpx.Client | None = None,
) -> list[str]:
    """Readable ``OK``/``FAIL`` lines: app token, then each organiser mailbox's calendar."""
    problems = _missing_settings(settings)
    if problems:
        return problems
    try:
        # A fresh token source, not the shared one: msal remembers refusals for a while.
        source = token_source or AppTokenSource.from_settings(settings)
        graph = GraphClient(settings.graph_base_url, source, http=http)
    except MeetingError as error:
        return [f"{CHECK_FAIL} settings: {error}"]
    try:
        return _check_lines(settings, source, graph, mailboxes)
    finally:
        if http is None:
            graph.close()
        if token_source is None and isinstance(source, AppTokenSource):
            source.close()


def _check_lines(
    settings: Settings, source: TokenSource, graph: GraphClient, mailboxes: Iterable[str]
) -> list[str]:
    """The token line, then one line per mailbox (none when there is no token)."""
    lines = [_token_line(settings, source)]
    if check_failed(lines):
        return lines
    wanted = _unique([settings.teams_organiser_mailbox, *mailboxes])
    if not wanted:
        lines.append(
            f"{CHECK_FAIL} mailbox: none to check; set BALIE_TEAMS_ORGANISER_MAILBOX or pass "
            "--mailbox."
        )
    lines.extend(_mailbox_line(graph, mailbox) for mailbox in wanted)
    return lines
