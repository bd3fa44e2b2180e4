"""Opening hours and leave (/medewerkers/uren): weekly hours per service, leave, closures."""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.states.hours import (
    HOURS_PAGE,
    HourRow,
    HoursState,
    PeriodRow,
    ServiceHours,
    StrandedRow,
)
from balie.texts.hours import HOURS_ERRORS

S = HoursState
ERROR_KEYS = list(HOURS_ERRORS)
MESSAGE_KEYS = [
    "hours_saved",
    "hours_leave_added",
    "hours_leave_removed",
    "hours_closure_added",
    "hours_closure_removed",
    "hours_cancelled_and_saved",
]
PROBLEM_KEYS = ["hours_not_saved", "hours_not_allowed", "hours_stranded_changed"]
FIND_PAGE = "/medewerkers/zoeken"


def hidden(*children: rx.Component | rx.Var | str) -> rx.Component:
    """Text for screen readers only (e.g. which day a button belongs to)."""
    return rx.el.span(*children, class_name="visually-hidden")


def error_line(key: rx.Var, element_id: rx.Var | str) -> rx.Component:
    """An error message under a field, when ``key`` is set."""
    return rx.cond(
        key != "",
        rx.text(text_for(key, ERROR_KEYS), id=element_id, class_name="field-error"),
    )


def staff_chooser() -> rx.Component:
    """Administrators: whose hours to show."""
    return rx.box(
        rx.el.label(t("hours_choose_staff"), html_for="hours-staff", class_name="field-label"),
        rx.text(t("hours_choose_staff_hint"), id="hours-staff-hint", class_name="field-hint"),
        rx.el.select(
            rx.foreach(
                S.staff_options,
                lambda option: rx.el.option(option.label, value=option.value),
            ),
            id="hours-staff",
            value=S.target_id,
            on_change=S.choose_staff,
            class_name="field-input",
            custom_attrs={"aria-describedby": "hours-staff-hint"},
        ),
        class_name="field",
    )


def time_input(
    service: rx.Var[ServiceHours], row: rx.Var[HourRow], field: str, label_key: str, day: int
) -> rx.Component:
    """A labelled time input of one range (kept in the state as it is typed)."""
    base = "hours-" + service.service_id.to_string() + "-" + row.key
    value = row.start if field == "start" else row.end
    return rx.el.span(
        rx.el.label(
            t(label_key), hidden(" (", t(f"hours_day_{day}"), ")"), html_for=base + "-" + field
        ),
        rx.debounce_input(
            rx.el.input(
                type="time",
                id=base + "-" + field,
                value=value,
                step=300,
                on_change=lambda text: S.set_range(service.service_id, row.key, field, text),
                class_name="field-input hours-time",
                custom_attrs={
                    "aria-invalid": rx.cond(row.error != "", "true", "false"),
                    "aria-describedby": rx.cond(row.error != "", base + "-error", ""),
                    "data-field": field,
                },
            ),
            debounce_timeout=300,
            force_notify_on_blur=True,
        ),
        class_name="hours-time-field",
    )


def range_item(service: rx.Var[ServiceHours], row: rx.Var[HourRow], day: int) -> rx.Component:
    """One time range: from, until, remove, and its error."""
    base = "hours-" + service.service_id.to_string() + "-" + row.key
    return rx.el.li(
        rx.box(
            time_input(service, row, "start", "hours_from", day),
            time_input(service, row, "end", "hours_until", day),
            rx.button(
                t("hours_remove_range"),
                hidden(" ", t(f"hours_day_{day}"), " ", row.start, "–", row.end),
                on_click=S.remove_range(service.service_id, row.key),
                type="button",
                variant="outline",
                class_name="remove-range",
            ),
            class_name="hours-range-fields",
        ),
        error_line(row.error, base + "-error"),
        class_name="hours-range",
        custom_attrs={"data-key": row.key},
    )


def day_fieldset(service: rx.Var[ServiceHours], day: int) -> rx.Component:
    """The ranges of one weekday, with a button to add one."""
    return rx.el.fieldset(
        rx.el.legend(t(f"hours_day_{day}"), class_name="hours-day-name"),
        rx.cond(
            service.empty_days.contains(day),
            rx.text(t("hours_closed"), class_name="hours-closed"),
        ),
        rx.el.ul(
            rx.foreach(
                service.rows,
                lambda row: rx.cond(row.weekday == day, range_item(service, row, day)),
            ),
            class_name="hours-ranges",
        ),
        rx.button(
            t("hours_add_range"),
            hidden(" (", t(f"hours_day_{day}"), ")"),
            on_click=S.add_range(service.service_id, day),
            type="button",
            variant="outline",
            class_name="add-range",
        ),
        class_name="hours-day",
        custom_attrs={"data-day": str(day)},
    )


