"""Administrators' pages: catalogue (/beheer/catalogus), staff (/beheer/medewerkers), audit log.

Forms are plain HTML forms with their values as defaults: what was typed stays in the fields
when the server finds an error, and a new ``key`` (form_version) shows freshly loaded values.
The browser's own checks are off (noValidate) so every message comes from the server, in the
visitor's language, next to its field.
"""

from typing import Any

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.i18n import TEXTS
from balie.models import CITY_ROLES, ChannelRule
from balie.services.catalogue_admin import (
    DESCRIPTION_MAX,
    DOCUMENTS_FIELD_MAX,
    NAME_MAX,
    PREPARATION_MAX,
    REASON_MAX,
    SERVICE_NUMBERS,
    SLUG_MAX,
)
from balie.services.identity.levels import LEVEL_VALUES
from balie.states.admin import (
    AUDIT_PAGE,
    CATALOGUE_PAGE,
    STAFF_PAGE,
    AuditRowView,
    AuditState,
    CatalogueAdminState,
    ServiceChoice,
    ServiceRow,
    SignInAlertView,
    StaffAdminState,
    StaffOption,
    StaffRow,
    TopicRow,
)

ERROR_KEYS = [key for key in TEXTS if key.startswith("admin_error_")]
RULES = [rule.value for rule in ChannelRule]
RULE_KEYS = [f"admin_rule_{rule}" for rule in RULES]
ROLES = list(CITY_ROLES)
CATALOGUE_MESSAGES = [
    "admin_service_created",
    "admin_service_saved",
    "admin_service_deleted",
    "admin_service_deactivated",
    "admin_topic_created",
    "admin_topic_saved",
    "admin_topic_deleted",
    "admin_topic_deactivated",
]
STAFF_MESSAGES = ["admin_staff_created", "admin_staff_saved", "admin_staff_has_appointments"]
PROBLEMS = ["admin_form_has_errors", "admin_not_found"]
SET_PASSWORD = ".venv/bin/python -m balie.staff set-password --email "


# ---------------------------------------------------------------------------------------------
# Form parts


def _error_id(prefix: str, name: str) -> str:
    """The id of a field's error message."""
    return f"{prefix}-{name}-error".replace("_", "-")


def _field_id(prefix: str, name: str) -> str:
    """The id of a field."""
    return f"{prefix}-{name}".replace("_", "-")


def _aria(prefix: str, name: str, errors: rx.Var, hint: bool) -> dict[str, Any]:
    """aria-invalid and aria-describedby (the hint and, when there is one, the error)."""
    hint_id = f"{_field_id(prefix, name)}-hint" if hint else ""
    with_error = f"{hint_id} {_error_id(prefix, name)}".strip()
    return {
        "aria-invalid": rx.cond(errors.contains(name), "true", "false"),
        "aria-describedby": rx.cond(errors.contains(name), with_error, hint_id),
    }


def _error(prefix: str, name: str, errors: rx.Var, detail: rx.Var | None = None) -> rx.Component:
    """The error under a field, when there is one (with ``detail`` after it, if given)."""
    parts: list[Any] = [text_for(errors[name], ERROR_KEYS)]
    if detail is not None:
        parts += [" ", detail]
    return rx.cond(
        errors.contains(name),
        rx.text(*parts, id=_error_id(prefix, name), class_name="field-error"),
    )


def _hint(prefix: str, name: str, hint: str | None) -> rx.Component:
    """A field's hint, when it has one."""
    if hint is None:
        return rx.fragment()
    return rx.text(t(hint), id=f"{_field_id(prefix, name)}-hint", class_name="field-hint")


def field(
    prefix: str,
    name: str,
    label: str,
    values: rx.Var,
    errors: rx.Var,
    *,
    hint: str | None = None,
    input_type: str = "text",
    max_length: int | None = None,
    bounds: tuple[int, int] | None = None,
    required: bool = False,
    multiline: bool = False,
    detail: rx.Var | None = None,
) -> rx.Component:
    """A labelled input (or text area) that keeps its value and shows its error."""
    common: dict[str, Any] = {
        "id": _field_id(prefix, name),
        "name": name,
        "default_value": values[name],
        "class_name": "field-input",
        "custom_attrs": _aria(prefix, name, errors, hint is not None),
    }
    if max_length is not None:
        common["max_length"] = max_length
    if required:
        common["required"] = True
    if multiline:
        control = rx.el.textarea(rows=3, **common)
    else:
        extra: dict[str, Any] = {}
        if bounds is not None:
            extra = {"min": bounds[0], "max": bounds[1], "step": 1, "input_mode": "numeric"}
        control = rx.el.input(type=input_type, **common, **extra)
    return rx.box(
        rx.el.label(t(label), html_for=_field_id(prefix, name), class_name="field-label"),
        _hint(prefix, name, hint),
        control,
        _error(prefix, name, errors, detail),
        class_name="field",
    )


