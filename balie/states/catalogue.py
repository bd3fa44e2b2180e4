"""State behind the home page: the live services of the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from balie.services.catalogue import get_organisation, live_services
from balie.states.tenant import organisation_slug_of, tenant_session


@dataclass
class ServiceCard:
    """What the home page shows of one service, in both languages."""

    slug: str
    name: dict[str, str]
    description: dict[str, str]
    topic_count: int


class CatalogueState(rx.State):
    """The organisation and its live services (public data)."""

    organisation_name: str = ""
    counter_booking_url: str = ""
    services: list[ServiceCard] = []
    loaded: bool = False

    @rx.event
    def load(self) -> None:
        """Read the organisation's live services from the database."""
        with tenant_session(self) as session:
            organisation = get_organisation(session, organisation_slug_of(self) or "")
            if organisation is None:
                self.services, self.loaded = [], True
                return
            today = datetime.now(ZoneInfo(organisation.time_zone)).date()
            views = live_services(session, organisation.id, today)
            self.organisation_name = organisation.name
            self.counter_booking_url = organisation.counter_booking_url or ""
        self.services = [
            ServiceCard(
                slug=view.slug,
                name=view.name,
                description=view.description,
                topic_count=len(view.topics),
            )
            for view in views
        ]
        self.loaded = True
