"""State behind what every citizen page says and shows of the organisation (public data only):
the meta description, its display name, logo (also the favicon) and brand colours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from balie.services import catalogue_cache, org_settings
from balie.services.site_meta import DEFAULT_DESCRIPTION, page_description
from balie.states.tenant import organisation_slug_of, tenant_session

DEFAULT_THEME = org_settings.theme_variables(
    org_settings.DEFAULT_PRIMARY, org_settings.DEFAULT_SECONDARY
)
THEME_KEYS = tuple(DEFAULT_THEME)


@dataclass(frozen=True)
class SiteMeta:
    """What a citizen page shows of its organisation."""

    description: str
    display_name: str
    logo_url: str
    theme: dict[str, str]
    offers_english: bool


def site_meta(session: Session, catalogue: catalogue_cache.Catalogue | None) -> SiteMeta | None:
    """The organisation's description and look (reads its settings: call it off the lock)."""
    if catalogue is None:
        return None
    organisation = catalogue.organisation
    look = org_settings.look_of(session, organisation)
    today = datetime.now(ZoneInfo(organisation.time_zone)).date()
    names = [view.name.get("nl", "") for view in catalogue.live_views(today)]
    return SiteMeta(
        description=page_description(look.display_name, names),
        display_name=look.display_name,
        logo_url=look.logo_url,
        theme=look.variables,
        offers_english="en" in look.languages,
    )


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
            meta = site_meta(session, catalogue_cache.current(session, slug))
        self._show_meta(meta)

    def _show_meta(self, meta: SiteMeta | None) -> None:
        """Show what was read (nothing when the host has no organisation)."""
        if meta is None:
            return
        self.description = meta.description
        self.display_name = meta.display_name
        self.logo_url = meta.logo_url
        self.theme = meta.theme
        self.offers_english = meta.offers_english