def checkbox(prefix: str, name: str, label: str, values: rx.Var, errors: rx.Var) -> rx.Component:
    """A labelled checkbox that is ticked when its value is "on", with its error."""
    return rx.box(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                id=_field_id(prefix, name),
                name=name,
                default_checked=values[name] == "on",
                custom_attrs=_aria(prefix, name, errors, False),
            ),
            " ",
            t(label),
            class_name="checkbox",
        ),
        _error(prefix, name, errors),
        class_name="field",
    )


def radio(
    prefix: str, name: str, value: str, label: str, values: rx.Var, errors: rx.Var
) -> rx.Component:
    """One labelled choice of the radio group ``name``, checked when it is the value."""
    return rx.el.label(
        rx.el.input(
            type="radio",
            name=name,
            value=value,
            id=_field_id(prefix, f"{name}_{value}"),
            default_checked=values[name] == value,
            custom_attrs=_aria(prefix, name, errors, False),
        ),
        " ",
        t(label),
        class_name="radio",
    )


def _place(state: Any, place: str, var: rx.Var) -> rx.Var:
    """The message key when the message belongs at ``place``, else empty."""
    return rx.cond(state.message_at == place, var, "")


def messages_at(state: Any, place: str, outcome_keys: list[str], element_id: str) -> rx.Component:
    """The outcome (role=status) or problem (role=alert) shown at one place of the page."""
    return rx.fragment(
        message_box(
            _place(state, place, state.problem), PROBLEMS, f"{element_id}-problem", problem=True
        ),
        message_box(
            _place(state, place, state.message),
            outcome_keys,
            f"{element_id}-message",
            problem=False,
        ),
    )


def buttons(*children: rx.Component) -> rx.Component:
    """A row of buttons that wraps on small screens."""
    return rx.hstack(*children, spacing="3", wrap="wrap", margin_top="0.5rem")


def table(caption: str, headers: list[str], body: rx.Component, table_id: str) -> rx.Component:
    """An HTML table with a caption and column headers, scrolling sideways on small screens."""
    return rx.box(
        rx.el.table(
            rx.el.caption(t(caption), class_name="admin-caption"),
            rx.el.thead(rx.el.tr(*[rx.el.th(t(key), scope="col") for key in headers])),
            body,
            class_name="admin-table",
            id=table_id,
        ),
        class_name="admin-table-wrap",
    )


def status_text(active: rx.Var) -> rx.Component:
    """Active or switched off, in words (never by colour alone)."""
    return rx.cond(active, t("admin_active"), t("admin_inactive"))


def edit_button(label_var: rx.Var, on_click: Any, class_name: str) -> rx.Component:
    """An "Edit" button whose accessible name also says what it edits."""
    return rx.el.button(
        t("admin_edit"),
        rx.el.span(" ", label_var, class_name="visually-hidden"),
        on_click=on_click,
        type="button",
        class_name=f"admin-button {class_name}",
    )


# ---------------------------------------------------------------------------------------------
# Catalogue

C = CatalogueAdminState


def confirm_removal(what: str) -> rx.Component:
    """ "Really delete?" under the form, with the final button and a way back."""
    return rx.cond(
        C.confirm_remove == what,
        rx.box(
            rx.text(t("admin_confirm_remove"), id=f"confirm-remove-{what}-text", weight="bold"),
            rx.hstack(
                rx.button(
                    t("admin_confirm_remove_yes"),
                    type="button",
                    color_scheme="red",
                    on_click=C.remove_service if what == "service" else C.remove_topic,
                    id=f"confirm-remove-{what}",
                    custom_attrs={"aria-describedby": f"confirm-remove-{what}-text"},
                ),
                rx.button(
                    t("admin_confirm_remove_no"),
                    type="button",
                    variant="outline",
                    on_click=C.keep,
                    id=f"keep-{what}",
                ),
                spacing="3",
                wrap="wrap",
            ),
            role="group",
            aria_labelledby=f"confirm-remove-{what}-text",
            class_name="confirm-remove",
            margin_top="0.75rem",
        ),
    )


