"""Staff pages: sign-in (/medewerkers/aanmelden) and today's appointments (/medewerkers)."""

import json

import reflex as rx
from reflex.config import get_config

from balie.components.forms import message_box
from balie.components.layout import page_frame
from balie.components.text import localised, t, text_for
from balie.models import Outcome
from balie.states.staff import RowView, SignInPageState, StaffState

OUTCOMES = [outcome.value for outcome in Outcome]
PROBLEMS = ["staff_error_invalid", "staff_error_rate_limited", "staff_error_unavailable"]


def _backend(path: str) -> str:
    """An address on the backend (the HTTP routes), as the browser reaches it."""
    return get_config().api_url.rstrip("/") + path


def _native_post(path: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Submit a real (non-Reflex) form, so the backend can set or clear the HttpOnly cookie.

    Reflex forms never leave the page, and the password must not travel over the websocket:
    this script copies the named inputs' values into a plain form in the browser and posts it.
    """
    copies = json.dumps(fields)
    return rx.call_script(
        "(() => { const f = document.createElement('form'); f.method = 'post';"
        f" f.action = {json.dumps(_backend(path))};"
        f" for (const [name, id] of Object.entries({copies})) {{"
        " const i = document.createElement('input'); i.type = 'hidden'; i.name = name;"
        " i.value = document.getElementById(id)?.value ?? ''; f.appendChild(i); }"
        " document.body.appendChild(f); f.submit(); })()"
    )


def sign_in_form() -> rx.Component:
    """E-mail and password, posted to the backend which sets the HttpOnly session cookie."""
    return rx.el.form(
        rx.box(
            rx.el.label(t("field_email"), html_for="staff-email", class_name="field-label"),
            rx.el.input(
                id="staff-email",
                name="email",
                type="email",
                auto_complete="username",
                required=True,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.box(
            rx.el.label(t("staff_password"), html_for="staff-password", class_name="field-label"),
            rx.el.input(
                id="staff-password",
                name="password",
                type="password",
                auto_complete="current-password",
                required=True,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.button(t("staff_sign_in_button"), type="submit", id="staff-sign-in"),
        on_submit=_native_post(
            "/api/staff/login", {"email": "staff-email", "password": "staff-password"}
        ),
    )


@rx.page(
    route="/medewerkers/aanmelden", title="Aanmelden – Digitale Balie", on_load=SignInPageState.load
)
def sign_in() -> rx.Component:
    """The sign-in page."""
    return page_frame(
        rx.heading(t("staff_sign_in"), as_="h1", size="7", margin_bottom="1rem"),
        rx.cond(
            SignInPageState.problem != "",
            rx.callout(
                text_for("staff_error_" + SignInPageState.problem, PROBLEMS),
                color_scheme="red",
                role="alert",
                id="sign-in-problem",
                margin_bottom="1rem",
            ),
        ),
        rx.cond(
            SignInPageState.signed_out,
            rx.callout(t("staff_signed_out"), role="status", margin_bottom="1rem"),
        ),
        sign_in_form(),
    )


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
    return page_frame(
        rx.hstack(
            rx.heading(t("staff_today"), as_="h1", size="7"),
            rx.spacer(),
            rx.button(
                t("staff_sign_out"),
                on_click=_native_post("/api/staff/logout", {}),
                variant="outline",
                id="staff-sign-out",
            ),
            align="center",
            wrap="wrap",
        ),
        rx.text(StaffState.display_name, " · ", localised(StaffState.day_label)),
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
