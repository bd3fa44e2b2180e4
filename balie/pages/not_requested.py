"""The page behind 'Niet door jou aangevraagd? / Not requested by you?' at /niet-aangevraagd."""

import reflex as rx

from balie.components.forms import step_heading
from balie.components.layout import page_frame
from balie.components.text import localised, t
from balie.states.not_requested import NotRequestedState
from balie.states.site import SiteState

S = NotRequestedState


def ask() -> rx.Component:
    """What the link is about, and the one button that acts."""
    return rx.box(
        step_heading("not_requested_ask_heading"),
        rx.text(t("not_requested_intro"), margin_bottom="1rem"),
        rx.el.dl(
            rx.el.dt(t("done_reference")),
            rx.el.dd(rx.el.strong(S.reference, id="reference")),
            rx.el.dt(t("review_when")),
            rx.el.dd(localised(S.when)),
            rx.el.dt(t("review_service")),
            rx.el.dd(localised(S.service_name)),
            class_name="summary",
        ),
        rx.cond(
            S.error,
            rx.callout(
                t("not_requested_error"),
                color_scheme="red",
                role="alert",
                id="not-requested-error",
                margin_bottom="1rem",
            ),
        ),
        rx.button(
            t("not_requested_confirm"),
            on_click=S.confirm,
            color_scheme="red",
            id="not-requested-confirm",
            margin_top="1rem",
        ),
    )


def done() -> rx.Component:
    """The outcome, announced to screen readers."""
    return rx.box(
        step_heading("not_requested_done_heading"),
        rx.text(
            rx.cond(
                S.cancelled, t("not_requested_done_cancelled"), t("not_requested_done_suppressed")
            ),
            role="status",
            id="not-requested-done",
        ),
        rx.text(t("not_requested_mail_again"), margin_top="1rem"),
    )


def invalid() -> rx.Component:
    """A link that opens nothing."""
    return rx.box(
        step_heading("not_requested_invalid_heading"),
        rx.text(t("not_requested_invalid"), role="alert", id="not-requested-invalid"),
    )


@rx.page(
    route="/niet-aangevraagd",
    title="Niet aangevraagd – Digitale Balie",
    description=SiteState.description,
    on_load=[S.load, SiteState.load_meta],
)
def not_requested_page() -> rx.Component:
    """The page."""
    return page_frame(
        rx.heading(t("not_requested_title"), as_="h1", size="7", margin_bottom="0.5rem"),
        rx.cond(
            S.loaded,
            rx.match(S.view, ("ask", ask()), ("done", done()), invalid()),
            rx.text(t("loading"), role="status"),
        ),
    )