def service_row(row: rx.Var[ServiceRow]) -> rx.Component:
    """A service in the list."""
    return rx.el.tr(
        rx.el.th(localised(row.name), scope="row"),
        rx.el.td(row.slug),
        rx.el.td(row.live_from),
        rx.el.td(row.minutes),
        rx.el.td(status_text(row.active)),
        rx.el.td(row.topic_count),
        rx.el.td(edit_button(localised(row.name), C.edit_service(row.id), "edit-service")),
        custom_attrs={"data-service": row.slug},
    )


def service_form() -> rx.Component:
    """The form of the service being edited (or a new one)."""
    values, errors = C.service_values, C.service_errors
    number_fields = [
        field(
            "service",
            name,
            f"admin_field_{name}",
            values,
            errors,
            hint=f"admin_field_{name}_hint",
            input_type="number",
            bounds=bounds,
        )
        for name, bounds in SERVICE_NUMBERS.items()
    ]
    return rx.el.form(
        field(
            "service",
            "slug",
            "admin_field_slug",
            values,
            errors,
            hint="admin_field_slug_hint",
            max_length=SLUG_MAX,
            required=True,
        ),
        field(
            "service",
            "name_nl",
            "admin_field_name_nl",
            values,
            errors,
            max_length=NAME_MAX,
            required=True,
        ),
        field(
            "service",
            "name_en",
            "admin_field_name_en",
            values,
            errors,
            hint="admin_english_hint",
            max_length=NAME_MAX,
        ),
        field(
            "service",
            "description_nl",
            "admin_field_description_nl",
            values,
            errors,
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
        field(
            "service",
            "description_en",
            "admin_field_description_en",
            values,
            errors,
            hint="admin_english_hint",
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
        field(
            "service",
            "live_from",
            "admin_field_live_from",
            values,
            errors,
            hint="admin_field_live_from_hint",
            input_type="date",
            required=True,
        ),
        *number_fields,
        checkbox("service", "active", "admin_field_service_active", values, errors),
        messages_at(C, "service", CATALOGUE_MESSAGES, "service"),
        buttons(
            rx.button(t("admin_save"), type="submit", id="save-service"),
            rx.button(
                t("admin_close"),
                type="button",
                variant="outline",
                on_click=C.close_service,
                id="close-service",
            ),
            rx.cond(
                C.service_mode == "edit",
                rx.button(
                    t("admin_remove"),
                    type="button",
                    variant="outline",
                    color_scheme="red",
                    on_click=C.remove_service,
                    id="remove-service",
                    custom_attrs={"aria-describedby": "remove-service-hint"},
                ),
            ),
        ),
        rx.cond(
            C.service_mode == "edit",
            rx.text(t("admin_remove_hint"), id="remove-service-hint", class_name="field-hint"),
        ),
        confirm_removal("service"),
        on_submit=C.save_service,
        no_validate=True,
        id="service-form",
        key=C.form_version.to_string(),
        class_name="admin-form",
    )


def topic_row(row: rx.Var[TopicRow]) -> rx.Component:
    """A topic of the service being edited."""
    return rx.el.tr(
        rx.el.th(localised(row.name), scope="row"),
        rx.el.td(row.slug),
        rx.el.td(text_for(rx.Var.create("admin_rule_") + row.rule, RULE_KEYS)),
        rx.el.td(status_text(row.active)),
        rx.el.td(edit_button(localised(row.name), C.edit_topic(row.id), "edit-topic")),
        custom_attrs={"data-topic": row.slug},
    )


def rule_choice(rule: str) -> rx.Component:
    """One channel rule to choose."""
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="channel_rule",
            value=rule,
            id=f"topic-rule-{rule}".replace("_", "-"),
            default_checked=C.topic_values["channel_rule"] == rule,
            custom_attrs=_aria("topic", "channel_rule", C.topic_errors, False),
        ),
        " ",
        t(f"admin_rule_{rule}"),
        class_name="radio",
    )


