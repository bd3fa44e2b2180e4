"""The booking wizard at /boeken (service, topic, time, details, review) and its confirmation."""

import reflex as rx

from balie.components.forms import (
    error_text,
    field_error,
    message_box,
    step_heading,
    text_field,
)
from balie.components.join import join_panel
from balie.components.layout import page_frame
from balie.components.text import localised, t
from balie.components.time_picker import time_picker
from balie.i18n import ERRORS, TEXTS
from balie.settings import get_settings
from balie.states.abuse import SOLUTION_SCRIPT
from balie.states.booking import CONFIRMED_PATH, BookingState, ServiceOption, TopicOption
from balie.states.locale import LocaleState
from balie.states.site import SiteState
from balie.texts.identity import REFUSAL_KEYS

S = BookingState
POW_NL, POW_EN = TEXTS["pow_checking"]["nl"], TEXTS["pow_checking"]["en"]


def step_counter() -> rx.Component:
    """'Step n of 5' for the first five steps."""
    label = rx.cond(LocaleState.lang == "en", "Step ", "Stap ")
    of = rx.cond(LocaleState.lang == "en", " of 5", " van 5")
    return rx.text(label, S.step.to_string(), of, size="2", class_name="step-counter")


def back_button() -> rx.Component:
    """Go one step back."""
    # type=button: in the details form the default button (Enter) must be "to review", not this.
    return rx.button(t("back"), on_click=S.go_back, variant="outline", id="back", type="button")


def service_button(service: rx.Var[ServiceOption]) -> rx.Component:
    """A service to choose in step 1."""
    return rx.el.li(
        rx.el.button(
            rx.el.span(localised(service.name), class_name="choice-title"),
            rx.el.span(localised(service.description), class_name="choice-text"),
            on_click=S.choose_service(service.slug),
            class_name="choice",
            type="button",
            custom_attrs={"data-service": service.slug},
        ),
    )


def step_service() -> rx.Component:
    """Step 1: the services."""
    return rx.box(
        step_heading("step_service"),
        rx.el.ul(rx.foreach(S.services, service_button), class_name="choice-list"),
    )


def topic_item(topic: rx.Var[TopicOption]) -> rx.Component:
    """A topic: a button when it can go by video, otherwise the reason and the counter link."""
    return rx.el.li(
        rx.cond(
            topic.video,
            rx.el.button(
                rx.el.span(localised(topic.name), class_name="choice-title"),
                rx.cond(
                    localised(topic.preparation) != "",
                    rx.el.span(
                        t("prepare"), " ", localised(topic.preparation), class_name="choice-text"
                    ),
                ),
                on_click=S.choose_topic(topic.slug),
                class_name="choice",
                type="button",
                custom_attrs={"data-topic": topic.slug},
            ),
            rx.box(
                rx.el.span(localised(topic.name), class_name="choice-title"),
                rx.el.span(t("not_by_video"), class_name="badge"),
                rx.text(localised(topic.reason), class_name="choice-text"),
                rx.cond(
                    S.counter_booking_url != "",
                    rx.link(t("book_at_counter"), href=S.counter_booking_url, is_external=True),
                ),
                class_name="choice choice-disabled",
                custom_attrs={"data-topic": topic.slug},
            ),
        ),
    )


def step_topic() -> rx.Component:
    """Step 2: the topics of the chosen service."""
    return rx.box(
        step_heading("step_topic"),
        notice(),
        rx.text(localised(S.service.to(dict)["name"]), weight="bold", margin_bottom="0.5rem"),
        rx.el.ul(rx.foreach(S.topics, topic_item), class_name="choice-list"),
        back_button(),
    )


def notice() -> rx.Component:
    """A message about the whole step (e.g. the time was just taken)."""
    return message_box(S.notice, list(ERRORS), "notice", problem=True)


