"""The staff sign-in page (/medewerkers/aanmelden)."""

import reflex as rx

from balie.components.layout import page_frame
from balie.components.staff_frame import native_post
from balie.components.text import t, text_for
from balie.states.sign_in import SignInPageState

PROBLEMS = ["staff_error_invalid", "staff_error_rate_limited", "staff_error_unavailable"]


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
        on_submit=native_post(
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