def level_choice(level: str) -> rx.Component:
    """One identification level to choose."""
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="identification_level",
            value=level,
            id=f"topic-level-{level}",
            default_checked=C.topic_values["identification_level"] == level,
            custom_attrs=_aria("topic", "identification_level", C.topic_errors, False),
        ),
        " ",
        t(f"admin_level_{level}"),
        class_name="radio",
    )


def topic_form() -> rx.Component:
    """The form of the topic being edited (or a new one)."""
    values, errors = C.topic_values, C.topic_errors
    return rx.el.form(
        field(
            "topic",
            "slug",
            "admin_field_slug",
            values,
            errors,
            hint="admin_field_slug_hint",
            max_length=SLUG_MAX,
            required=True,
        ),
        field(
            "topic",
            "name_nl",
            "admin_field_name_nl",
            values,
            errors,
            max_length=NAME_MAX,
            required=True,
        ),
        field(
            "topic",
            "name_en",
            "admin_field_name_en",
            values,
            errors,
            hint="admin_english_hint",
            max_length=NAME_MAX,
        ),
        rx.el.fieldset(
            rx.el.legend(t("admin_field_channel_rule"), class_name="field-label"),
            *[rule_choice(rule) for rule in RULES],
            _error("topic", "channel_rule", errors),
            class_name="field",
        ),
        rx.el.fieldset(
            rx.el.legend(t("admin_field_identification_level"), class_name="field-label"),
            *[level_choice(level) for level in LEVEL_VALUES],
            _error("topic", "identification_level", errors),
            class_name="field",
        ),
        field(
            "topic",
            "reason_nl",
            "admin_field_reason_nl",
            values,
            errors,
            hint="admin_reason_hint",
            max_length=REASON_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "reason_en",
            "admin_field_reason_en",
            values,
            errors,
            hint="admin_reason_hint",
            max_length=REASON_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "preparation_nl",
            "admin_field_preparation_nl",
            values,
            errors,
            max_length=PREPARATION_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "preparation_en",
            "admin_field_preparation_en",
            values,
            errors,
            hint="admin_english_hint",
            max_length=PREPARATION_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "documents_nl",
            "admin_field_documents_nl",
            values,
            errors,
            hint="admin_documents_hint",
            max_length=DOCUMENTS_FIELD_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "documents_en",
            "admin_field_documents_en",
            values,
            errors,
            hint="admin_documents_en_hint",
            max_length=DOCUMENTS_FIELD_MAX,
            multiline=True,
        ),
        field(
            "topic",
            "sort_order",
            "admin_field_sort_order",
            values,
            errors,
            hint="admin_field_sort_order_hint",
            input_type="number",
            bounds=SERVICE_NUMBERS["sort_order"],
        ),
        checkbox("topic", "active", "admin_field_topic_active", values, errors),
        messages_at(C, "topic", CATALOGUE_MESSAGES, "topic"),
        buttons(
            rx.button(t("admin_save"), type="submit", id="save-topic"),
            rx.button(
                t("admin_close"),
                type="button",
                variant="outline",
                on_click=C.close_topic,
                id="close-topic",
            ),
            rx.cond(
                C.topic_mode == "edit",
                rx.button(
                    t("admin_remove"),
                    type="button",
                    variant="outline",
                    color_scheme="red",
                    on_click=C.remove_topic,
                    id="remove-topic",
                    custom_attrs={"aria-describedby": "remove-topic-hint"},
                ),
            ),
        ),
        rx.cond(
            C.topic_mode == "edit",
            rx.text(t("admin_remove_hint"), id="remove-topic-hint", class_name="field-hint"),
        ),
        confirm_removal("topic"),
        on_submit=C.save_topic,
        no_validate=True,
        id="topic-form",
        key=C.form_version.to_string(),
        class_name="admin-form",
    )


