"""The page frame every page shares: skip link, header with language switch, main, footer."""

import reflex as rx

from balie.components.text import t
from balie.states.locale import LocaleState


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


def page_frame(*children: rx.Component) -> rx.Component:
    """Wrap page content in the shared frame."""
    return rx.box(
        skip_link(),
        rx.el.header(
            rx.hstack(
                rx.link(
                    rx.text(t("site_title"), weight="bold", size="5"),
                    href="/",
                    underline="none",
                ),
                rx.spacer(),
                language_switch(),
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
    )
