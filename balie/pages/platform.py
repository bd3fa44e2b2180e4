"""The platform page (/platform): use across municipalities, and adding a municipality."""

import reflex as rx

from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import t
from balie.pages.admin import PROBLEMS, _error, buttons, field, table
from balie.services.catalogue_admin import SLUG_MAX
from balie.services.platform import NAME_MAX
from balie.states.platform import PLATFORM_PAGE, PlatformState, SourceChoice, TotalRow

S = PlatformState
P = "platform"


def total_row(row: rx.Var[TotalRow]) -> rx.Component:
    """One line of a totals table."""
    return rx.el.tr(
        rx.el.th(row.label, scope="row"),
        rx.el.td(row.held),
        rx.el.td(row.booked),
        custom_attrs={"data-key": row.key},
    )


def totals(caption: str, first_column: str, rows: rx.Var, table_id: str) -> rx.Component:
    """A table of totals: name, held, booked."""
    return table(
        caption,
        [first_column, "platform_col_held", "platform_col_booked"],
        rx.el.tbody(rx.foreach(rows, total_row)),
        table_id,
    )


def source_choice(choice: rx.Var[SourceChoice]) -> rx.Component:
    """An organisation whose catalogue the new one can start from."""
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="catalogue_from",
            value=choice.slug,
            default_checked=S.values["catalogue_from"] == choice.slug,
        ),
        " ",
        choice.name,
        class_name="radio",
    )


def _field(name: str, **options: object) -> rx.Component:
    """A field of the new-organisation form."""
    return field(P, name, f"platform_field_{name}", S.values, S.errors, **options)


def new_organisation_form() -> rx.Component:
    """Slug, name, host, first administrator and where the catalogue comes from."""
    return rx.el.form(
        _field("slug", hint="platform_hint_slug", max_length=SLUG_MAX, required=True),
        _field("name", max_length=NAME_MAX, required=True),
        _field("host", hint="platform_hint_host", max_length=253, required=True),
        _field("admin_email", input_type="email", max_length=254, required=True),
        _field("admin_name", max_length=NAME_MAX),
        rx.el.fieldset(
            rx.el.legend(t("platform_field_catalogue_from"), class_name="field-label"),
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name="catalogue_from",
                    value="",
                    default_checked=S.values["catalogue_from"] == "",
                ),
                " ",
                t("platform_catalogue_none"),
                class_name="radio",
            ),
            rx.foreach(S.sources, source_choice),
            _error(P, "catalogue_from", S.errors),
            class_name="field",
        ),
        message_box(S.problem, PROBLEMS, "platform-problem", problem=True),
        rx.cond(
            S.message == "platform_created",
            rx.box(
                rx.text(t("platform_created"), " ", rx.el.strong(S.created)),
                role="status",
                id="platform-created",
                tab_index=-1,
                class_name="message-box",
            ),
        ),
        buttons(rx.button(t("platform_create"), type="submit", id="create-organisation")),
        on_submit=S.create,
        no_validate=True,
        id="platform-form",
        key=S.form_version.to_string(),
        class_name="admin-form",
    )


@rx.page(route=PLATFORM_PAGE, title="Platform – Digitale Balie", on_load=S.load)
def platform_page() -> rx.Component:
    """Figures across organisations and the form to add one (platform role only)."""
    return staff_frame(
        S,
        PLATFORM_PAGE,
        "nav_platform",
        rx.el.section(
            rx.heading(t("platform_figures"), as_="h2", size="5", id="figures-heading"),
            rx.text(t("platform_figures_intro")),
            totals("platform_per_city", "platform_col_city", S.per_city, "per-city"),
            totals("platform_per_service", "platform_col_service", S.per_service, "per-service"),
            totals("platform_per_month", "platform_col_month", S.per_month, "per-month"),
            custom_attrs={"aria-labelledby": "figures-heading"},
        ),
        rx.el.section(
            rx.heading(t("platform_new"), as_="h2", size="5", id="new-heading"),
            new_organisation_form(),
            class_name="admin-panel",
            custom_attrs={"aria-labelledby": "new-heading"},
        ),
    )
