"""The page frame every page shares: skip link, header with language switch, main, footer."""

import reflex as rx

from balie.components.text import t
from balie.states.locale import LocaleState
from balie.states.site import THEME_KEYS, SiteState


def language_switch() -> rx.Component:
    """A button that switches the interface language."""
    return rx.button(
        t("switch_to_other"),
        on_click=LocaleState.switch_language,
        variant="outline",
        aria_label=t("switch_to_other_label"),
        custom_attrs={"lang": LocaleState.other_lang},
        id="language-switch",
    )


def skip_link() -> rx.Component:
    """A link to jump past the header, visible when it has keyboard focus."""
    return rx.el.a(
        t("skip_to_content"),
        href="#main",
        class_name="skip-link",
        # The router handles "#main" without moving focus; move it ourselves.
        on_click=rx.call_script("document.getElementById('main').focus()"),
    )


def site_name() -> rx.Component:
    """The organisation's logo (decorative: its name follows) and name, then the site's name."""
    return rx.hstack(
        rx.cond(
            SiteState.logo_url != "",
            rx.image(src=SiteState.logo_url, alt="", class_name="site-logo", id="site-logo"),
        ),
        rx.text(
            rx.cond(SiteState.display_name != "", SiteState.display_name + " · ", ""),
            t("site_title"),
            weight="bold",
            size="5",
            id="site-name",
        ),
        align="center",
        spacing="3",
    )


def organisation_icon() -> rx.Component:
    """The organisation's logo as the favicon (React puts this <link> in the head)."""
    return rx.cond(
        SiteState.logo_url != "",
        rx.el.link(rel="icon", href=SiteState.logo_url, id="organisation-icon"),
    )


def page_frame(*children: rx.Component) -> rx.Component:
    """Wrap page content in the shared frame, in the organisation's colours."""
    return rx.box(
        organisation_icon(),
        skip_link(),
        rx.el.header(
            rx.hstack(
                rx.link(site_name(), href="/", underline="none"),
                rx.spacer(),
                rx.cond(SiteState.offers_english, language_switch()),
                align="center",
                width="100%",
            ),
            class_name="site-header",
        ),
        rx.el.main(
            rx.container(*children, size="3", padding_y="1.5rem"),
            id="main",
            tab_index=-1,
        ),
        rx.el.footer(
            rx.container(
                rx.text(
                    t("footer_privacy"),
                    " ",
                    rx.link(t("privacy_link"), href="/privacy", id="footer-privacy"),
                    size="2",
                ),
                size="3",
                padding_y="1rem",
            ),
            class_name="site-footer",
        ),
        custom_attrs={"lang": LocaleState.lang},
        class_name="site-frame",
        style={key: SiteState.theme[key] for key in THEME_KEYS},
    )
