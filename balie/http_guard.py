"""One ASGI middleware in front of every answer: Host check, body limit and security headers.

It wraps the whole backend (balie.api mounts the Reflex app, so pages, assets, the websocket
and the API all pass through it). The Content-Security-Policy allows the inline scripts of the
production build by their SHA-256 hashes, read from the built HTML files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from balie.services import tenancy
from balie.settings import Settings, get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/"
GUARDED = "balie.guarded"  # scope key: the request already passed a guard further out
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
MAX_API_BODY_BYTES = 16_384
UPLOAD_PATH = "/_upload"  # Reflex's upload endpoint (it has no size limit of its own)
UPLOAD_FILES_AT_ONCE = 3
UPLOAD_OVERHEAD_BYTES = 65_536  # multipart headers and boundaries
# Pages whose answers may hold personal data: never kept in a (shared) browser or proxy cache.
NO_STORE_PREFIXES = (
    "/medewerkers",
    "/beheer",
    "/statistieken",
    "/afspraak",
    "/api/staff",
    "/api/v1/appointments",
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)
HSTS = "max-age=31536000"
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was being received."""


@lru_cache(maxsize=1)
def _build_dir() -> Path:
    """Folder of the compiled frontend (what `reflex run --env prod --single-port` serves)."""
    from reflex import constants
    from reflex.utils import prerequisites

    return (prerequisites.get_web_dir() / constants.Dirs.STATIC).resolve()


def inline_script_hashes(folder: Path) -> tuple[str, ...]:
    """CSP sources ('sha256-…') for every inline script in the built HTML files."""
    hashes: set[str] = set()
    for page in sorted(folder.rglob("*.html")):
        for script in INLINE_SCRIPT.findall(page.read_bytes()):
            digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return tuple(sorted(hashes))


@lru_cache(maxsize=4)
def _hashes_of_build(folder: str, _stamp: float) -> tuple[str, ...]:
    """Hashes of one build (the stamp changes when the frontend is built again)."""
    return inline_script_hashes(Path(folder))


def _served_build() -> tuple[str, float] | None:
    """The build folder and its stamp (changes when the frontend is built again); None: none."""
    folder = _build_dir()
    try:
        return str(folder), (folder / "index.html").stat().st_mtime
    except OSError:
        return None


def current_script_hashes() -> tuple[str, ...]:
    """Inline script hashes of the build being served (none when there is no build)."""
    build = _served_build()
    return _hashes_of_build(*build) if build else ()


@lru_cache(maxsize=4)
def _folders_of_build(folder: str, _stamp: float) -> frozenset[str]:
    """URL paths ("/boeken") of the build's folders that hold an index.html."""
    root = Path(folder)
    return frozenset(
        "/" + index.parent.relative_to(root).as_posix()
        for index in root.rglob("index.html")
        if index.parent != root
    )


def page_folders() -> frozenset[str]:
    """Pages the build serves as a folder's index.html (none when there is no build).

    Starlette's static files answer "/boeken" with a redirect to "/boeken/" when "boeken/" is a
    folder (it is one because of "/boeken/bevestigd"): a round trip before every page.
    """
    build = _served_build()
    return _folders_of_build(*build) if build else frozenset()


def _without_redirect(scope: Scope) -> Scope:
    """The request for a page's folder index as "/page/" (what the redirect would ask for)."""
    path = scope.get("path", "")
    if scope.get("method") not in ("GET", "HEAD") or path not in page_folders():
        return scope
    changed = {**scope, "path": path + "/"}
    if scope.get("raw_path") == path.encode():
        changed["raw_path"] = path.encode() + b"/"
    return changed


