"""The visitor's language, kept in a cookie so it survives reloads and new tabs."""

import reflex as rx

from balie.i18n import LANGUAGES, normalise_language

ONE_YEAR = 365 * 24 * 3600


class LocaleState(rx.State):
    """Which language the interface speaks (Dutch unless the visitor chose English)."""

    locale: str = rx.Cookie("nl", name="balie_locale", same_site="lax", max_age=ONE_YEAR)

    @rx.var
    def lang(self) -> str:
        """The language in use; the cookie is client-controlled, so it is normalised."""
        return normalise_language(self.locale)

    @rx.var
    def other_lang(self) -> str:
        """The language the switch offers."""
        return LANGUAGES[1] if self.lang == LANGUAGES[0] else LANGUAGES[0]

    @rx.event
    def switch_language(self) -> None:
        """Switch between Dutch and English."""
        self.locale = self.other_lang
