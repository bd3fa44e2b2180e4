"""Planning views for staff: my week (/medewerkers/week) and a service's day (/medewerkers/team)."""

import reflex as rx

from balie.components.calendar import calendar_grid
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.pages.staff import status_words
from balie.states.staff import MEETING_KEYS
from balie.states.staff_views import (
    PlanRow,
    ServiceOption,
    TeamDayState,
    WeekDay,
    WeekState,
)

TEAM_PROBLEMS = ["work_team_bad_day", "work_team_bad_service"]


def count_words(count: rx.Var) -> rx.Component:
    """'1 afspraak', '3 afspraken'."""
    return rx.fragment(
        count.to_string(),
        " ",
        rx.cond(count == 1, t("work_appointment_one"), t("work_appointment_many")),
    )


# --- my week ---------------------------------------------------------------------------------


def week_row(row: rx.Var[PlanRow]) -> rx.Component:
    """One appointment in the week: time, citizen, topic and status (no question)."""
    return rx.el.li(
        rx.el.strong(row.time_label),
        " · ",
        row.citizen_name,
        " · ",
        row.topic_name,
        " (",
        row.service_name,
        ") · ",
        status_words(row.status_key, row.outcome_key),
        id="row-" + row.reference,
        tab_index=-1,
        custom_attrs={"data-reference": row.reference},
        class_name="week-row",
    )


def week_day(day: rx.Var[WeekDay]) -> rx.Component:
    """A day of the week: its heading with the number of appointments, then the list."""
    heading_id = "day-" + day.key
    return rx.el.section(
        rx.heading(
            localised(day.label),
            rx.el.span(" – ", count_words(day.count), class_name="day-count"),
            as_="h3",
            size="4",
            id=heading_id,
        ),
        rx.cond(
            day.count > 0,
            rx.el.ul(rx.foreach(day.rows, week_row), class_name="week-list"),
            rx.text(t("work_day_free"), size="2"),
        ),
        class_name="week-day",
        custom_attrs={"data-day": day.key, "aria-labelledby": heading_id},
    )


@rx.page(route="/medewerkers/week", title="Mijn week – Digitale Balie", on_load=WeekState.load)
def week() -> rx.Component:
    """The counsellor's own appointments of a week, per day, with the week before and after."""
    return staff_frame(
        WeekState,
        "/medewerkers/week",
        "work_week_title",
        rx.el.nav(
            rx.hstack(
                rx.button(
                    t("work_previous_week"),
                    on_click=WeekState.previous_week,
                    variant="outline",
                    id="previous-week",
                ),
                rx.button(
                    t("work_this_week"),
                    on_click=WeekState.this_week,
                    variant="outline",
                    id="this-week",
                ),
                rx.button(
                    t("work_next_week"),
                    on_click=WeekState.next_week,
                    variant="outline",
                    id="next-week",
                ),
                spacing="3",
                wrap="wrap",
            ),
            aria_label=t("work_week_nav"),
            margin_bottom="1rem",
        ),
        rx.el.p(
            rx.el.strong(localised(WeekState.week_label)),
            id="week-label",
            custom_attrs={"aria-live": "polite"},
        ),
        rx.el.p(t("work_week_total"), " ", WeekState.total.to_string(), id="week-total"),
        calendar_grid(WeekState.days, WeekState.hours, "week-grid", "cal_week_label"),
        rx.heading(t("cal_as_list"), as_="h2", size="5", margin_top="1.5rem", id="week-list"),
        rx.box(rx.foreach(WeekState.days, week_day), id="week", margin_top="0.5rem"),
    )


# --- a service's day -------------------------------------------------------------------------


def service_option(option: rx.Var[ServiceOption]) -> rx.Component:
    """A service in the list."""
    return rx.el.option(localised(option.name), value=option.value)


