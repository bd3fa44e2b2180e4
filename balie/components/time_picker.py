"""The accessible time picker: day buttons, then the free times of the chosen day."""

from typing import Any

import reflex as rx

from balie.components.text import localised, t
from balie.states.time_picker import DayOption, TimeOption


def _day_button(state: Any, day: rx.Var[DayOption]) -> rx.Component:
    """A day that has free times; pressed when its times are listed."""
    selected = day.key == state.day_key
    return rx.el.li(
        rx.el.button(
            localised(day.label),
            on_click=state.show_day(day.key),
            class_name=rx.cond(selected, "day day-selected", "day"),
            type="button",
            custom_attrs={"aria-pressed": rx.cond(selected, "true", "false"), "data-day": day.key},
        )
    )


def _time_button(state: Any, time: rx.Var[TimeOption]) -> rx.Component:
    """A free time on the selected day."""
    return rx.el.li(
        rx.el.button(
            time.label,
            on_click=state.choose_time(time.start),
            class_name="time",
            type="button",
            custom_attrs={"data-start": time.start},
        )
    )


def time_picker(state: Any) -> rx.Component:
    """Days and times of ``state`` (a TimePickerState with a ``choose_time`` handler)."""
    return rx.cond(
        state.days.length() > 0,
        rx.box(
            rx.text(t("times_in_zone"), size="2"),
            rx.el.h3(t("choose_day"), class_name="sub-heading", id="days-heading"),
            rx.el.ul(
                rx.foreach(state.visible_days, lambda day: _day_button(state, day)),
                class_name="day-list",
                custom_attrs={"aria-labelledby": "days-heading"},
            ),
            rx.hstack(
                rx.cond(
                    state.has_earlier_days,
                    rx.button(
                        t("earlier_days"),
                        on_click=state.earlier_days,
                        variant="outline",
                        id="earlier-days",
                    ),
                ),
                rx.cond(
                    state.has_later_days,
                    rx.button(
                        t("later_days"),
                        on_click=state.later_days,
                        variant="outline",
                        id="later-days",
                    ),
                ),
                margin_y="0.75rem",
            ),
            rx.el.h3(
                t("free_times_on"),
                " ",
                localised(state.selected_day.to(dict)["long"]),
                class_name="sub-heading",
                id="times-heading",
            ),
            rx.el.ul(
                rx.foreach(state.times, lambda time: _time_button(state, time)),
                class_name="time-list",
                custom_attrs={"aria-labelledby": "times-heading"},
            ),
        ),
        rx.text(t("no_free_times")),
    )