def topics_section() -> rx.Component:
    """The topics of the service being edited, and the topic form."""
    return rx.el.section(
        rx.heading(t("admin_topics_heading"), as_="h3", size="5", margin_top="1.5rem"),
        messages_at(C, "topics", CATALOGUE_MESSAGES, "topics"),
        rx.cond(
            C.topics.length() > 0,
            table(
                "admin_topics_heading",
                [
                    "admin_col_name",
                    "admin_col_slug",
                    "admin_col_channel",
                    "admin_col_status",
                    "admin_actions",
                ],
                rx.el.tbody(rx.foreach(C.topics, topic_row)),
                "topics",
            ),
            rx.text(t("admin_no_topics")),
        ),
        rx.cond(
            C.topic_mode == "",
            buttons(
                rx.button(
                    t("admin_new_topic"),
                    type="button",
                    variant="outline",
                    on_click=C.new_topic,
                    id="new-topic",
                )
            ),
        ),
        rx.cond(
            C.topic_mode != "",
            rx.el.section(
                rx.heading(
                    rx.cond(
                        C.topic_mode == "edit",
                        t("admin_topic_form_edit"),
                        t("admin_topic_form_new"),
                    ),
                    as_="h4",
                    size="4",
                    margin_top="1rem",
                    id="topic-form-heading",
                    tab_index=-1,
                ),
                topic_form(),
                class_name="admin-panel",
                custom_attrs={"aria-labelledby": "topic-form-heading"},
            ),
        ),
    )


def service_editor() -> rx.Component:
    """The service form, and below it (for an existing service) its topics."""
    return rx.el.section(
        rx.heading(
            rx.cond(
                C.service_mode == "edit", t("admin_service_form_edit"), t("admin_service_form_new")
            ),
            rx.cond(C.service_mode == "edit", rx.el.span(": ", localised(C.service_name))),
            as_="h2",
            size="6",
            id="service-form-heading",
            tab_index=-1,
        ),
        service_form(),
        rx.cond(C.service_mode == "edit", topics_section()),
        class_name="admin-panel",
        custom_attrs={"aria-labelledby": "service-form-heading"},
        id="service-editor",
    )


@rx.page(route=CATALOGUE_PAGE, title="Diensten en onderwerpen – Digitale Balie", on_load=C.load)
def catalogue_admin() -> rx.Component:
    """Services and topics of the organisation, with their edit forms."""
    return staff_frame(
        C,
        CATALOGUE_PAGE,
        "nav_catalogue",
        messages_at(C, "page", CATALOGUE_MESSAGES, "page"),
        rx.heading(
            t("admin_services_heading"), as_="h2", size="6", id="services-heading", tab_index=-1
        ),
        table(
            "admin_services_caption",
            [
                "admin_col_name",
                "admin_col_slug",
                "admin_col_live_from",
                "admin_col_minutes",
                "admin_col_status",
                "admin_col_topics",
                "admin_actions",
            ],
            rx.el.tbody(rx.foreach(C.services, service_row)),
            "services",
        ),
        buttons(
            rx.button(
                t("admin_new_service"),
                type="button",
                variant="outline",
                on_click=C.new_service,
                id="new-service",
            )
        ),
        rx.cond(C.service_mode != "", service_editor()),
    )


# ---------------------------------------------------------------------------------------------
# Staff members

S = StaffAdminState


def staff_row(row: rx.Var[StaffRow]) -> rx.Component:
    """A staff member in the list."""
    return rx.el.tr(
        rx.el.th(row.display_name, scope="row"),
        rx.el.td(row.email),
        rx.el.td(localised(row.roles)),
        rx.el.td(localised(row.services)),
        rx.el.td(
            text_for(
                row.sign_in, ["admin_sign_in_entra", "admin_sign_in_password", "admin_sign_in_none"]
            )
        ),
        rx.el.td(status_text(row.active)),
        rx.el.td(edit_button(row.display_name, S.edit_staff(row.id), "edit-staff")),
        custom_attrs={"data-staff": row.email},
    )


def role_box(role: str) -> rx.Component:
    """A role checkbox."""
    name = f"role_{role}"
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            name=name,
            id=f"staff-role-{role}",
            default_checked=S.staff_values[name] == "on",
            custom_attrs=_aria("staff", "roles", S.staff_errors, False),
        ),
        " ",
        t(f"admin_role_{role}"),
        class_name="checkbox",
    )


def service_box(choice: rx.Var[ServiceChoice]) -> rx.Component:
    """A service checkbox (the label wraps the box, so it needs no id)."""
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            name="service_" + choice.id.to_string(),
            default_checked=choice.checked,
            custom_attrs=_aria("staff", "services", S.staff_errors, True),
        ),
        " ",
        localised(choice.name),
        class_name="checkbox",
    )


