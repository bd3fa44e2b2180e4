"""State behind what every citizen page says about itself (meta description)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from balie.services import catalogue_cache
from balie.services.site_meta import DEFAULT_DESCRIPTION, page_description
from balie.states.tenant import organisation_slug_of, tenant_session


class SiteState(rx.State):
    """The organisation's description of the site (public data)."""

    description: str = DEFAULT_DESCRIPTION

    @rx.event
    def load_meta(self) -> None:
        """Describe the site with the organisation's name and live services (cached catalogue)."""
        with tenant_session(self) as session:
            catalogue = catalogue_cache.current(session, organisation_slug_of(self) or "")
        if catalogue is None:
            return
        organisation = catalogue.organisation
        today = datetime.now(ZoneInfo(organisation.time_zone)).date()
        names = [view.name.get("nl", "") for view in catalogue.live_views(today)]
        self.description = page_description(organisation.name, names)