def service_hours(service: rx.Var[ServiceHours]) -> rx.Component:
    """The weekly table of one service, Monday to Sunday, with its save button."""
    prefix = "hours-" + service.service_id.to_string()
    return rx.el.section(
        rx.heading(
            t("hours_week_of"),
            " ",
            localised(service.name),
            as_="h2",
            size="5",
            id=prefix + "-heading",
            margin_top="1.5rem",
        ),
        rx.text(t("hours_range_hint"), class_name="field-hint"),
        rx.box(*[day_fieldset(service, day) for day in range(7)], class_name="hours-week"),
        rx.button(
            t("hours_save"),
            hidden(" – ", localised(service.name)),
            on_click=S.save_hours(service.service_id),
            type="button",
            class_name="save-hours",
        ),
        class_name="hours-service",
        custom_attrs={
            "aria-labelledby": prefix + "-heading",
            "data-service-id": service.service_id,
        },
    )


def stranded_item(row: rx.Var[StrandedRow]) -> rx.Component:
    """A booked appointment the change would strand."""
    return rx.el.li(
        rx.el.strong(row.reference),
        " · ",
        localised(row.when),
        " · ",
        localised(row.service_name),
        " · ",
        row.citizen_name,
        rx.cond(row.staff_name != "", rx.el.span(" (", row.staff_name, ")")),
        custom_attrs={"data-reference": row.reference},
    )


def resolution_form() -> rx.Component:
    """Administrators: move the appointments first, or cancel them and apply the change."""
    has_error = S.cancel_errors.contains("cancel_reason")
    return rx.box(
        rx.link(t("hours_stranded_move"), href=FIND_PAGE, id="stranded-move"),
        rx.text(t("hours_stranded_or"), margin_top="0.75rem"),
        rx.el.form(
            rx.box(
                rx.el.label(
                    t("hours_cancel_reason"), html_for="cancel-reason", class_name="field-label"
                ),
                rx.text(
                    t("hours_cancel_reason_hint"), id="cancel-reason-hint", class_name="field-hint"
                ),
                rx.el.input(
                    id="cancel-reason",
                    name="cancel_reason",
                    type="text",
                    required=True,
                    max_length=500,
                    class_name="field-input",
                    custom_attrs={
                        "aria-invalid": rx.cond(has_error, "true", "false"),
                        "aria-describedby": rx.cond(
                            has_error,
                            "cancel-reason-hint cancel-reason-error",
                            "cancel-reason-hint",
                        ),
                    },
                ),
                error_line(S.cancel_errors.get("cancel_reason", ""), "cancel-reason-error"),
                class_name="field",
            ),
            rx.hstack(
                rx.button(
                    t("hours_cancel_confirm"),
                    type="submit",
                    color_scheme="red",
                    id="confirm-cancel",
                ),
                rx.button(
                    t("hours_keep"),
                    type="button",
                    variant="outline",
                    on_click=S.dismiss_stranded,
                    id="keep",
                ),
                spacing="3",
                wrap="wrap",
            ),
            on_submit=S.confirm_cancel,
            id="cancel-form",
        ),
        margin_top="0.75rem",
    )


def stranded_panel() -> rx.Component:
    """The refusal: which booked appointments the change would strand, and what to do."""
    return rx.cond(
        S.stranded.length() > 0,
        rx.box(
            rx.box(
                rx.el.p(t("hours_stranded_title"), class_name="stranded-title"),
                rx.el.ul(rx.foreach(S.stranded, stranded_item), id="stranded-list"),
                role="alert",
                id="hours-stranded",
            ),
            rx.cond(S.is_admin, resolution_form(), rx.text(t("hours_stranded_staff"))),
            class_name="stranded",
        ),
    )


def period_field(
    prefix: str,
    name: str,
    label_key: str,
    input_type: str,
    errors: rx.Var,
    *,
    hint_id: str = "",
    required: bool = False,
) -> rx.Component:
    """A labelled input of the leave or closure form, with its error."""
    field_id = f"{prefix}-{name}"
    error_id = f"{field_id}-error"
    has_error = errors.contains(name)
    described = rx.cond(has_error, f"{hint_id} {error_id}".strip(), hint_id)
    extra = {"step": 300} if input_type == "time" else {}
    return rx.box(
        rx.el.label(t(label_key), html_for=field_id, class_name="field-label"),
        rx.el.input(
            id=field_id,
            name=name,
            type=input_type,
            required=required,
            max_length=200 if input_type == "text" else None,
            class_name="field-input",
            custom_attrs={
                "aria-invalid": rx.cond(has_error, "true", "false"),
                "aria-describedby": described,
            },
            **extra,
        ),
        error_line(errors.get(name, ""), error_id),
        class_name="field",
    )


