"""The organisation's settings page (/beheer/organisatie): look, languages, mail, video calls.

One plain form built from the admin pages' form parts (balie/pages/admin.py); secrets are never
shown, only whether they are set, with a field to replace them and a box to remove them.
"""

from typing import Any

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t
from balie.models import MailTransport, MeetingChoice
from balie.pages.admin import PROBLEMS, _error, buttons, checkbox, field, radio
from balie.services.org_settings import DISPLAY_NAME_MAX, SENDER_NAME_MAX, URL_MAX
from balie.states.org_settings import ORGANISATION_PAGE, OrgSettingsState

S = OrgSettingsState
P = "organisation"
LOGO_PROBLEMS = [
    "admin_error_logo_required",
    "admin_error_logo_too_large",
    "admin_error_logo_size",
    "admin_error_logo_type",
]


def _field(name: str, **options: Any) -> rx.Component:
    """A field of this form, labelled with its ``org_field_`` text."""
    return field(P, name, f"org_field_{name}", S.values, S.errors, **options)


def colour_field(name: str) -> rx.Component:
    """A brand colour, with the contrast it failed (and the ratio) in its error."""
    note = rx.cond(S.contrast_notes.contains(name), localised(S.contrast_notes[name]), "")
    return rx.hstack(
        _field(name, hint=f"org_hint_{name}", max_length=7, required=True, detail=note),
        rx.box(
            class_name="colour-swatch",
            background_color=S.values[name],
            custom_attrs={"aria-hidden": "true"},
        ),
        align="end",
        spacing="3",
    )


def secret_field(name: str) -> rx.Component:
    """A secret: whether it is set, a field to replace it, a box to remove it."""
    is_set = S.values[f"{name}_set"] == "on"
    return rx.box(
        _field(f"{name}_new", input_type="password"),
        rx.text(
            rx.cond(is_set, t("org_secret_set"), t("org_secret_not_set")),
            id=f"{P}-{name}-state".replace("_", "-"),
            class_name="field-hint",
        ),
        rx.cond(is_set, checkbox(P, f"{name}_clear", "org_secret_clear", S.values, S.errors)),
    )


def choices(name: str, options: list[str], prefix: str) -> rx.Component:
    """A radio group with its legend and error."""
    return rx.el.fieldset(
        rx.el.legend(t(f"org_field_{name}"), class_name="field-label"),
        *[radio(P, name, value, f"{prefix}_{value}", S.values, S.errors) for value in options],
        _error(P, name, S.errors),
        class_name="field",
    )


def section(title: str, *children: rx.Component) -> rx.Component:
    """A group of fields under its own legend."""
    return rx.el.fieldset(
        rx.el.legend(t(title), class_name="admin-legend"), *children, class_name="admin-fieldset"
    )


def settings_form() -> rx.Component:
    """The form with every setting except the logo."""
    return rx.el.form(
        section(
            "org_section_look",
            _field("display_name", max_length=DISPLAY_NAME_MAX, required=True),
            colour_field("brand_primary"),
            colour_field("brand_secondary"),
        ),
        section(
            "org_section_privacy",
            rx.el.fieldset(
                rx.el.legend(t("org_field_languages"), class_name="field-label"),
                checkbox(P, "language_nl", "org_language_nl", S.values, S.errors),
                checkbox(P, "language_en", "org_language_en", S.values, S.errors),
                _error(P, "languages", S.errors),
                class_name="field",
            ),
            _field("time_zone", max_length=64, required=True),
            _field("counter_booking_url", input_type="url", max_length=URL_MAX),
            _field("privacy_contact", max_length=URL_MAX),
            _field("retention_days", hint="org_hint_retention_days", bounds=(1, 3650)),
        ),
        section(
            "org_section_mail",
            _field("mail_from_address", input_type="email", max_length=254),
            _field("mail_from_name", max_length=SENDER_NAME_MAX),
            choices("mail_transport", [choice.value for choice in MailTransport], "org_transport"),
            _field("smtp_host", max_length=253),
            _field("smtp_port", bounds=(1, 65535)),
            _field("smtp_username", max_length=254),
            secret_field("smtp_password"),
        ),
        section(
            "org_section_meetings",
            choices("meeting_provider", [choice.value for choice in MeetingChoice], "org_provider"),
            _field("jitsi_server_url", input_type="url", max_length=URL_MAX),
            rx.text(t("org_hint_entra"), class_name="field-hint"),
            _field("entra_tenant_id", max_length=64),
            _field("entra_client_id", max_length=64),
            secret_field("entra_client_secret"),
        ),
        message_box(S.problem, [*PROBLEMS, "org_secrets_key_missing"], "org-problem", problem=True),
        message_box(S.message, ["org_saved"], "org-message", problem=False),
        buttons(rx.button(t("admin_save"), type="submit", id="save-organisation")),
        on_submit=S.save,
        no_validate=True,
        id="organisation-form",
        key=S.form_version.to_string(),
        class_name="admin-form",
    )


def logo_section() -> rx.Component:
    """The current logo, and a way to send a new one or remove it."""
    return rx.el.section(
        rx.heading(t("org_section_logo"), as_="h2", size="5", id="logo-heading"),
        rx.cond(
            S.logo_url != "",
            rx.image(src=S.logo_url, alt=t("org_logo_current"), id="current-logo", height="4rem"),
            rx.text(t("org_logo_none"), id="no-logo"),
        ),
        rx.text(t("org_logo_hint"), class_name="field-hint", id="logo-hint"),
        rx.el.label(
            rx.upload(
                rx.text(t("org_logo_choose"), as_="span"),
                id="logo-upload",
                max_files=1,
                no_click=True,
                accept={"image/png": [".png"], "image/webp": [".webp"]},
                class_name="upload-zone",
            ),
            display="block",
        ),
        rx.cond(
            rx.selected_files("logo-upload").length() > 0,
            rx.text(rx.selected_files("logo-upload").join(", "), id="logo-chosen"),
        ),
        buttons(
            rx.button(
                t("org_logo_send"),
                type="button",
                on_click=S.upload_logo(rx.upload_files(upload_id="logo-upload")),
                id="send-logo",
            ),
            rx.cond(
                S.logo_url != "",
                rx.button(
                    t("org_logo_remove"),
                    type="button",
                    variant="outline",
                    on_click=S.remove_logo,
                    id="remove-logo",
                ),
            ),
        ),
        message_box(S.problem, LOGO_PROBLEMS, "logo-problem", problem=True),
        message_box(
            S.message, ["org_logo_saved", "org_logo_removed"], "logo-message", problem=False
        ),
        class_name="admin-panel",
        custom_attrs={"aria-labelledby": "logo-heading"},
    )


@rx.page(route=ORGANISATION_PAGE, title="Organisatie – Digitale Balie", on_load=S.load)
def organisation_settings() -> rx.Component:
    """The organisation's own settings, for its administrators."""
    return staff_frame(S, ORGANISATION_PAGE, "nav_organisation", logo_section(), settings_form())
