"""The citizen's own appointment at /afspraak (opened with the personal link)."""

import reflex as rx

from balie.components.documents import (
    document_list,
    document_message,
    requested_list,
    upload_zone,
)
from balie.components.forms import message_box, step_heading
from balie.components.join import join_panel
from balie.components.layout import page_frame
from balie.components.text import localised, t, text_for
from balie.components.time_picker import time_picker
from balie.i18n import ERRORS
from balie.states.manage import SIGN_IN_OUTCOMES, ManageState
from balie.states.site import SiteState

M = ManageState
MESSAGES = ["cancelled_done", "moved", "not_changeable_note", "manage_not_found", *ERRORS]
STATUSES = ["status_booked", "status_cancelled", "status_completed", "status_no_show"]


def row(label: str, value: rx.Var) -> list[rx.Component]:
    """A term and its description."""
    return [rx.el.dt(t(label)), rx.el.dd(value)]


def message() -> rx.Component:
    """The outcome of the last action, announced to screen readers."""
    return message_box(M.message, MESSAGES, "message", problem=False)


def notice() -> rx.Component:
    """A problem with the chosen time."""
    return message_box(M.notice, MESSAGES, "notice", problem=True)


def view() -> rx.Component:
    """The appointment, with join, calendar, move and cancel."""
    return rx.box(
        step_heading("manage_details"),
        message(),
        rx.text(t("done_reference"), ": ", rx.el.strong(M.reference, id="reference")),
        rx.el.dl(
            *row("review_status", text_for("status_" + M.status, STATUSES)),
            *row("review_when", localised(M.when)),
            *row("review_service", localised(M.service_name)),
            *row("review_topic", localised(M.topic_name)),
            *row("prepare", localised(M.preparation)),
            class_name="summary",
        ),
        rx.cond(M.status == "booked", join_panel(M)),
        rx.button(
            t("add_to_calendar"),
            on_click=M.download_calendar,
            variant="outline",
            id="add-to-calendar",
            margin_y="1rem",
        ),
        rx.cond(
            M.can_change,
            rx.hstack(
                rx.button(t("move"), on_click=M.start_move, id="start-move"),
                rx.button(
                    t("cancel"),
                    on_click=M.start_cancel,
                    color_scheme="red",
                    variant="outline",
                    id="start-cancel",
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(M.status == "booked", rx.text(t("not_changeable_note"))),
        ),
        documents_section(),
    )


def documents_sign_in() -> rx.Component:
    """For an appointment that needed identification: sign in as its person first."""
    return rx.box(
        message_box(
            M.identity_outcome,
            [*SIGN_IN_OUTCOMES, "doc_sign_in_failed"],
            "identity-outcome",
            problem=True,
        ),
        rx.cond(
            M.signed_in_other,
            rx.callout(t("doc_sign_in_other"), color_scheme="red", role="alert", id="other-person"),
        ),
        rx.text(t("doc_sign_in"), weight="bold", id="documents-sign-in-text"),
        rx.text(t("doc_sign_in_why"), margin_bottom="1rem"),
        # A full page load: the start route lives on the backend (see the wizard's link).
        rx.el.a(
            t("identity_button"),
            href=M.identity_start_url,
            id="documents-sign-in",
            class_name="button-link",
            custom_attrs={"reloadDocument": True},
        ),
        margin_top="1rem",
    )


def documents_shared() -> rx.Component:
    """The documents exchanged so far, and sending one."""
    return rx.fragment(
        rx.heading(t("doc_list"), as_="h3", size="4", margin_top="1rem"),
        document_list(M.documents, "doc_from_you", "doc_from_city", "document-list"),
        document_message(M.document_message, M.document_file, "document-message"),
        rx.cond(
            M.can_upload,
            upload_zone("citizen-documents", M.upload_documents, M.max_size_label, M.checking),
        ),
    )


def documents_section() -> rx.Component:
    """What the topic asks for, the documents exchanged so far, and sending one."""
    return rx.el.section(
        rx.heading(t("doc_heading"), as_="h2", size="5", margin_top="1.5rem", id="documents"),
        requested_list(M.requested_documents),
        rx.cond(M.documents_locked, documents_sign_in(), documents_shared()),
        aria_labelledby="documents",
    )


def move() -> rx.Component:
    """Choose a new time."""
    return rx.box(
        step_heading("move_heading"),
        notice(),
        rx.text(t("move_from"), ": ", localised(M.when)),
        time_picker(M),
        rx.button(t("back"), on_click=M.back_to_view, variant="outline", id="back"),
    )


def confirm_move() -> rx.Component:
    """Confirm the new time."""
    return rx.box(
        step_heading("move_confirm_heading"),
        rx.el.dl(
            *row("move_from", localised(M.when)),
            *row("move_to", localised(M.new_label)),
            class_name="summary",
        ),
        rx.hstack(
            rx.button(t("back"), on_click=M.start_move, variant="outline", id="back"),
            rx.button(t("move_confirm"), on_click=M.confirm_move, id="confirm-move"),
            spacing="3",
        ),
    )


def cancel() -> rx.Component:
    """Confirm the cancellation, with an optional reason."""
    return rx.box(
        step_heading("cancel_heading"),
        rx.text(localised(M.when), weight="bold"),
        rx.form(
            rx.box(
                rx.el.label(t("cancel_reason"), html_for="reason", class_name="field-label"),
                rx.el.textarea(
                    id="reason", name="reason", max_length=500, rows=3, class_name="field-input"
                ),
                class_name="field",
            ),
            rx.hstack(
                rx.button(
                    t("keep"), on_click=M.back_to_view, variant="outline", type="button", id="keep"
                ),
                rx.button(
                    t("cancel_confirm"), type="submit", color_scheme="red", id="confirm-cancel"
                ),
                spacing="3",
                wrap="wrap",
            ),
            on_submit=M.cancel_appointment,
            reset_on_submit=False,
        ),
    )


@rx.page(
    route="/afspraak",
    title="Mijn afspraak – Digitale Balie",
    description=SiteState.description,
    on_load=[M.load, SiteState.load_meta],
)
def manage() -> rx.Component:
    """The manage page."""
    return page_frame(
        rx.heading(t("manage_title"), as_="h1", size="7", margin_bottom="0.5rem"),
        rx.cond(
            M.loaded,
            rx.cond(
                M.found,
                rx.match(
                    M.mode,
                    ("move", move()),
                    ("confirm_move", confirm_move()),
                    ("cancel", cancel()),
                    view(),
                ),
                rx.text(t("manage_not_found"), role="alert", id="not-found"),
            ),
            rx.text(t("loading"), role="status"),
        ),
    )