def step_time() -> rx.Component:
    """Step 3: days with free times, and the free times of the selected day."""
    return rx.box(
        step_heading("step_time"),
        notice(),
        time_picker(S),
        back_button(),
    )


def language_choice() -> rx.Component:
    """Preferred language for the call and the e-mails."""
    current = rx.cond(S.language != "", S.language, LocaleState.lang)
    return rx.el.fieldset(
        rx.el.legend(t("field_language"), class_name="field-label"),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name="language",
                    value=code,
                    default_checked=current == code,
                    id=f"language-{code}",
                    # The first radio gets the error summary's link (an error only for bad input).
                    **({"custom_attrs": {"data-field": "language"}} if code == "nl" else {}),
                ),
                " ",
                t(f"language_{code}"),
                class_name="radio",
            )
            for code in ("nl", "en")
        ],
        class_name="field",
    )


def focus_field(field: rx.Var) -> rx.Var:
    """Script that moves focus to the field ``field`` (its id, or the first radio of a group)."""
    target = "document.getElementById('" + field + "')"
    group = "document.querySelector('[data-field=" + field + "]')"
    return "(" + target + " || " + group + ")?.focus()"


def error_summary() -> rx.Component:
    """All errors at the top of the form; focus moves here so they are announced."""
    return rx.cond(
        S.error_count > 0,
        rx.box(
            rx.text(t("errors_heading"), weight="bold"),
            rx.el.ul(
                rx.foreach(
                    S.errors,
                    lambda item: rx.el.li(
                        rx.el.a(
                            error_text(item[1]),
                            href="#" + item[0],
                            # The router does not move focus for "#field"; GOV.UK's summary does.
                            on_click=[rx.prevent_default, rx.call_script(focus_field(item[0]))],
                        )
                    ),
                )
            ),
            id="form-errors",
            role="alert",
            tab_index=-1,
            class_name="error-summary",
        ),
    )


def identity_messages() -> rx.Component:
    """The outcome of the last sign-in: a problem (alert) or "you are signed in" (status)."""
    return rx.fragment(
        rx.cond(
            S.identity_outcome == "identity_ok",
            message_box(S.identity_outcome, ["identity_ok"], "identity-outcome", problem=False),
            message_box(S.identity_outcome, REFUSAL_KEYS, "identity-outcome", problem=True),
        ),
    )


