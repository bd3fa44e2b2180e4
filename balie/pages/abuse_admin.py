"""Administrators' page against abuse (/beheer/misbruik): partners' API keys and booking spikes."""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import t
from balie.pages.admin import buttons, field, status_text, table
from balie.states.abuse_admin import ABUSE_PAGE, AbuseAdminState, ApiKeyRow, SpikeRow

B = AbuseAdminState
MESSAGES = ["abuse_key_created", "abuse_key_revoked"]


def key_row(row: rx.Var[ApiKeyRow]) -> rx.Component:
    """One key (its first characters only)."""
    return rx.el.tr(
        rx.el.td(row.name),
        rx.el.td(row.partner),
        rx.el.td(rx.el.code(row.prefix, "…")),
        rx.el.td(row.bookings_per_hour),
        rx.el.td(row.created),
        rx.el.td(rx.cond(row.active, status_text(row.active), t("abuse_revoked"))),
        rx.el.td(
            rx.cond(
                row.active,
                rx.el.button(
                    t("abuse_revoke"),
                    rx.el.span(" ", row.name, class_name="visually-hidden"),
                    on_click=B.revoke_key(row.id),
                    type="button",
                    class_name="admin-button revoke-key",
                ),
            )
        ),
    )


def spike_row(row: rx.Var[SpikeRow]) -> rx.Component:
    """One spike."""
    return rx.el.tr(
        rx.el.td(row.when), rx.el.td(row.scope), rx.el.td(row.what), rx.el.td(row.count)
    )


def key_form() -> rx.Component:
    """The form for a new key (the same form shape as the other admin pages)."""
    values, errors = B.key_values, B.key_errors
    return rx.el.form(
        field("key", "name", "abuse_field_name", values, errors, max_length=120, required=True),
        field("key", "partner", "abuse_field_partner", values, errors, max_length=200),
        field(
            "key",
            "bookings_per_hour",
            "abuse_field_rate",
            values,
            errors,
            input_type="number",
            bounds=(1, 10_000),
            required=True,
        ),
        buttons(rx.button(t("abuse_create"), type="submit", id="create-key")),
        on_submit=B.create_key,
        no_validate=True,
        id="key-form",
        key=B.form_version.to_string(),
        class_name="admin-form",
    )


@rx.page(route=ABUSE_PAGE, title="API-sleutels en pieken – Digitale Balie", on_load=B.load)
def abuse_admin() -> rx.Component:
    """API keys of partners (make, revoke) and the recent booking spikes."""
    return staff_frame(
        B,
        ABUSE_PAGE,
        "nav_abuse",
        rx.heading(t("abuse_keys_heading"), as_="h2", size="6"),
        rx.text(t("abuse_keys_intro")),
        message_box(B.message, MESSAGES, "key-message", problem=False),
        rx.cond(
            B.new_secret != "",
            rx.el.pre(rx.el.code(B.new_secret), id="new-secret", tab_index=-1),
        ),
        table(
            "abuse_keys_caption",
            [
                "abuse_col_name",
                "abuse_col_partner",
                "abuse_col_prefix",
                "abuse_col_rate",
                "abuse_col_created",
                "abuse_col_status",
                "admin_actions",
            ],
            rx.el.tbody(rx.foreach(B.keys, key_row)),
            "api-keys",
        ),
        rx.el.section(
            rx.heading(t("abuse_new_key_heading"), as_="h3", size="5", id="key-form-heading"),
            key_form(),
            class_name="admin-panel",
            custom_attrs={"aria-labelledby": "key-form-heading"},
        ),
        rx.heading(t("abuse_spikes_heading"), as_="h2", size="6", margin_top="1.5rem"),
        rx.cond(
            B.spikes.length() > 0,
            table(
                "abuse_spikes_caption",
                ["abuse_col_when", "abuse_col_scope", "abuse_col_what", "abuse_col_count"],
                rx.el.tbody(rx.foreach(B.spikes, spike_row)),
                "spikes",
            ),
            rx.text(t("abuse_no_spikes"), id="no-spikes"),
        ),
    )
