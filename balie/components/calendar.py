"""A calendar grid: columns (days, or counsellors) and hours as rows, appointments as blocks.

Blocks are links in reading order (column by column, then by time), so Tab walks them; the
arrow keys move between appointments of a column (up/down) and between columns (left/right).
Each block leads to its row in the list under the grid, the alternative view with every detail.
Below 48rem the grid is hidden and the list is the view.
"""

import reflex as rx

from balie.components.text import localised, t, text_for
from balie.states.staff import STATUS_KEYS

HOUR_HEIGHT_REM = 4

# Installed once per page load; moves focus between the blocks with the arrow keys.
_ARROW_KEYS = """
(() => {
  if (window.__balieCalendarKeys) return;
  window.__balieCalendarKeys = true;
  document.addEventListener('keydown', (event) => {
    const block = event.target.closest ? event.target.closest('.cal-block') : null;
    if (!block || event.altKey || event.ctrlKey || event.metaKey) return;
    const column = block.closest('.cal-col');
    const columns = [...block.closest('.cal').querySelectorAll('.cal-col')];
    let target = null;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const blocks = [...column.querySelectorAll('.cal-block')];
      target = blocks[blocks.indexOf(block) + (event.key === 'ArrowDown' ? 1 : -1)];
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const step = event.key === 'ArrowRight' ? 1 : -1;
      for (let i = columns.indexOf(column) + step; i >= 0 && i < columns.length; i += step) {
        target = columns[i].querySelector('.cal-block');
        if (target) break;
      }
    }
    if (target) { event.preventDefault(); target.focus(); }
  });
})()
"""


def _block(block: rx.Var) -> rx.Component:
    """One appointment: time, citizen, service and status; leads to its row in the list."""
    row_id = "row-" + block.reference
    return rx.el.a(
        rx.el.span(block.time_label, class_name="cal-block-time"),
        " ",
        rx.el.span(block.citizen_name, class_name="cal-block-name"),
        rx.el.span(", ", block.service_name, ", ", class_name="cal-block-service"),
        rx.el.span(text_for(block.status_key, STATUS_KEYS), class_name="cal-block-status"),
        href="#" + row_id,
        class_name="cal-block",
        on_click=rx.call_script("document.getElementById('" + row_id + "')?.focus()"),
        style={
            "top": block.top,
            "height": block.height,
            "borderLeftColor": block.colour,
        },
        custom_attrs={"data-block": block.reference, "data-status": block.status_key},
    )


def _span(kind: str):
    """A shaded stretch (opening hours or leave), decorative."""

    def span(item: rx.Var) -> rx.Component:
        return rx.box(
            class_name=f"cal-{kind}",
            style={"top": item.top, "height": item.height},
            custom_attrs={"aria-hidden": "true"},
        )

    return span


def _column(column: rx.Var, hours: rx.Var) -> rx.Component:
    """A column: its heading, the hour lines, the shading and the blocks."""
    heading_id = "cal-" + column.key
    return rx.el.section(
        rx.box(localised(column.label), id=heading_id, class_name="cal-col-head"),
        rx.box(
            rx.foreach(column.open_spans, _span("open")),
            rx.foreach(column.away_spans, _span("away")),
            rx.foreach(column.blocks, _block),
            class_name="cal-col-body",
            style={"height": (hours.length() * HOUR_HEIGHT_REM).to_string() + "rem"},
        ),
        class_name="cal-col",
        custom_attrs={"aria-labelledby": heading_id, "data-column": column.key},
    )


def _hour(label: rx.Var) -> rx.Component:
    """An hour label at the left of its row."""
    return rx.box(label, class_name="cal-hour")


def _key(kind: str, text_key: str) -> rx.Component:
    """One entry of the legend: a swatch like the grid's shading, and its meaning."""
    return rx.el.li(
        rx.el.span(
            class_name=f"cal-swatch cal-swatch-{kind}", custom_attrs={"aria-hidden": "true"}
        ),
        t(text_key),
    )


def _legend() -> rx.Component:
    """What the shading means (the list under the grid says it in words per appointment)."""
    return rx.el.ul(
        _key("open", "cal_legend_open"),
        _key("closed", "cal_legend_closed"),
        _key("away", "cal_legend_away"),
        class_name="cal-legend",
    )


def calendar_grid(
    columns: rx.Var, hours: rx.Var, grid_id: str, label_key: str, hint_key: str = "cal_keys_hint"
) -> rx.Component:
    """The grid of ``columns`` (each with blocks and shading) over the rows of ``hours``."""
    return rx.box(
        rx.el.p(t(hint_key), class_name="cal-hint", id=f"{grid_id}-hint"),
        _legend(),
        rx.box(
            rx.box(
                rx.box(class_name="cal-col-head"),
                rx.foreach(hours, _hour),
                class_name="cal-times",
                custom_attrs={"aria-hidden": "true"},
            ),
            rx.foreach(columns, lambda column: _column(column, hours)),
            class_name="cal",
            id=grid_id,
            role="group",
            aria_label=t(label_key),
            aria_describedby=f"{grid_id}-hint",
            style={
                "gridTemplateColumns": "3.5rem repeat("
                + columns.length().to_string()
                + ", minmax(6.5rem, 1fr))"
            },
            on_mount=rx.call_script(_ARROW_KEYS),
        ),
        class_name="cal-wrap",
    )