def period_row(row: rx.Var[PeriodRow], on_remove: rx.EventHandler) -> rx.Component:
    """A leave period or closure, with a remove button."""
    return rx.el.li(
        rx.text(
            localised(row.label),
            rx.cond(row.reason != "", rx.el.span(" – ", row.reason)),
        ),
        rx.button(
            t("hours_remove"),
            hidden(" ", localised(row.label)),
            on_click=on_remove(row.period_id),
            type="button",
            variant="outline",
            size="1",
            class_name="remove-period",
        ),
        class_name="period",
        custom_attrs={"data-period-id": row.period_id},
    )


def period_section(
    prefix: str,
    heading: rx.Component,
    rows: rx.Var,
    errors: rx.Var,
    empty_key: str,
    add_key: str,
    on_submit: rx.EventHandler,
    on_remove: rx.EventHandler,
) -> rx.Component:
    """A list of periods (leave or closures) and the form to add one."""
    hint_id = f"{prefix}-times-hint"
    return rx.el.section(
        heading,
        rx.cond(
            rows.length() > 0,
            rx.el.ul(
                rx.foreach(rows, lambda row: period_row(row, on_remove)),
                class_name="period-list",
                id=f"{prefix}-list",
            ),
            rx.text(t(empty_key), id=f"{prefix}-none"),
        ),
        rx.el.form(
            rx.heading(t(add_key), as_="h3", size="4", margin_y="0.75rem"),
            rx.box(
                period_field(prefix, "date_from", "hours_date_from", "date", errors, required=True),
                period_field(
                    prefix, "date_until", "hours_date_until", "date", errors, required=True
                ),
                class_name="period-pair",
            ),
            rx.text(t("hours_times_hint"), id=hint_id, class_name="field-hint"),
            rx.box(
                period_field(
                    prefix, "time_from", "hours_time_from", "time", errors, hint_id=hint_id
                ),
                period_field(
                    prefix, "time_until", "hours_time_until", "time", errors, hint_id=hint_id
                ),
                class_name="period-pair",
            ),
            period_field(prefix, "reason", "hours_reason", "text", errors),
            rx.button(t(add_key), type="submit", id=f"{prefix}-add"),
            on_submit=on_submit,
            id=f"{prefix}-form",
        ),
        margin_top="2rem",
    )


def leave_section() -> rx.Component:
    """The leave of the staff member shown."""
    return period_section(
        "leave",
        rx.heading(t("hours_leave"), " – ", S.target_name, as_="h2", size="5"),
        S.leave,
        S.leave_errors,
        "hours_no_leave",
        "hours_add_leave",
        S.add_leave,
        S.remove_leave,
    )


def closure_section() -> rx.Component:
    """Administrators: the closures of the whole organisation."""
    return period_section(
        "closure",
        rx.box(
            rx.heading(t("hours_closures"), as_="h2", size="5"),
            rx.text(t("hours_closures_intro")),
        ),
        S.closures,
        S.closure_errors,
        "hours_no_closures",
        "hours_add_closure",
        S.add_closure,
        S.remove_closure,
    )


@rx.page(route=HOURS_PAGE, title="Openingsuren en verlof – Digitale Balie", on_load=S.load)
def hours_page() -> rx.Component:
    """Weekly hours per service, leave and (administrators) closures."""
    return staff_frame(
        S,
        HOURS_PAGE,
        "hours_title",
        rx.cond(
            S.loaded,
            rx.box(
                rx.text(t("hours_intro"), margin_bottom="1rem"),
                rx.cond(S.is_admin, staff_chooser()),
                message_box(S.message, MESSAGE_KEYS, "hours-message", problem=False),
                message_box(S.problem, PROBLEM_KEYS, "hours-problem", problem=True),
                stranded_panel(),
                rx.cond(
                    S.target_id != "",
                    rx.box(
                        rx.cond(
                            S.services.length() > 0,
                            rx.foreach(S.services, service_hours),
                            rx.text(t("hours_no_services")),
                        ),
                        leave_section(),
                    ),
                    rx.cond(~S.is_admin, rx.text(t("hours_no_services"), id="no-services")),
                ),
                rx.cond(S.is_admin, closure_section()),
            ),
            rx.text(t("loading")),
        ),
    )