def staff_form() -> rx.Component:
    """The form of the staff member being edited (or a new one)."""
    values, errors = S.staff_values, S.staff_errors
    return rx.el.form(
        field(
            "staff",
            "display_name",
            "admin_field_display_name",
            values,
            errors,
            max_length=NAME_MAX,
            required=True,
        ),
        rx.cond(
            S.staff_mode == "new",
            field(
                "staff",
                "email",
                "admin_field_email",
                values,
                errors,
                input_type="email",
                max_length=254,
                required=True,
            ),
            rx.box(
                rx.text(t("admin_field_email"), class_name="field-label"),
                rx.text(S.editing_email, id="staff-email-fixed"),
                rx.text(t("admin_field_email_fixed"), class_name="field-hint"),
                class_name="field",
            ),
        ),
        rx.el.fieldset(
            rx.el.legend(t("admin_field_roles"), class_name="field-label"),
            *[role_box(role) for role in ROLES],
            _error("staff", "roles", errors),
            class_name="field",
        ),
        rx.el.fieldset(
            rx.el.legend(t("admin_field_services"), class_name="field-label"),
            rx.text(
                t("admin_field_services_hint"), id="staff-services-hint", class_name="field-hint"
            ),
            rx.foreach(S.service_choices, service_box),
            _error("staff", "services", errors),
            class_name="field",
        ),
        checkbox("staff", "active", "admin_field_staff_active", values, errors),
        message_box(S.problem, PROBLEMS, "staff-problem", problem=True),
        message_box(S.message, STAFF_MESSAGES, "staff-message", problem=False),
        buttons(
            rx.button(t("admin_save"), type="submit", id="save-staff"),
            rx.button(
                t("admin_close"),
                type="button",
                variant="outline",
                on_click=S.close_staff,
                id="close-staff",
            ),
        ),
        on_submit=S.save_staff,
        no_validate=True,
        id="staff-form",
        key=S.form_version.to_string(),
        class_name="admin-form",
    )


def password_note() -> rx.Component:
    """How a staff member gets a password: the command on the server, never this page."""
    address = rx.cond(S.editing_email != "", S.editing_email, "…")
    return rx.box(
        rx.text(t("admin_password_note")),
        rx.el.pre(rx.el.code(SET_PASSWORD, address), class_name="admin-command"),
        id="password-note",
        margin_top="1rem",
    )


@rx.page(route=STAFF_PAGE, title="Medewerkers – Digitale Balie", on_load=S.load)
def staff_admin() -> rx.Component:
    """Staff members of the organisation with their roles and services."""
    return staff_frame(
        S,
        STAFF_PAGE,
        "nav_staff",
        rx.cond(S.staff_mode == "", message_box(S.problem, PROBLEMS, "page-problem", problem=True)),
        table(
            "admin_staff_caption",
            [
                "admin_field_display_name",
                "admin_col_email",
                "admin_col_roles",
                "admin_col_services",
                "admin_col_sign_in",
                "admin_col_status",
                "admin_actions",
            ],
            rx.el.tbody(rx.foreach(S.rows, staff_row)),
            "staff",
        ),
        buttons(
            rx.button(
                t("admin_new_staff"),
                type="button",
                variant="outline",
                on_click=S.new_staff,
                id="new-staff",
            )
        ),
        rx.cond(
            S.staff_mode != "",
            rx.el.section(
                rx.heading(
                    rx.cond(
                        S.staff_mode == "edit",
                        t("admin_staff_form_edit"),
                        t("admin_staff_form_new"),
                    ),
                    as_="h2",
                    size="6",
                    id="staff-form-heading",
                    tab_index=-1,
                ),
                staff_form(),
                class_name="admin-panel",
                custom_attrs={"aria-labelledby": "staff-form-heading"},
            ),
        ),
        password_note(),
    )


# ---------------------------------------------------------------------------------------------
# Audit log

A = AuditState


def audit_row(row: rx.Var[AuditRowView]) -> rx.Component:
    """One line of the audit log."""
    return rx.el.tr(
        rx.el.td(rx.el.time(row.when)),
        rx.el.td(rx.cond(row.who != "", row.who, t("admin_system"))),
        rx.el.td(rx.el.code(row.action)),
        rx.el.td(row.target),
        rx.el.td(row.summary, class_name="admin-detail"),
        custom_attrs={"data-action": row.action},
    )


