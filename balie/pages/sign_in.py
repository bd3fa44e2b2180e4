"""The staff sign-in page (/medewerkers/aanmelden)."""

import reflex as rx

from balie.components.layout import page_frame
from balie.components.staff_frame import backend_url, native_post
from balie.components.text import localised, t
from balie.i18n import LANGUAGES, TEXTS
from balie.states.locale import LocaleState
from balie.states.sign_in import PROBLEMS, SignInPageState

LOCAL_PROBLEMS = ("invalid", "rate_limited", "unavailable")  # texts in balie.i18n


def problem_text(code: rx.Var) -> rx.Var:
    """The explanation of the ?fout= code in ``code``, in the visitor's language."""
    keys = {
        problem: f"staff_error_{problem}" if problem in LOCAL_PROBLEMS else f"entra_error_{problem}"
        for problem in PROBLEMS
    }
    table = {
        lang: {problem: TEXTS[key][lang] for problem, key in keys.items()} for lang in LANGUAGES
    }
    return rx.Var.create(table)[LocaleState.lang].to(dict)[code]


def entra_sign_in() -> rx.Component:
    """The Microsoft button: a plain link to the backend, which starts the Entra ID flow."""
    return rx.box(
        rx.text(t("entra_sign_in_help"), margin_bottom="0.75rem"),
        rx.button(
            # Reflex renders <a> as a React Router link; on one port (make run) the backend URL
            # is same-origin and would be routed in the browser (a 404): load it for real.
            rx.el.a(
                t("entra_sign_in_button"),
                href=backend_url("/api/staff/entra/start"),
                custom_attrs={"reloadDocument": True},
            ),
            as_child=True,
            size="3",
            variant="solid",
            id="entra-sign-in",
        ),
        rx.heading(
            t("entra_or_local"), as_="h2", size="4", margin_top="2rem", margin_bottom="1rem"
        ),
        id="entra-section",
    )


def sign_in_form() -> rx.Component:
    """E-mail and password, posted to the backend which sets the HttpOnly session cookie."""
    return rx.el.form(
        rx.box(
            rx.el.label(t("field_email"), html_for="staff-email", class_name="field-label"),
            # The account name is an e-mail address: "username" is what password managers pair
            # with current-password, and HTML allows that token only on a text field (on
            # type=email HTML_CodeSniffer rightly reports H98); inputmode keeps the e-mail keyboard.
            rx.el.input(
                id="staff-email",
                name="email",
                type="text",
                input_mode="email",
                auto_complete="username",
                spell_check=False,
                auto_capitalize="none",
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
                rx.cond(
                    SignInPageState.wait_message.contains("nl"),
                    localised(SignInPageState.wait_message),
                    problem_text(SignInPageState.problem),
                ),
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
        rx.cond(SignInPageState.entra_available, entra_sign_in()),
        sign_in_form(),
    )
