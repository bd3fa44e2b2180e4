"""The managers' dashboard (/statistieken): headline figures, growth, per service, channel.

Key figures first, each compared with the previous period. Charts are decorative (aria-hidden):
each one has a table with the same numbers behind a disclosure under it, in a scroll container
so the page never scrolls sideways, and every table can be downloaded as CSV.
"""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.models import Outcome
from balie.services.palette import (
    BAR_OUTLINE,
    CHANNEL_PATTERNS,
    PATTERNS,
    SERIES,
    TILE,
    ink,
    pattern_id,
)
from balie.states.dashboard import (
    DASHBOARD_PAGE,
    DashboardState,
    FigureView,
    OptionView,
    SeriesView,
    ServiceRow,
    TableRow,
    WaveView,
)

S = DashboardState
FILTER_ERRORS = ["dash_error_date", "dash_error_order", "dash_error_range", "dash_error_service"]
FIGURE_LABELS = [
    "dash_held",
    "dash_upcoming_now",
    "dash_booked",
    "dash_cancelled",
    "dash_no_shows",
    "dash_no_show_rate",
    "dash_cancellation_rate",
    "dash_satisfaction",
    "dash_services_live",
]
OUTCOME_KEYS = [f"dash_outcome_{outcome.value}" for outcome in Outcome]


def csv_button(table: str) -> rx.Component:
    """Download one table as CSV."""
    return rx.button(
        t("dash_csv"),
        on_click=S.download_csv(table),
        variant="outline",
        id=f"csv-{table}",
        class_name="dash-csv",
    )


def date_field(field: str, name: str, label: str, value: rx.Var) -> rx.Component:
    """A labelled date input tied to the filter error."""
    return rx.box(
        rx.el.label(t(label), html_for=field, class_name="field-label"),
        rx.el.input(
            id=field,
            name=name,
            type="date",
            default_value=value,
            required=True,
            class_name="field-input",
            custom_attrs={
                "aria-invalid": rx.cond(S.filter_error != "", "true", "false"),
                "aria-describedby": rx.cond(S.filter_error != "", "dash-filter-error", ""),
            },
        ),
        class_name="field",
    )


def service_option(option: rx.Var[OptionView]) -> rx.Component:
    """One service in the filter."""
    return rx.el.option(localised(option.name), value=option.value)


def filters() -> rx.Component:
    """Period and service; the form remounts when the figures change so it shows them."""
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("dash_filters"), class_name="field-label"),
            rx.box(
                date_field("dash-from", "from", "dash_from", S.date_from),
                date_field("dash-to", "to", "dash_to", S.date_to),
                rx.box(
                    rx.el.label(
                        t("dash_service"), html_for="dash-service", class_name="field-label"
                    ),
                    rx.el.select(
                        rx.el.option(t("dash_all_services"), value=""),
                        rx.foreach(S.options, service_option),
                        id="dash-service",
                        name="service",
                        default_value=S.service,
                        class_name="field-input",
                    ),
                    class_name="field",
                ),
                class_name="dash-filter-fields",
            ),
            class_name="dash-filters",
        ),
        message_box(S.filter_error, FILTER_ERRORS, "dash-filter-error", problem=True),
        rx.hstack(
            rx.button(t("dash_apply"), type="submit", id="dash-apply"),
            rx.button(
                t("dash_reset"),
                type="button",
                variant="outline",
                on_click=S.reset_filters,
                id="dash-reset",
            ),
            spacing="3",
            wrap="wrap",
        ),
        key=S.date_from + "|" + S.date_to + "|" + S.service,
        on_submit=S.apply_filters,
        id="dash-filter-form",
        margin_bottom="1.5rem",
    )


def figure(item: rx.Var[FigureView]) -> rx.Component:
    """One headline figure."""
    return rx.box(
        rx.el.dt(text_for(item.label_key, FIGURE_LABELS), class_name="dash-figure-label"),
        rx.el.dd(
            rx.text.span(localised(item.value), class_name="dash-figure-value"),
            rx.cond(
                item.detail.length() > 0,
                rx.text.span(" (", localised(item.detail), ")", class_name="dash-figure-detail"),
            ),
            rx.cond(
                item.change.length() > 0,
                rx.el.span(
                    localised(item.change),
                    class_name="dash-figure-change",
                    custom_attrs={"data-trend": item.trend},
                ),
            ),
            id="figure-" + item.code,
        ),
        class_name="dash-figure",
    )


def headline() -> rx.Component:
    """The headline figures and their CSV."""
    return rx.el.section(
        rx.heading(t("dash_headline"), as_="h2", size="5"),
        rx.text(t("dash_period"), ": ", localised(S.period_label), id="dash-period"),
        rx.el.dl(rx.foreach(S.headline, figure), id="headline", class_name="dash-figures"),
        rx.text(t("dash_compare_note"), class_name="dash-note"),
        csv_button("headline"),
        class_name="dash-section",
    )


