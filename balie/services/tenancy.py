"""Which organisation a request belongs to: from the request's host, never from user input.

Interface shared by the HTTP routes, the websocket states and the jobs. The ``organisationhost``
table maps host names to organisations; every other host allowed by the settings serves
``BALIE_ORGANISATION``. So a database without host rows keeps the single-organisation set-up
(``make run`` on localhost, existing deployments), and once hosts exist they decide.

The map is cached per process for a few seconds (other processes see a change within
``HOSTS_TTL_SECONDS``; this process at once, through ``forget_hosts``).
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from threading import Lock
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from balie.models import Organisation, OrganisationHost
from balie.settings import Settings, get_settings

log = logging.getLogger(__name__)

HOSTS_TTL_SECONDS = 10.0
# Scope of a request whose host serves no organisation: matches no row, refuses every write.
NO_ORGANISATION = 0

# The organisation of the request or websocket event being handled (set by HttpGuard and the
# TenantScope middleware from the host); sessions opened without an explicit organisation use it.
current_organisation_id: ContextVar[int | None] = ContextVar(
    "current_organisation_id", default=None
)

current_organisation_slug: ContextVar[str | None] = ContextVar(
    "current_organisation_slug", default=None
)


@dataclass(frozen=True)
class HostMap:
    """The organisations and their hosts, as loaded from the database."""

    slug_of_host: dict[str, str] = field(default_factory=dict)
    primary_host: dict[str, str] = field(default_factory=dict)  # slug -> host
    id_of_slug: dict[str, int] = field(default_factory=dict)


_cache: dict[str, tuple[float, HostMap]] = {}
_lock = Lock()


def normalised_host(raw: str) -> str:
    """A Host header value without port, lower case ('' when empty or malformed)."""
    host = raw.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _load() -> HostMap:
    """Read the organisations and their hosts (an empty map when the tables are not there)."""
    from balie.db import get_engine

    try:
        with Session(get_engine()) as session:
            session.info["organisation_id"] = None  # the map spans every organisation
            organisations = session.exec(select(Organisation.id, Organisation.slug)).all()
            hosts = session.exec(
                select(OrganisationHost.host, OrganisationHost.is_primary, Organisation.slug)
                .join(Organisation, Organisation.id == OrganisationHost.organisation_id)
                .order_by(OrganisationHost.is_primary.desc(), OrganisationHost.id)
            ).all()
    except SQLAlchemyError as error:
        log.warning("organisation hosts not readable (%s); serving the configured one", error)
        return HostMap()
    primary: dict[str, str] = {}
    for host, _is_primary, slug in hosts:
        primary.setdefault(slug, host)
    return HostMap(
        slug_of_host={host: slug for host, _primary, slug in hosts},
        primary_host=primary,
        id_of_slug={slug: organisation_id for organisation_id, slug in organisations},
    )


def host_map() -> HostMap:
    """The cached map of this process for the configured database."""
    key = get_settings().database_url
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < HOSTS_TTL_SECONDS:
            return cached[1]
    loaded = _load()
    with _lock:
        _cache[key] = (now, loaded)
    return loaded


def forget_hosts() -> None:
    """Drop the cached map (after organisations or hosts changed, and between tests)."""
    with _lock:
        _cache.clear()


def allowed_host_names() -> frozenset[str]:
    """Every host this deployment answers: the configured ones and those of the host table."""
    return get_settings().allowed_host_names() | frozenset(host_map().slug_of_host)


def organisation_slug_for_host(host: str) -> str | None:
    """The slug of the organisation served at ``host`` (already normalised); None if unknown."""
    slug = host_map().slug_of_host.get(host)
    if slug is not None:
        return slug
    settings = get_settings()
    if host not in settings.allowed_host_names():
        return None
    return settings.organisation


def organisation_id_for_host(host: str) -> int | None:
    """The id of the organisation served at ``host``; None when unknown or not in the database."""
    slug = organisation_slug_for_host(host)
    return organisation_id_for_slug(slug) if slug else None


def organisation_id_for_slug(slug: str) -> int | None:
    """The id of the organisation ``slug`` (looked up again once when it is new)."""
    found = host_map().id_of_slug.get(slug)
    if found is None:
        forget_hosts()  # created since the map was loaded (demo data, a new city)
        found = host_map().id_of_slug.get(slug)
    return found


def scope_for_host(host: str) -> int:
    """The organisation id that scopes a request at ``host`` (NO_ORGANISATION when none)."""
    return organisation_id_for_host(host) or NO_ORGANISATION


def scope_for_slug(slug: str) -> int:
    """The organisation id that scopes work for ``slug`` (NO_ORGANISATION when unknown)."""
    return (organisation_id_for_slug(slug) if slug else None) or NO_ORGANISATION


def primary_host(slug: str) -> str | None:
    """The host used in links of organisation ``slug``; None: the configured public URL's."""
    return host_map().primary_host.get(slug)


def public_base_url_for(slug: str, settings: Settings | None = None) -> str:
    """The base URL of links (e-mails, .ics, manage links, sign-in returns) of ``slug``.

    An organisation without hosts uses BALIE_PUBLIC_BASE_URL; one with hosts its primary host,
    over https in production, and with the configured scheme and port elsewhere (development
    serves every host on one port).
    """
    settings = settings or get_settings()
    configured = settings.public_base_url.rstrip("/")
    host = primary_host(slug)
    if host is None:
        return configured
    if settings.is_production:
        return f"https://{host}"
    parts = urlsplit(configured)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{host}{port}"


_settings_copies: dict[tuple[int, str, str], tuple[Settings, Settings]] = {}


def settings_for(settings: Settings, slug: str) -> Settings:
    """``settings`` as seen by organisation ``slug``: its slug and its public base URL.

    Every link built from settings (manage links, .ics, e-mails, surveys, sign-in returns)
    then points at that organisation's own host.
    """
    base = public_base_url_for(slug, settings)
    if slug == settings.organisation and base == settings.public_base_url.rstrip("/"):
        return settings
    key = (id(settings), slug, base)
    cached = _settings_copies.get(key)
    if cached is None or cached[0] is not settings:
        copy = settings.model_copy(update={"organisation": slug, "public_base_url": base})
        if len(_settings_copies) > 256:
            _settings_copies.clear()
        cached = _settings_copies[key] = (settings, copy)
    return cached[1]


def request_settings() -> Settings:
    """The settings as seen by the organisation of the request being handled."""
    settings = get_settings()
    return settings_for(settings, current_organisation_slug.get() or settings.organisation)


def slug_of(session: Session, organisation_id: int) -> str:
    """The slug of organisation ``organisation_id`` ('' when it does not exist)."""
    organisation = session.get(Organisation, organisation_id)
    return organisation.slug if organisation else ""


def request_backend_url(api_url: str) -> str:
    """Where the browser reaches the backend for this request's organisation: its own host when
    it has one (redirect URIs, sign-in starts), else the configured API URL."""
    slug = current_organisation_slug.get()
    if slug and primary_host(slug):
        return public_base_url_for(slug)
    return api_url.rstrip("/")


def origin_allowed(origin: str | None) -> bool:
    """Whether a browser page at ``origin`` may open the websocket: a configured origin, or
    one of an organisation's hosts (https in production; any port in development)."""
    if not origin:
        return False
    settings = get_settings()
    if origin.rstrip("/") in settings.allowed_origins():
        return True
    parts = urlsplit(origin)
    if parts.hostname not in host_map().slug_of_host:
        return False
    if settings.is_production:
        return parts.scheme == "https" and parts.port in (None, 443)
    return parts.scheme in ("http", "https")
