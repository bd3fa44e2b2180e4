"""Administrators: a citizen's data request by e-mail address (/beheer/gegevens)."""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.states.data_requests import DATA_PAGE, DataRequestsState, HoldingView

S = DataRequestsState
FIELD_ERRORS = ["dr_error_email_required", "dr_error_email_invalid"]
PROBLEMS = ["dr_error_search_first", "dr_error_confirm", "dr_error_failed"]
STATUSES = ["status_booked", "status_cancelled", "status_completed", "status_no_show"]


def search_form() -> rx.Component:
    """The labelled e-mail field and the search button."""
    has_error = S.error != ""
    return rx.el.form(
        rx.box(
            rx.el.label(t("dr_email_label"), html_for="dr-email", class_name="field-label"),
            rx.text(t("dr_email_hint"), id="dr-email-hint", class_name="field-hint"),
            rx.el.input(
                id="dr-email",
                name="email",
                type="email",
                default_value=S.email,
                auto_complete="off",
                required=True,
                class_name="field-input",
                custom_attrs={
                    "aria-invalid": rx.cond(has_error, "true", "false"),
                    "aria-describedby": rx.cond(
                        has_error, "dr-email-hint dr-email-error", "dr-email-hint"
                    ),
                },
            ),
            rx.cond(
                has_error,
                rx.text(
                    text_for(S.error, FIELD_ERRORS),
                    id="dr-email-error",
                    class_name="field-error",
                    role="alert",
                ),
            ),
            class_name="field",
        ),
        rx.button(t("dr_search"), type="submit", id="dr-search"),
        on_submit=S.search,
        reset_on_submit=False,
        custom_attrs={"noValidate": True},
        margin_bottom="1.5rem",
    )


def upcoming_row(row: rx.Var[HoldingView]) -> rx.Component:
    """One upcoming appointment: reference, time, service, status."""
    return rx.el.tr(
        rx.el.td(row.reference),
        rx.el.td(localised(row.when)),
        rx.el.td(localised(row.service)),
        rx.el.td(text_for("status_" + row.status, STATUSES)),
        custom_attrs={"data-reference": row.reference},
    )


def upcoming_table() -> rx.Component:
    """The upcoming appointments, which erasing cancels first."""
    return rx.box(
        rx.heading(t("dr_upcoming_heading"), as_="h3", size="4"),
        rx.text(t("dr_upcoming_note"), margin_bottom="0.5rem"),
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    *[
                        rx.el.th(t(key), scope="col")
                        for key in ("dr_col_reference", "dr_col_when", "dr_col_service")
                    ],
                    rx.el.th(t("dr_col_status"), scope="col"),
                )
            ),
            rx.el.tbody(rx.foreach(S.upcoming, upcoming_row)),
            class_name="dr-table",
            id="dr-upcoming",
        ),
        margin_bottom="1rem",
    )


def erase_form() -> rx.Component:
    """The explicit confirmation and the erase button."""
    return rx.el.form(
        rx.heading(t("dr_erase_heading"), as_="h3", size="4"),
        rx.text(t("dr_erase_hint"), id="dr-erase-hint", class_name="field-hint"),
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name="confirm",
                id="dr-confirm",
                custom_attrs={"aria-describedby": "dr-erase-hint"},
            ),
            " ",
            t("dr_confirm"),
            class_name="checkbox",
        ),
        rx.button(t("dr_erase"), type="submit", color_scheme="red", id="dr-erase"),
        on_submit=S.erase,
        reset_on_submit=True,
        class_name="field",
    )


def result() -> rx.Component:
    """What the search found, with export and erase."""
    return rx.el.section(
        rx.heading(t("dr_result_for"), " ", S.found_email, as_="h2", size="5", id="dr-result"),
        rx.el.dl(
            rx.el.dt(t("dr_past")),
            rx.el.dd(S.past_count, id="dr-past"),
            rx.el.dt(t("dr_upcoming")),
            rx.el.dd(S.upcoming.length(), id="dr-upcoming-count"),
            class_name="summary",
        ),
        rx.cond(
            (S.past_count == 0) & (S.upcoming.length() == 0),
            rx.text(t("dr_nothing_found"), id="dr-nothing"),
            rx.fragment(
                rx.cond(S.upcoming.length() > 0, upcoming_table()),
                rx.heading(t("dr_export_heading"), as_="h3", size="4"),
                rx.text(t("dr_export_hint"), class_name="field-hint"),
                rx.button(
                    t("dr_export"),
                    on_click=S.export,
                    variant="outline",
                    id="dr-export",
                    margin_bottom="1.5rem",
                ),
                erase_form(),
            ),
        ),
        aria_labelledby="dr-result",
        id="dr-result-section",
    )


def done() -> rx.Component:
    """What the erasure did."""
    return rx.callout.root(
        rx.callout.text(t("dr_erased"), weight="bold"),
        rx.el.dl(
            rx.el.dt(t("dr_erased_count")),
            rx.el.dd(S.erased_count, id="dr-erased-count"),
            rx.el.dt(t("dr_cancelled_count")),
            rx.el.dd(S.cancelled_count, id="dr-cancelled-count"),
            class_name="summary",
        ),
        role="status",
        id="dr-done",
        margin_bottom="1rem",
    )


@rx.page(route=DATA_PAGE, title="Vragen over gegevens – Digitale Balie", on_load=S.load)
def data_requests() -> rx.Component:
    """Search a citizen's e-mail address, export their data, erase it."""
    return staff_frame(
        S,
        DATA_PAGE,
        "dr_title",
        rx.text(t("dr_intro"), margin_bottom="1rem"),
        message_box(S.problem, PROBLEMS, "dr-problem", problem=True),
        message_box(S.message, ["dr_exported"], "dr-message", problem=False),
        rx.cond(S.done, done()),
        search_form(),
        rx.cond(S.found_email != "", result()),
    )