def identity_step() -> rx.Component:
    """Before the details: "Meld u aan met itsme of eID" (a link to the provider)."""
    return rx.box(
        step_heading("identity_heading"),
        rx.text(localised(S.start_label), weight="bold", margin_bottom="1rem"),
        identity_messages(),
        notice(),
        rx.text(t("identity_why"), margin_bottom="1rem"),
        rx.hstack(
            # A React Router link would route the backend address in the browser (a 404 on
            # one port): load it for real, as the staff's Microsoft sign-in link does.
            rx.el.a(
                t("identity_button"),
                href=S.identity_start_url,
                id="identity-sign-in",
                class_name="button-link",
                custom_attrs={"reloadDocument": True},
            ),
            back_button(),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
    )


def locked_name() -> rx.Component:
    """The verified name: shown, read-only, with why it cannot be changed."""
    return rx.box(
        rx.el.label(t("field_name"), html_for="name", class_name="field-label"),
        rx.text(t("identity_name_locked"), id="name-hint", class_name="field-hint"),
        rx.el.input(
            id="name",
            name="name",
            type="text",
            value=S.name,
            read_only=True,
            class_name="field-input",
            custom_attrs={"aria-describedby": "name-hint"},
        ),
        class_name="field",
    )


def step_details() -> rx.Component:
    """Step 4: the sign-in first when the topic needs it; then the details and consent."""
    return rx.cond(S.identity_ready, details_form(), identity_step())


def details_form() -> rx.Component:
    """The citizen's details and consent."""
    retention = str(get_settings().retention_days)
    return rx.box(
        step_heading("step_details"),
        rx.text(localised(S.start_label), weight="bold", margin_bottom="1rem"),
        identity_messages(),
        error_summary(),
        rx.form(
            rx.cond(
                S.identified,
                locked_name(),
                text_field(
                    "name",
                    "field_name",
                    S.name,
                    S.errors,
                    autocomplete="name",
                    required=True,
                    on_blur=lambda value: S.check_field("name", value),
                ),
            ),
            text_field(
                "email",
                "field_email",
                S.email,
                S.errors,
                input_type="email",
                autocomplete="email",
                hint="field_email_hint",
                required=True,
                on_blur=lambda value: S.check_field("email", value),
            ),
            text_field(
                "phone",
                "field_phone",
                S.phone,
                S.errors,
                input_type="tel",
                autocomplete="tel",
                hint="field_phone_hint",
                on_blur=lambda value: S.check_field("phone", value),
            ),
            language_choice(),
            rx.box(
                rx.el.label(t("field_question"), html_for="question", class_name="field-label"),
                rx.el.textarea(
                    id="question",
                    name="question",
                    default_value=S.question,
                    max_length=1000,
                    rows=4,
                    class_name="field-input",
                    custom_attrs={
                        "aria-invalid": rx.cond(S.errors.contains("question"), "true", "false")
                    },
                    on_blur=lambda value: S.check_field("question", value),
                ),
                field_error("question", S.errors),
                class_name="field",
            ),
            rx.box(
                rx.text(
                    t("consent_explained").replace("{days}", retention),
                    " ",
                    rx.link(t("privacy_read_more"), href="/privacy", is_external=True),
                    size="2",
                    id="consent-hint",
                ),
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        name="consent",
                        id="consent",
                        default_checked=S.consent,
                        custom_attrs={"aria-describedby": "consent-hint"},
                        on_change=lambda checked: S.check_field("consent", checked),
                    ),
                    " ",
                    t("field_consent"),
                    class_name="checkbox",
                ),
                field_error("consent", S.errors),
                class_name="field",
            ),
            # "To review" first: the browser's default button (Enter in a field) is the first one.
            rx.hstack(
                rx.button(t("to_review"), type="submit", id="to-review"),
                back_button(),
                spacing="3",
                wrap="wrap",
            ),
            on_submit=S.submit_details,
            reset_on_submit=False,
            custom_attrs={"noValidate": True},
        ),
    )


def review_row(label: str, value: rx.Var | rx.Component) -> list[rx.Component]:
    """A term and its description."""
    return [rx.el.dt(t(label)), rx.el.dd(value)]


def change_button(part: str) -> rx.Component:
    """'Change' for one part of the review; its name says which part ("Wijzig de dienst")."""
    return rx.el.button(
        t("change"),
        rx.el.span(" ", t(f"change_{part}"), class_name="visually-hidden"),
        on_click=S.change(part),
        type="button",
        class_name="change-link",
        id=f"change-{part}",
    )


def review_part(label: str, value: rx.Var | rx.Component, part: str | None) -> rx.Component:
    """A row of the review: term, description and, for a part that can change, 'Change'."""
    return rx.el.div(
        rx.el.dt(t(label)),
        rx.el.dd(value),
        rx.el.dd(change_button(part) if part else rx.fragment(), class_name="summary-action"),
        class_name="summary-row",
    )


def language_name(code: rx.Var) -> rx.Var:
    """The name of the conversation language ``code``, in the visitor's language."""
    return rx.cond(code == "en", t("language_en"), t("language_nl"))


