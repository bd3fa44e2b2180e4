"""State behind what every citizen page says and shows of the organisation (public data only):
the meta description, its display name, logo (also the favicon) and brand colours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from balie.services import catalogue_cache, org_settings
from balie.services.site_meta import DEFAULT_DESCRIPTION, page_description
from balie.states.tenant import organisation_slug_of, tenant_session

DEFAULT_THEME = org_settings.theme_variables(
    org_settings.DEFAULT_PRIMARY, org_settings.DEFAULT_SECONDARY
)
THEME_KEYS = tuple(DEFAULT_THEME)


class SiteState(rx.State):
    """The organisation's description and look, for the host this browser is on."""

    description: str = DEFAULT_DESCRIPTION
    display_name: str = ""
    logo_url: str = ""
    theme: dict[str, str] = DEFAULT_THEME
    offers_english: bool = True

    @rx.event
    def load_meta(self) -> None:
        """Describe and dress the site as the host's organisation (cached catalogue)."""
        slug = organisation_slug_of(self)
        if slug is None:
            return
        with tenant_session(self) as session:
            catalogue = catalogue_cache.current(session, slug)
            if catalogue is None:
                return
            organisation = catalogue.organisation
            look = org_settings.look_of(session, organisation)
        today = datetime.now(ZoneInfo(organisation.time_zone)).date()
        names = [view.name.get("nl", "") for view in catalogue.live_views(today)]
        self.description = page_description(look.display_name, names)
        self.display_name = look.display_name
        self.logo_url = look.logo_url
        self.theme = look.variables
        self.offers_english = "en" in look.languages