def team_form() -> rx.Component:
    """Choose the service and the day."""
    has_problem = TeamDayState.problem != ""
    return rx.el.form(
        rx.box(
            rx.el.label(t("work_team_service"), html_for="team-service", class_name="field-label"),
            rx.el.select(
                rx.foreach(TeamDayState.services, service_option),
                id="team-service",
                name="service",
                default_value=TeamDayState.service_value,
                class_name="field-input",
            ),
            class_name="field",
        ),
        rx.box(
            rx.el.label(t("work_team_day"), html_for="team-day", class_name="field-label"),
            rx.text(t("work_team_day_hint"), id="team-day-hint", class_name="field-hint"),
            rx.el.input(
                id="team-day",
                name="day",
                type="date",
                default_value=TeamDayState.day,
                required=True,
                class_name="field-input",
                custom_attrs={
                    "aria-invalid": rx.cond(has_problem, "true", "false"),
                    "aria-describedby": rx.cond(
                        has_problem, "team-day-hint team-problem", "team-day-hint"
                    ),
                },
            ),
            class_name="field",
        ),
        rx.cond(
            has_problem,
            rx.text(
                text_for(TeamDayState.problem, TEAM_PROBLEMS),
                id="team-problem",
                class_name="field-error",
                role="alert",
            ),
        ),
        rx.button(t("work_team_show"), type="submit", id="team-show"),
        on_submit=TeamDayState.show,
        reset_on_submit=False,
        margin_bottom="1rem",
    )


def header(key: str) -> rx.Component:
    """A column heading."""
    return rx.el.th(t(key), scope="col")


def team_row(row: rx.Var[PlanRow]) -> rx.Component:
    """One appointment of the service's day."""
    return rx.el.tr(
        rx.el.td(row.time_label),
        rx.el.td(row.staff_name),
        rx.el.td(row.topic_name),
        rx.el.td(row.citizen_name),
        rx.el.td(status_words(row.status_key, row.outcome_key)),
        rx.el.td(text_for(row.meeting_key, MEETING_KEYS)),
        id="row-" + row.reference,
        tab_index=-1,
        custom_attrs={"data-reference": row.reference},
    )


def team_table() -> rx.Component:
    """The service's appointments that day, with the counsellor of each."""
    return rx.fragment(
        rx.cond(
            TeamDayState.columns.length() > 0,
            calendar_grid(
                TeamDayState.columns,
                TeamDayState.hours,
                "team-grid",
                "cal_team_label",
                "cal_keys_hint_team",
            ),
        ),
        rx.cond(TeamDayState.rows.length() > 0, team_rows_table(), team_none()),
    )


def team_rows_table() -> rx.Component:
    """The same appointments as a table, the alternative to the grid."""
    return rx.box(
        rx.el.table(
            rx.el.caption(
                t("work_team_caption"),
                " ",
                localised(TeamDayState.service_name),
                ", ",
                localised(TeamDayState.day_label),
            ),
            rx.el.thead(
                rx.el.tr(
                    header("work_col_time"),
                    header("work_col_counsellor"),
                    header("work_col_topic"),
                    header("work_col_citizen"),
                    header("work_col_status"),
                    header("work_col_meeting"),
                )
            ),
            rx.el.tbody(rx.foreach(TeamDayState.rows, team_row)),
            class_name="plan-table",
            id="team-day-table",
        ),
        class_name="plan-table-wrap",
    )


def team_none() -> rx.Component:
    """No appointments for the service that day."""
    return rx.text(
        t("work_team_none"),
        " (",
        localised(TeamDayState.service_name),
        ", ",
        localised(TeamDayState.day_label),
        ")",
        id="team-none",
    )


@rx.page(
    route="/medewerkers/team", title="Dag per dienst – Digitale Balie", on_load=TeamDayState.load
)
def team() -> rx.Component:
    """A service's appointments on one day, for its counsellors and for team leads."""
    return staff_frame(
        TeamDayState,
        "/medewerkers/team",
        "work_team_title",
        rx.cond(
            TeamDayState.loaded,
            rx.fragment(team_form(), team_table()),
            rx.cond(
                (TeamDayState.display_name != "") & (TeamDayState.services.length() == 0),
                rx.text(t("work_team_no_services"), id="team-no-services"),
            ),
        ),
    )