def step_review() -> rx.Component:
    """Step 5: everything once more, each part with 'Change', then confirm."""
    return rx.box(
        step_heading("step_review"),
        notice(),
        rx.el.dl(
            review_part("review_service", localised(S.service.to(dict)["name"]), "service"),
            review_part("review_topic", localised(S.topic.to(dict)["name"]), "topic"),
            review_part("review_when", localised(S.start_label), "time"),
            review_part("review_how", t("review_how_video"), None),
            review_part("field_name", S.name, "details"),
            review_part("field_email", S.email, None),
            review_part(
                "field_phone", rx.cond(S.phone != "", S.phone, t("review_phone_none")), None
            ),
            review_part("field_language", language_name(S.language), None),
            rx.cond(S.question != "", review_part("field_question", S.question, None)),
            class_name="summary summary-review",
        ),
        rx.hstack(
            back_button(),
            rx.button(
                rx.cond(S.busy, t("confirming"), t("confirm")),
                on_click=rx.call_script(SOLUTION_SCRIPT, callback=S.confirm),
                disabled=S.busy,
                id="confirm",
            ),
            spacing="3",
        ),
        rx.el.p(
            id="pow-status",
            role="status",
            aria_live="polite",
            custom_attrs={"data-text": rx.cond(LocaleState.lang == "en", POW_EN, POW_NL)},
        ),
    )


def step_done() -> rx.Component:
    """The confirmation: its heading is the page's main heading."""
    return rx.box(
        rx.heading(
            t("step_done"),
            as_="h1",
            size="7",
            id="step-heading",
            tab_index=-1,
            margin_bottom="1rem",
        ),
        rx.text(t("done_reference"), ": ", rx.el.strong(S.reference, id="reference")),
        rx.el.dl(
            *review_row("review_when", localised(S.when)),
            *review_row("review_service", localised(S.service.to(dict)["name"])),
            *review_row("review_topic", localised(S.topic.to(dict)["name"])),
            *review_row("prepare", localised(S.topic.to(dict)["preparation"])),
            class_name="summary",
        ),
        join_panel(S),
        rx.cond(
            S.meeting_state == "pending",
            rx.moment(interval=3000, on_change=S.refresh_meeting, display="none"),
        ),
        rx.button(
            t("add_to_calendar"),
            on_click=S.download_calendar,
            variant="outline",
            id="add-to-calendar",
            margin_y="1rem",
        ),
        rx.text(t("manage_intro")),
        rx.link(t("manage_link"), href=S.manage_link, id="manage-link"),
        rx.text(t("email_on_way"), margin_top="1rem"),
        rx.button(
            t("book_another"),
            on_click=S.start_over,
            variant="outline",
            margin_top="1rem",
            id="book-another",
        ),
    )


def confirmation_gone() -> rx.Component:
    """The confirmation address opened without this visitor's booking (another tab, later)."""
    return rx.box(
        rx.heading(t("done_title"), as_="h1", size="7", margin_bottom="1rem"),
        rx.text(t("done_gone")),
        rx.link(t("book_new"), href="/boeken", id="book-new"),
    )


@rx.page(
    route=CONFIRMED_PATH,
    title="Afspraak gemaakt – Digitale Balie",
    description=SiteState.description,
    on_load=[S.load_confirmation, SiteState.load_meta],
)
def booked() -> rx.Component:
    """The confirmation after booking, at its own address (only the reference in it)."""
    return page_frame(rx.cond(S.step == 6, step_done(), confirmation_gone()))


@rx.page(
    route="/boeken",
    title="Afspraak maken – Digitale Balie",
    description=SiteState.description,
    # S.load also shows the organisation's look (SiteState): one event, one state round.
    on_load=[S.load],
)
def book() -> rx.Component:
    """The wizard page."""
    return page_frame(
        rx.heading(t("book_title"), as_="h1", size="7", margin_bottom="0.5rem"),
        rx.cond(S.step < 6, step_counter()),
        rx.match(
            S.step,
            (1, step_service()),
            (2, step_topic()),
            (3, step_time()),
            (4, step_details()),
            (5, step_review()),
            # Step 6 lives at the confirmation address; the wizard shows nothing while it goes.
            (6, rx.fragment()),
            step_service(),
        ),
    )