def chart(*children: rx.Component, data: rx.Var, chart_id: str) -> rx.Component:
    """A bar chart hidden from assistive technology (the table under it has the numbers)."""
    return rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="label"),
            rx.recharts.y_axis(allow_decimals=False),
            rx.recharts.legend(icon_size=16),  # big enough to show each series' pattern
            *children,
            data=data,
            width="100%",
            height=320,
            # Room above the plot for the go-live labels, away from the axis labels below.
            margin={"top": 28, "right": 16, "left": 0, "bottom": 0},
            custom_attrs={"accessibilityLayer": False},
        ),
        id=chart_id,
        class_name="dash-chart",
        custom_attrs={"aria-hidden": "true"},
    )


def _mark(shape: tuple, colour: str) -> rx.Component:
    """One mark of a pattern tile: a line or a dot in ``colour``."""
    if shape[0] == "dot":
        _kind, cx, cy, r = shape
        return rx.el.svg.circle(cx=str(cx), cy=str(cy), r=str(r), custom_attrs={"fill": colour})
    _kind, x1, y1, x2, y2 = shape
    return rx.el.svg.line(
        x1=str(x1),
        y1=str(y1),
        x2=str(x2),
        y2=str(y2),
        custom_attrs={"stroke": colour, "strokeWidth": "1.5"},
    )


def chart_patterns() -> rx.Component:
    """The fills of the series: colour plus a pattern of its own, so colour is not the only cue."""
    tiles = [
        rx.el.svg.pattern(
            rx.el.svg.rect(width=TILE, height=TILE, custom_attrs={"fill": colour}),
            *(_mark(shape, ink(colour)) for shape in PATTERNS[index]),
            id=pattern_id(index),
            width=TILE,
            height=TILE,
            pattern_units="userSpaceOnUse",
        )
        for index, colour in enumerate(SERIES)
    ]
    return rx.el.svg(
        rx.el.svg.defs(*tiles),
        width=0,
        height=0,
        class_name="dash-patterns",
        custom_attrs={"aria-hidden": "true", "focusable": "false"},
    )


def series_bar(series: rx.Var[SeriesView]) -> rx.Component:
    """The bars of one service, stacked."""
    return rx.recharts.bar(
        data_key=series.slug,
        stack_id="held",
        fill=series.fill,
        stroke=BAR_OUTLINE,
        stroke_width=0.5,
        name=localised(series.name),
        is_animation_active=False,
    )


def wave_line(key: str) -> rx.Component:
    """Vertical lines at the week or month of each go-live."""

    def line(wave: rx.Var[WaveView]) -> rx.Component:
        return rx.recharts.reference_line(
            # Above the plot, reading rightwards from the line: never over the y axis's labels.
            rx.recharts.label(
                value=t("dash_wave"),
                position="top",
                custom_attrs={"textAnchor": "start", "fill": "#000000"},
            ),
            x=getattr(wave, key),
            stroke="#000000",
            stroke_dasharray="6 3",
            stroke_width=2,
            if_overflow="extendDomain",
        )

    return rx.foreach(S.wave_weeks, line)


def series_header(series: rx.Var[SeriesView]) -> rx.Component:
    """A column heading for one service."""
    return rx.el.th(localised(series.name), scope="col")


def bucket_row(row: rx.Var[TableRow]) -> rx.Component:
    """A row of counts."""
    return rx.el.tr(
        rx.el.th(row.label, scope="row"),
        rx.foreach(row.cells, lambda cell: rx.el.td(cell)),
    )


def numbers_table(
    table_id: str, caption: str, first: str, headers: rx.Component, rows: rx.Var
) -> rx.Component:
    """An accessible table of counts with a caption and a total column, behind a disclosure."""
    return disclosure(
        table_id,
        caption,
        rx.box(
            rx.el.table(
                rx.el.caption(t(caption)),
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t(first), scope="col"),
                        headers,
                        rx.el.th(t("dash_total"), scope="col"),
                    )
                ),
                rx.el.tbody(rx.foreach(rows, bucket_row)),
                id=table_id,
                class_name="dash-table",
            ),
            class_name="dash-table-wrap",
            tab_index=0,
            role="region",
            aria_label=t(caption),
        ),
    )


def disclosure(table_id: str, caption: str, table: rx.Component) -> rx.Component:
    """A closed disclosure "Show the figures as a table" (native: Enter or Space opens it)."""
    return rx.el.details(
        rx.el.summary(
            t("dash_show_table"),
            rx.el.span(": ", t(caption), class_name="visually-hidden"),
            id=f"show-{table_id}",
            class_name="dash-summary",
        ),
        table,
        class_name="dash-details",
    )


def growth(
    heading: str, first: str, data: rx.Var, rows: rx.Var, key: str, table: str
) -> rx.Component:
    """Calls held over time, stacked per service, with the go-lives marked."""
    return rx.el.section(
        rx.heading(t(heading), as_="h2", size="5"),
        rx.text(t("dash_growth_note")),
        chart(
            rx.foreach(S.series, series_bar), wave_line(key), data=data, chart_id=f"chart-{table}"
        ),
        numbers_table(f"table-{table}", heading, first, rx.foreach(S.series, series_header), rows),
        csv_button(table),
        class_name="dash-section",
    )


