"""The catalogue (organisation, services, topics) kept in memory per process.

Citizens read the catalogue on every page and booking; administrators change it a few times a
year. Each process keeps one snapshot per database and organisation, and looks at most once per
``CHECK_SECONDS`` whether the catalogue's version number in the database (table cacheversion)
moved. ``catalogue_admin`` raises that number in the transaction of every change (and empties
this process's cache at once), so every worker and instance reloads within ``CHECK_SECONDS``.
Snapshots hold detached copies: they are read, never added to a session.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from balie.models import CacheVersion, Organisation, Service, Topic
from balie.services.catalogue import ServiceView, service_view

NAME = "catalogue"
CHECK_SECONDS = 1.0


@dataclass
class Catalogue:
    """One organisation's catalogue as it was at ``version``."""

    version: int
    organisation: Organisation
    services: dict[str, Service]
    services_by_id: dict[int, Service]
    topics: dict[tuple[int, str], Topic]
    topics_by_id: dict[int, Topic]
    checked_at: float = 0.0
    _views: dict[date, list[ServiceView]] = field(default_factory=dict)
    # Values callers derive from this snapshot (e.g. a serialised answer); dropped with it.
    derived: dict[object, object] = field(default_factory=dict)

    def live_views(self, today: date) -> list[ServiceView]:
        """Active services live on ``today`` with their active topics, in display order."""
        views = self._views.get(today)
        if views is None:
            views = self._views[today] = _live_views(self, today)
        return views


def _live_views(catalogue: Catalogue, today: date) -> list[ServiceView]:
    """What ``catalogue.live_services`` would read from the database."""
    services = sorted(
        (s for s in catalogue.services.values() if s.active and s.live_from <= today),
        key=lambda s: (s.sort_order, s.id),
    )
    topics: dict[int, list[Topic]] = {service.id: [] for service in services}
    for topic in sorted(catalogue.topics_by_id.values(), key=lambda t: (t.sort_order, t.id)):
        if topic.active and topic.service_id in topics:
            topics[topic.service_id].append(topic)
    return [service_view(service, topics[service.id]) for service in services]


_cache: dict[tuple[str, str], Catalogue] = {}
_lock = threading.Lock()


def read_version(session: Session) -> int:
    """The catalogue's version number in the database (0 before the first change)."""
    version = session.exec(select(CacheVersion.version).where(CacheVersion.name == NAME)).first()
    return version or 0


def _load(session: Session, slug: str, version: int) -> Catalogue | None:
    """Read the organisation's catalogue (three queries) in a session of its own.

    Its own session, so the snapshot's rows are never the caller's: they are detached at the
    end (their loaded values stay) and shared read-only between threads.
    """
    with Session(session.get_bind(), expire_on_commit=False) as own:
        organisation = own.exec(select(Organisation).where(Organisation.slug == slug)).first()
        if organisation is None:
            return None
        services = own.exec(select(Service).where(Service.organisation_id == organisation.id))
        services = list(services)
        service_ids = [service.id for service in services]
        topics = list(own.exec(select(Topic).where(Topic.service_id.in_(service_ids))))
        own.expunge_all()
    return Catalogue(
        version=version,
        organisation=organisation,
        services={service.slug: service for service in services},
        services_by_id={service.id: service for service in services},
        topics={(topic.service_id, topic.slug): topic for topic in topics},
        topics_by_id={topic.id: topic for topic in topics},
    )


def _key(engine: Engine, slug: str) -> tuple[str, str]:
    """The cache key of one database and organisation."""
    return (engine.url.render_as_string(hide_password=True), slug)


def fresh(engine: Engine, slug: str) -> Catalogue | None:
    """The snapshot when its version was checked less than CHECK_SECONDS ago, else None.

    Needs no database: an async caller can answer from it without a thread.
    """
    with _lock:
        cached = _cache.get(_key(engine, slug))
    if cached is not None and time.monotonic() - cached.checked_at < CHECK_SECONDS:
        return cached
    return None


def current(session: Session, slug: str) -> Catalogue | None:
    """The catalogue of organisation ``slug``; None when there is no such organisation."""
    key = _key(session.get_bind(), slug)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now - cached.checked_at < CHECK_SECONDS:
        return cached
    version = read_version(session)
    if cached is None or cached.version != version:
        cached = _load(session, slug, version)
        if cached is None:
            return None
    cached.checked_at = now
    with _lock:
        _cache[key] = cached
    return cached


def changed(session: Session) -> None:
    """Raise the version in the caller's transaction and forget this process's snapshots."""
    raised = session.execute(
        update(CacheVersion)
        .where(CacheVersion.name == NAME)
        .values(version=CacheVersion.version + 1)
    )
    if raised.rowcount == 0:
        session.add(CacheVersion(name=NAME, version=1))
        session.flush()
    clear()


def clear() -> None:
    """Forget every snapshot of this process (the next read loads the catalogue again)."""
    with _lock:
        _cache.clear()