def _origin(url: str) -> str:
    """scheme://host[:port] of ``url`` ("" when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _backend_origins() -> list[str]:
    """Where the browser reaches the backend: the API URL the build uses and the public URL."""
    return list(_origins_of(os.environ.get("REFLEX_API_URL", ""), get_settings().public_base_url))


@lru_cache(maxsize=8)
def _origins_of(_api_url_override: str, public_base_url: str) -> tuple[str, ...]:
    """The backend origins for one configuration (Reflex's config is read once per key)."""
    from reflex.config import get_config

    origins = [_origin(url) for url in (get_config().api_url, public_base_url)]
    return tuple(dict.fromkeys(origin for origin in origins if origin))


def _websocket(origin: str) -> str:
    """The ws:/wss: twin of an http(s) origin (for the /_event websocket)."""
    return origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


def content_security_policy(script_hashes: tuple[str, ...], backend: list[str]) -> str:
    """The policy: own origin only, inline scripts by hash, no framing, no plugins.

    'unsafe-eval' stays because Reflex runs `rx.call_script` snippets sent by the server with
    eval(); no inline script or attribute handler runs unless its hash is listed.
    """
    own = " ".join(["'self'", *backend])
    sockets = " ".join(_websocket(origin) for origin in backend)
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", "'unsafe-eval'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": f"{own} {sockets}".strip(),
        "form-action": own,
        "frame-ancestors": "'none'",
        "frame-src": "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _own_origin(scope: Scope, settings: Settings) -> str:
    """The origin the page was requested at (an allowed host): its websocket goes there too.

    Each organisation has its own host, and the frontend reaches the backend on the host it
    was served from; the scheme is the public URL's (a proxy in front may speak plain http).
    """
    raw = next((value for name, value in scope.get("headers", []) if name == b"host"), b"")
    netloc = raw.decode("latin-1").strip().lower()
    if not netloc or not re.fullmatch(r"[a-z0-9.\-\[\]:]+", netloc):
        return ""
    scheme = urlsplit(settings.public_base_url).scheme or "http"
    return f"{scheme}://{netloc}"


def security_headers(
    path: str, settings: Settings, scope: Scope | None = None
) -> list[tuple[bytes, bytes]]:
    """The headers every answer gets (no-store only where personal data may show)."""
    hsts = settings.is_production and settings.public_base_url.startswith("https://")
    backend = _backend_origins()
    own = _own_origin(scope, settings) if scope is not None else ""
    if own and own not in backend:
        backend.append(own)
    return list(
        _headers_for(
            current_script_hashes(),
            tuple(backend),
            hsts,
            path.startswith(NO_STORE_PREFIXES),
        )
    )


@lru_cache(maxsize=32)
def _headers_for(
    script_hashes: tuple[str, ...], backend: tuple[str, ...], hsts: bool, no_store: bool
) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of one configuration, built once (every answer carries them)."""
    headers = {
        "content-security-policy": content_security_policy(script_hashes, list(backend)),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "permissions-policy": PERMISSIONS_POLICY,
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    if hsts:
        headers["strict-transport-security"] = HSTS
    if no_store:
        headers["cache-control"] = "no-store"
    return tuple((name.encode(), value.encode()) for name, value in headers.items())


def host_name(scope: Scope) -> str:
    """The name in the request's Host header, without port, lower case."""
    raw = next((value for name, value in scope.get("headers", []) if name == b"host"), b"")
    host = raw.decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _content_length(scope: Scope) -> int | None:
    """The declared body size; -1 when the header is not a number."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else -1
    return None


async def _answer(send: Send, status: int, body: dict[str, str], extra: list) -> None:
    """A small JSON answer sent straight from the middleware."""
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _plain_not_found(send: Send, extra: list) -> None:
    """A bare 404 for a host this deployment does not serve (no JSON, nothing about us)."""
    payload = b"Not Found"
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge as soon as more than ``limit`` bytes came in."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return counted


def body_limit(path: str, settings: Settings) -> int | None:
    """The largest request body for ``path``: small for the API, a few documents for uploads."""
    if path.startswith(API_PREFIX):
        return MAX_API_BODY_BYTES
    if path.rstrip("/").endswith(UPLOAD_PATH):
        return settings.document_max_bytes * UPLOAD_FILES_AT_ONCE + UPLOAD_OVERHEAD_BYTES
    return None


TOO_LARGE = {"error": "too_large", "message": "The request body is too large."}
NOT_FOUND = {"error": "not_found", "message": "No such address."}
BAD_LENGTH = {"error": "invalid_length", "message": "The Content-Length header is not a number."}


class HttpGuard:
    """Refuse unknown hosts and oversized bodies; add the security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with header-adding ``send``."""
        if scope["type"] not in ("http", "websocket") or scope.get(GUARDED):
            await self.app(scope, receive, send)
            return
        scope[GUARDED] = True
        settings = get_settings()
        path = scope.get("path", "")
        host = host_name(scope)
        slug = tenancy.organisation_slug_for_host(host)
        if slug is None:
            # A plain 404: an unknown host learns nothing about this deployment.
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _plain_not_found(send, security_headers(path, settings))
            return
        headers = security_headers(path, settings, scope)
        organisation_id = tenancy.organisation_id_for_slug(slug) or tenancy.NO_ORGANISATION
        tokens = (
            tenancy.current_organisation_slug.set(slug),
            tenancy.current_organisation_id.set(organisation_id),
        )
        try:
            await self._serve(scope, receive, send, headers)
        finally:
            tenancy.current_organisation_slug.reset(tokens[0])
            tenancy.current_organisation_id.reset(tokens[1])

    async def _serve(self, scope: Scope, receive: Receive, send: Send, headers: list) -> None:
        """The body limit and the redirect-free page folders, then the app."""
        settings = get_settings()
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if path.startswith(API_PREFIX) and CONTROL_CHARACTER.search(path):
            # Starlette's routers never match such a path; answer as the API does.
            await _answer(send, 404, NOT_FOUND, headers)
            return
        limit = body_limit(path, settings)
        if limit is not None:
            declared = _content_length(scope)
            if declared is not None and declared < 0:
                await _answer(send, 400, BAD_LENGTH, headers)
                return
            if declared is not None and declared > limit:
                await _answer(send, 413, TOO_LARGE, headers)
                return
            receive = _counting(receive, limit)
        else:
            scope = _without_redirect(scope)
        await self._pass_on(scope, receive, send, headers)

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send, headers: list) -> None:
        """Run the app; our headers replace same-named ones, a late BodyTooLarge becomes 413."""
        names = {name for name, _value in headers}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message["headers"] = kept + headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _answer(send, 413, TOO_LARGE, headers)