def wave_row(wave: rx.Var[WaveView]) -> rx.Component:
    """A go-live date and its services."""
    return rx.el.tr(
        rx.el.th(wave.day, scope="row"), rx.el.td(wave.week), rx.el.td(localised(wave.services))
    )


def waves() -> rx.Component:
    """The go-live dates in the period."""
    return rx.el.section(
        rx.heading(t("dash_waves"), as_="h2", size="5"),
        rx.cond(
            S.wave_weeks.length() > 0,
            rx.box(
                rx.el.table(
                    rx.el.caption(t("dash_waves")),
                    rx.el.thead(
                        rx.el.tr(
                            rx.el.th(t("dash_wave_day"), scope="col"),
                            rx.el.th(t("dash_week"), scope="col"),
                            rx.el.th(t("dash_wave_services"), scope="col"),
                        )
                    ),
                    rx.el.tbody(rx.foreach(S.wave_weeks, wave_row)),
                    id="table-waves",
                    class_name="dash-table",
                ),
                class_name="dash-table-wrap",
                tab_index=0,
                role="region",
                aria_label=t("dash_waves"),
            ),
            rx.text(t("dash_no_waves")),
        ),
        csv_button("waves"),
        class_name="dash-section",
    )


def service_row(row: rx.Var[ServiceRow]) -> rx.Component:
    """The figures of one service."""
    return rx.el.tr(
        rx.el.th(localised(row.name), scope="row"),
        rx.el.td(row.held),
        rx.el.td(row.upcoming),
        rx.el.td(localised(row.no_show_rate)),
        rx.el.td(localised(row.lead_time)),
        rx.el.td(localised(row.first_free)),
        rx.el.td(localised(row.capacity)),
        rx.foreach(row.outcomes, lambda cell: rx.el.td(cell)),
        custom_attrs={"data-service": row.slug},
    )


def per_service() -> rx.Component:
    """The per-service table."""
    columns = [
        "dash_held",
        "dash_upcoming",
        "dash_no_show_rate",
        "dash_lead_time",
        "dash_first_free",
        "dash_capacity",
        *OUTCOME_KEYS,
    ]
    return rx.el.section(
        rx.heading(t("dash_per_service"), as_="h2", size="5"),
        rx.box(
            rx.el.table(
                rx.el.caption(t("dash_per_service")),
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th(t("dash_service"), scope="col"),
                        *[rx.el.th(t(key), scope="col") for key in columns],
                    )
                ),
                rx.el.tbody(rx.foreach(S.services_table, service_row)),
                id="table-services",
                class_name="dash-table",
            ),
            class_name="dash-table-wrap",
            tab_index=0,
            role="region",
            aria_label=t("dash_per_service"),
        ),
        csv_button("services"),
        class_name="dash-section",
    )


def channel_bar(channel: str, label: str) -> rx.Component:
    """The bars of one booking channel."""
    return rx.recharts.bar(
        data_key=channel,
        stack_id="channel",
        fill=f"url(#{pattern_id(CHANNEL_PATTERNS[channel])})",
        stroke=BAR_OUTLINE,
        stroke_width=0.5,
        name=t(label),
        is_animation_active=False,
    )


def channels() -> rx.Component:
    """Online versus contact centre, per month."""
    headers = rx.fragment(
        rx.el.th(t("dash_web"), scope="col"), rx.el.th(t("dash_contact_centre"), scope="col")
    )
    return rx.el.section(
        rx.heading(t("dash_channel"), as_="h2", size="5"),
        rx.text(t("dash_channel_note")),
        chart(
            channel_bar("web", "dash_web"),
            channel_bar("contact_centre", "dash_contact_centre"),
            data=S.channels_chart,
            chart_id="chart-channels",
        ),
        numbers_table("table-channels", "dash_channel", "dash_month", headers, S.channels_table),
        csv_button("channels"),
        class_name="dash-section",
    )


@rx.page(route=DASHBOARD_PAGE, title="Cijfers – Digitale Balie", on_load=DashboardState.load)
def dashboard() -> rx.Component:
    """The managers' dashboard."""
    return staff_frame(
        S,
        DASHBOARD_PAGE,
        "dash_title",
        rx.cond(
            S.loaded,
            rx.box(
                rx.text(t("dash_intro"), margin_bottom="1rem"),
                rx.cond(
                    S.demo,
                    rx.callout(
                        t("dash_demo"),
                        icon="triangle_alert",
                        # Orange text on its own surface fails contrast (axe); gray passes.
                        color_scheme="gray",
                        variant="surface",
                        role="status",
                        id="demo-data",
                        margin_bottom="1rem",
                    ),
                ),
                chart_patterns(),
                headline(),
                filters(),
                growth("dash_per_week", "dash_week", S.weeks_chart, S.weeks_table, "week", "weeks"),
                growth(
                    "dash_per_month",
                    "dash_month",
                    S.months_chart,
                    S.months_table,
                    "month",
                    "months",
                ),
                waves(),
                per_service(),
                channels(),
                id="dashboard",
            ),
        ),
    )
