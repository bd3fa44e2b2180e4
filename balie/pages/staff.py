"""Staff pages: sign-in (/medewerkers/aanmelden) and today's appointments (/medewerkers)."""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t
from balie.models import Outcome
from balie.states.staff import RowView, StaffState

OUTCOMES = [outcome.value for outcome in Outcome]


def outcome_form(row: rx.Var[RowView]) -> rx.Component:
    """Outcome and internal note for a call that took place."""
    prefix = "outcome-" + row.appointment_id.to_string()
    return rx.el.form(
        rx.el.input(type="hidden", name="appointment_id", value=row.appointment_id.to_string()),
        rx.el.fieldset(
            rx.el.legend(t("staff_outcome"), class_name="field-label"),
            *[
                rx.el.label(
                    rx.el.input(
                        type="radio",
                        name="outcome",
                        value=code,
                        required=True,
                        id=prefix + "-" + code,
                    ),
                    " ",
                    t(f"outcome_{code}"),
                    class_name="radio",
                )
                for code in OUTCOMES
            ],
            class_name="field",
        ),
        rx.box(
            rx.el.label(t("staff_note"), html_for=prefix + "-note", class_name="field-label"),
            rx.el.textarea(
                id=prefix + "-note", name="note", rows=2, max_length=2000, class_name="field-input"
            ),
            class_name="field",
        ),
        rx.hstack(
            rx.button(t("staff_save_outcome"), type="submit", class_name="save-outcome"),
            rx.button(
                t("staff_no_show"),
                type="button",
                variant="outline",
                on_click=StaffState.mark_no_show(row.appointment_id),
                class_name="no-show",
            ),
            spacing="3",
            wrap="wrap",
        ),
        on_submit=StaffState.save_outcome,
        reset_on_submit=True,
    )


def appointment_card(row: rx.Var[RowView]) -> rx.Component:
    """One appointment of today."""
    return rx.el.li(
        rx.card(
            rx.heading(row.time_label, " · ", row.citizen_name, as_="h3", size="4"),
            rx.text(row.service_name, " – ", row.topic_name),
            rx.el.dl(
                rx.el.dt(t("staff_language")),
                rx.el.dd(row.language),
                rx.el.dt(t("staff_question")),
                rx.el.dd(row.question),
                rx.el.dt(t("prepare")),
                rx.el.dd(row.preparation),
                rx.el.dt(t("review_status")),
                rx.el.dd(row.status, " ", row.outcome),
                class_name="summary",
            ),
            rx.cond(
                row.meeting_state == "failed",
                rx.callout(t("staff_link_failed"), color_scheme="red", role="alert"),
            ),
            rx.cond(
                row.join_url != "",
                rx.cond(
                    row.join_open,
                    rx.link(t("join"), href=row.join_url, is_external=True, class_name="join"),
                    rx.text(t("join_later"), size="2"),
                ),
            ),
            rx.cond(row.status == "booked", outcome_form(row)),
        ),
        custom_attrs={"data-reference": row.reference},
        list_style_type="none",
    )


@rx.page(route="/medewerkers", title="Vandaag – Digitale Balie", on_load=StaffState.load)
def today() -> rx.Component:
    """Today's appointments of the signed-in staff member, refreshed every 5 seconds."""
    return staff_frame(
        StaffState,
        "/medewerkers",
        "staff_today",
        rx.text(localised(StaffState.day_label)),
        message_box(
            StaffState.message, ["staff_saved", "staff_not_saved"], "staff-message", problem=False
        ),
        rx.cond(
            StaffState.rows.length() > 0,
            rx.el.ul(
                rx.foreach(StaffState.rows, appointment_card),
                id="today",
                padding="0",
                display="grid",
                gap="0.75rem",
            ),
            rx.text(t("staff_none_today"), id="none-today"),
        ),
        rx.moment(interval=5000, on_change=StaffState.refresh, display="none"),
    )