def staff_option(option: rx.Var[StaffOption]) -> rx.Component:
    """A staff member to filter on."""
    return rx.el.option(option.name, value=option.id)


def audit_filters() -> rx.Component:
    """Filters: action prefix, who, from and to (local dates)."""
    values, errors = A.filter_values, A.filter_errors
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("admin_audit_filters"), class_name="field-label"),
            field(
                "audit",
                "action_prefix",
                "admin_field_action_prefix",
                values,
                errors,
                hint="admin_field_action_prefix_hint",
                max_length=64,
            ),
            rx.box(
                rx.el.label(
                    t("admin_field_staff_id"), html_for="audit-staff-id", class_name="field-label"
                ),
                rx.el.select(
                    rx.el.option(t("admin_everyone"), value=""),
                    rx.foreach(A.staff_options, staff_option),
                    id="audit-staff-id",
                    name="staff_id",
                    default_value=values["staff_id"],
                    class_name="field-input",
                    custom_attrs=_aria("audit", "staff_id", errors, False),
                ),
                _error("audit", "staff_id", errors),
                class_name="field",
            ),
            field("audit", "date_from", "admin_field_date_from", values, errors, input_type="date"),
            field("audit", "date_to", "admin_field_date_to", values, errors, input_type="date"),
            message_box(A.problem, PROBLEMS, "audit-problem", problem=True),
            buttons(
                rx.button(t("admin_show"), type="submit", id="apply-filters"),
                rx.button(
                    t("admin_clear_filters"),
                    type="button",
                    variant="outline",
                    on_click=A.clear_filters,
                    id="clear-filters",
                ),
            ),
            class_name="field",
        ),
        on_submit=A.apply_filters,
        no_validate=True,
        id="audit-filters",
        key=A.form_version.to_string(),
        class_name="admin-form",
    )


def paging() -> rx.Component:
    """Newer and older pages of the log."""
    return rx.el.nav(
        buttons(
            rx.button(
                t("admin_previous"),
                type="button",
                variant="outline",
                disabled=~A.has_previous,
                on_click=A.previous_page,
                id="previous-page",
            ),
            rx.text(t("admin_page"), " ", A.page_number.to_string(), id="page-number"),
            rx.button(
                t("admin_next"),
                type="button",
                variant="outline",
                disabled=~A.has_next,
                on_click=A.next_page,
                id="next-page",
            ),
        ),
        aria_label=t("admin_audit_paging"),
    )


def sign_in_alert_row(row: rx.Var[SignInAlertView]) -> rx.Component:
    """One spray or throttled address."""
    return rx.el.tr(
        rx.el.td(rx.el.time(row.when)),
        rx.el.td(rx.cond(row.kind == "spray", t("admin_sign_in_spray"), t("admin_throttled"))),
        rx.el.td(rx.el.code(row.source)),
        rx.el.td(row.count.to_string()),
        custom_attrs={"data-kind": row.kind},
    )


def sign_in_alerts() -> rx.Component:
    """The last day's sign-in sprays and throttled addresses (only when there are any)."""
    return rx.cond(
        A.sign_in_alerts.length() > 0,
        rx.box(
            rx.heading(t("admin_sign_in_alerts"), as_="h2", size="5", margin_y="1rem"),
            table(
                "admin_sign_in_alerts_caption",
                ["admin_col_when", "admin_col_kind", "admin_col_source", "admin_col_count"],
                rx.el.tbody(rx.foreach(A.sign_in_alerts, sign_in_alert_row)),
                "sign-in-alerts",
            ),
        ),
    )


@rx.page(route=AUDIT_PAGE, title="Logboek – Digitale Balie", on_load=A.load)
def audit_log() -> rx.Component:
    """The audit log: who did what, when."""
    return staff_frame(
        A,
        AUDIT_PAGE,
        "nav_audit",
        audit_filters(),
        rx.cond(
            A.rows.length() > 0,
            table(
                "admin_audit_caption",
                [
                    "admin_col_when",
                    "admin_col_who",
                    "admin_col_action",
                    "admin_col_target",
                    "admin_col_detail",
                ],
                rx.el.tbody(rx.foreach(A.rows, audit_row)),
                "audit",
            ),
            rx.text(t("admin_audit_none"), id="audit-none"),
        ),
        paging(),
        sign_in_alerts(),
    )
