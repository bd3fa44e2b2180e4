"""The privacy notice at /privacy: what is kept, why, who sees it and for how long."""

import reflex as rx

from balie.components.layout import page_frame
from balie.components.text import localised, t
from balie.states.privacy import PrivacyState
from balie.states.site import SiteState

P = PrivacyState
KEPT = ("name", "email", "phone", "question", "notes", "feedback", "documents")


def section(heading_key: str, *children: rx.Component) -> rx.Component:
    """A part of the notice under its own heading."""
    return rx.el.section(
        rx.heading(t(heading_key), as_="h2", size="5", margin_top="1.5rem", margin_bottom="0.5rem"),
        *children,
    )


def settings_text(value: rx.Var, element_id: str) -> rx.Component:
    """A sentence that depends on the settings, once they are read."""
    return rx.cond(
        P.loaded,
        rx.text(localised(value), id=element_id, margin_bottom="0.5rem"),
        rx.text(t("loading"), role="status"),
    )


@rx.page(
    route="/privacy",
    title="Privacy – Digitale Balie",
    description=SiteState.description,
    on_load=[P.load, SiteState.load_meta],
)
def privacy_page() -> rx.Component:
    """The privacy notice."""
    return page_frame(
        rx.heading(t("privacy_title"), as_="h1", size="7", margin_bottom="0.5rem"),
        rx.text(t("privacy_intro")),
        section(
            "privacy_what_heading",
            rx.text(t("privacy_what_intro")),
            rx.el.ul(*[rx.el.li(t(f"privacy_what_{item}")) for item in KEPT], id="privacy-kept"),
        ),
        section("privacy_why_heading", rx.text(t("privacy_why"))),
        section("privacy_who_heading", rx.text(t("privacy_who"))),
        section(
            "privacy_how_long_heading",
            settings_text(P.how_long, "privacy-how-long"),
            rx.text(t("privacy_kept"), id="privacy-after-erasure"),
        ),
        section(
            "privacy_meeting_heading",
            settings_text(P.meeting, "privacy-meeting"),
            settings_text(P.question, "privacy-question"),
        ),
        section("privacy_identity_heading", settings_text(P.identity, "privacy-identity")),
        section("privacy_rights_heading", rx.text(t("privacy_rights"))),
    )
