"""Home page: what the Digitale Balie is and which services take video calls."""

import reflex as rx

from balie.components.layout import page_frame
from balie.components.text import localised, t
from balie.states.catalogue import CatalogueState, ServiceCard
from balie.states.site import SiteState


def service_card(service: rx.Var[ServiceCard]) -> rx.Component:
    """One service with its one-sentence description."""
    return rx.el.li(
        rx.card(
            rx.heading(localised(service.name), as_="h3", size="4"),
            rx.text(localised(service.description), size="3"),
            rx.link(
                t("book_cta"),
                rx.el.span(" – ", localised(service.name), class_name="visually-hidden"),
                href="/boeken?dienst=" + service.slug,
                class_name="book-link",
            ),
            width="100%",
        ),
        class_name="service-item",
        custom_attrs={"data-service": service.slug},
        list_style_type="none",
    )


def service_list() -> rx.Component:
    """The live services, or a message while loading or when there are none."""
    return rx.cond(
        CatalogueState.loaded,
        rx.cond(
            CatalogueState.services.length() > 0,
            rx.el.ul(
                rx.foreach(CatalogueState.services, service_card),
                id="services",
                padding="0",
                display="grid",
                gap="0.75rem",
            ),
            rx.text(t("no_services")),
        ),
        rx.text(t("loading"), role="status"),
    )


@rx.page(
    route="/",
    title="Digitale Balie – Stad Gent",
    description=SiteState.description,
    on_load=[CatalogueState.load, SiteState.load_meta],
)
def home() -> rx.Component:
    """The home page."""
    return page_frame(
        rx.heading(t("home_heading"), as_="h1", size="7", margin_bottom="0.75rem"),
        rx.text(t("home_intro"), size="4"),
        rx.heading(
            t("services_heading"), as_="h2", size="5", margin_top="2rem", margin_bottom="0.75rem"
        ),
        service_list(),
        rx.cond(
            CatalogueState.counter_booking_url != "",
            rx.text(
                t("in_person_counter"),
                " ",
                rx.link(t("counter_link"), href=CatalogueState.counter_booking_url),
                ".",
                margin_top="1.5rem",
            ),
        ),
    )
