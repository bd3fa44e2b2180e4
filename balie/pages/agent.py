"""Contact-centre pages: book for a caller (/medewerkers/boeken) and find an appointment
(/medewerkers/zoeken)."""

import reflex as rx

from balie.components.forms import error_text, field_error, message_box, step_heading, text_field
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.components.time_picker import time_picker
from balie.settings import get_settings
from balie.states.agent import BOOK_PAGE, FIND_PAGE, AgentBookingState, AgentFindState
from balie.states.booking_form import ServiceOption, TopicOption
from balie.texts.identity import LINK_MESSAGES

B = AgentBookingState
F = AgentFindState
PROBLEMS = [
    "agent_slot_taken",
    "agent_busy",
    "agent_unavailable",
    "agent_not_changeable",
    "agent_gone",
]
OUTCOMES = ["agent_moved", "agent_cancelled"]
FIND_MESSAGES = ["agent_find_required", "agent_not_found", "agent_rate_limited", "agent_gone"]
STATUSES = ["status_booked", "status_cancelled", "status_completed", "status_no_show"]
LANGUAGE_NAMES = ["language_nl", "language_en"]


def row(label: str, value: rx.Var | rx.Component) -> list[rx.Component]:
    """A term and its description."""
    return [rx.el.dt(t(label)), rx.el.dd(value)]


def language_name(code: rx.Var) -> rx.Var:
    """'Nederlands' or 'Engels' for a language code, in the agent's language."""
    return text_for("language_" + code, LANGUAGE_NAMES)


# Booking for a caller ---------------------------------------------------------------------


def step_counter() -> rx.Component:
    """'Stap n van 5' for the first five steps."""
    return rx.text(
        t("agent_step_label"), " ", B.step.to_string(), " ", t("agent_step_of"), size="2"
    )


def back_button() -> rx.Component:
    """One step back."""
    return rx.button(t("agent_back"), on_click=B.go_back, variant="outline", id="back")


def book_notice() -> rx.Component:
    """A problem with the whole step (e.g. the time was just taken)."""
    return message_box(B.notice, PROBLEMS, "notice", problem=True)


def service_button(service: rx.Var[ServiceOption]) -> rx.Component:
    """A live service to choose."""
    return rx.el.li(
        rx.el.button(
            rx.el.span(localised(service.name), class_name="choice-title"),
            rx.el.span(localised(service.description), class_name="choice-text"),
            on_click=B.choose_service(service.slug),
            class_name="choice",
            type="button",
            custom_attrs={"data-service": service.slug},
        )
    )


def step_service() -> rx.Component:
    """Step 1: the live services."""
    return rx.box(
        step_heading("agent_step_service"),
        book_notice(),
        rx.el.ul(rx.foreach(B.services, service_button), class_name="choice-list"),
    )


def topic_item(topic: rx.Var[TopicOption]) -> rx.Component:
    """A topic: a button when it can go by video, otherwise the reason to tell the caller."""
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
                on_click=B.choose_topic(topic.slug),
                class_name="choice",
                type="button",
                custom_attrs={"data-topic": topic.slug},
            ),
            rx.box(
                rx.el.span(localised(topic.name), class_name="choice-title"),
                rx.el.span(t("agent_not_by_video"), class_name="badge"),
                rx.text(localised(topic.reason), class_name="choice-text"),
                class_name="choice choice-disabled",
                custom_attrs={"data-topic": topic.slug},
            ),
        )
    )


def identity_link_panel() -> rx.Component:
    """A topic that needs identification: send the caller a link to sign in and book."""
    return rx.box(
        rx.heading(t("identity_heading"), as_="h3", size="4", id="identity-link-heading"),
        rx.text(t("identity_link_intro"), margin_bottom="0.5rem"),
        message_box(B.link_message, LINK_MESSAGES, "identity-link-message", problem=False),
        rx.form(
            rx.el.label(t("identity_link_email"), html_for="link-email", class_name="field-label"),
            rx.el.input(
                id="link-email",
                name="email",
                type="email",
                auto_complete="off",
                class_name="field-input",
            ),
            rx.button(t("identity_link_send"), type="submit", id="send-identity-link"),
            on_submit=B.send_identity_link,
            reset_on_submit=True,
            custom_attrs={"noValidate": True},
        ),
        class_name="identity-link-panel",
        margin_bottom="1rem",
    )


def step_topic() -> rx.Component:
    """Step 2: the topics of the chosen service."""
    return rx.box(
        step_heading("agent_step_topic"),
        rx.text(localised(B.service.to(dict)["name"]), weight="bold", margin_bottom="0.5rem"),
        rx.cond(B.link_topic != "", identity_link_panel()),
        rx.el.ul(rx.foreach(B.topics, topic_item), class_name="choice-list"),
        back_button(),
    )


def step_time() -> rx.Component:
    """Step 3: a day and a time from the slot engine."""
    return rx.box(
        step_heading("agent_step_time"),
        book_notice(),
        rx.text(
            localised(B.service.to(dict)["name"]),
            " – ",
            localised(B.topic.to(dict)["name"]),
            weight="bold",
        ),
        time_picker(B),
        back_button(),
    )


def error_summary() -> rx.Component:
    """All errors at the top of the form; focus moves here so they are announced."""
    return rx.cond(
        B.error_count > 0,
        rx.box(
            rx.text(t("agent_errors_heading"), weight="bold"),
            rx.el.ul(
                rx.foreach(
                    B.errors,
                    lambda item: rx.el.li(rx.el.a(error_text(item[1]), href="#" + item[0])),
                )
            ),
            id="form-errors",
            role="alert",
            tab_index=-1,
            class_name="error-summary",
        ),
    )


def language_choice() -> rx.Component:
    """The caller's language for the call and the e-mails."""
    return rx.el.fieldset(
        rx.el.legend(t("agent_field_language"), class_name="field-label"),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name="language",
                    value=code,
                    default_checked=B.language == code,
                    id=f"language-{code}",
                ),
                " ",
                t(f"language_{code}"),
                class_name="radio",
            )
            for code in ("nl", "en")
        ],
        class_name="field",
    )


def question_field() -> rx.Component:
    """The caller's question (optional)."""
    return rx.box(
        rx.el.label(t("agent_field_question"), html_for="question", class_name="field-label"),
        rx.el.textarea(
            id="question",
            name="question",
            default_value=B.question,
            max_length=1000,
            rows=4,
            class_name="field-input",
            custom_attrs={
                "aria-invalid": rx.cond(B.errors.contains("question"), "true", "false"),
                "aria-describedby": rx.cond(B.errors.contains("question"), "question-error", ""),
            },
        ),
        field_error("question", B.errors),
        class_name="field",
    )


def consent_field() -> rx.Component:
    """What to read out, and the box the agent ticks when the caller agrees."""
    retention = str(get_settings().retention_days)
    return rx.box(
        rx.text(t("agent_consent_read").replace("{days}", retention), size="2", id="consent-hint"),
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name="consent",
                id="consent",
                default_checked=B.consent,
                custom_attrs={
                    "aria-describedby": rx.cond(
                        B.errors.contains("consent"), "consent-hint consent-error", "consent-hint"
                    ),
                    "aria-invalid": rx.cond(B.errors.contains("consent"), "true", "false"),
                },
            ),
            " ",
            t("agent_field_consent"),
            class_name="checkbox",
        ),
        field_error("consent", B.errors),
        class_name="field",
    )


def step_details() -> rx.Component:
    """Step 4: the caller's details and consent."""
    return rx.box(
        step_heading("agent_step_details"),
        rx.text(localised(B.start_label), weight="bold", margin_bottom="1rem"),
        error_summary(),
        rx.form(
            text_field(
                "name", "agent_field_name", B.name, B.errors, autocomplete="off", required=True
            ),
            text_field(
                "email",
                "agent_field_email",
                B.email,
                B.errors,
                input_type="email",
                autocomplete="off",
                hint="agent_field_email_hint",
                required=True,
            ),
            text_field(
                "phone",
                "agent_field_phone",
                B.phone,
                B.errors,
                input_type="tel",
                autocomplete="off",
                hint="agent_field_phone_hint",
            ),
            language_choice(),
            question_field(),
            consent_field(),
            rx.hstack(
                back_button(),
                rx.button(t("agent_to_review"), type="submit", id="to-review"),
                spacing="3",
            ),
            on_submit=B.submit_details,
            reset_on_submit=False,
            custom_attrs={"noValidate": True},
        ),
    )


def step_review() -> rx.Component:
    """Step 5: everything once more, to read out, then confirm."""
    return rx.box(
        step_heading("agent_step_review"),
        book_notice(),
        rx.el.dl(
            *row("review_service", localised(B.service.to(dict)["name"])),
            *row("review_topic", localised(B.topic.to(dict)["name"])),
            *row("review_when", localised(B.start_label)),
            *row("agent_citizen", B.name),
            *row("field_email", B.email),
            *row("agent_review_phone", B.phone),
            *row("agent_review_language", language_name(B.language)),
            *row("agent_review_question", B.question),
            *row("agent_review_channel", t("agent_channel_contact_centre")),
            class_name="summary",
        ),
        rx.hstack(
            back_button(),
            rx.button(
                rx.cond(B.busy, t("agent_confirming"), t("agent_confirm")),
                on_click=B.confirm,
                disabled=B.busy,
                id="confirm",
            ),
            spacing="3",
        ),
    )


def step_done() -> rx.Component:
    """Step 6: the result to read out."""
    return rx.box(
        step_heading("agent_step_done"),
        rx.text(t("agent_reference"), ": ", rx.el.strong(B.reference, id="reference")),
        rx.el.dl(
            *row("review_when", localised(B.when)),
            *row("review_service", localised(B.service.to(dict)["name"])),
            *row("review_topic", localised(B.topic.to(dict)["name"])),
            class_name="summary",
        ),
        rx.text(t("agent_email_sent"), role="status", id="email-sent"),
        rx.button(
            t("agent_book_another"),
            on_click=B.start_over,
            variant="outline",
            margin_top="1rem",
            id="book-another",
        ),
    )


@rx.page(route=BOOK_PAGE, title="Boeken voor een burger – Digitale Balie", on_load=B.load)
def book_for_citizen() -> rx.Component:
    """An agent books for a caller in the same slot engine as the citizen's wizard."""
    return staff_frame(
        B,
        BOOK_PAGE,
        "agent_book_title",
        rx.cond(
            B.display_name != "",
            rx.box(
                rx.cond(B.step < 6, step_counter()),
                rx.match(
                    B.step,
                    (1, step_service()),
                    (2, step_topic()),
                    (3, step_time()),
                    (4, step_details()),
                    (5, step_review()),
                    (6, step_done()),
                    step_service(),
                ),
            ),
        ),
    )


# Finding an appointment for a caller ------------------------------------------------------


def find_message() -> rx.Component:
    """Why the search found nothing (announced at once)."""
    return rx.cond(
        F.find_message != "",
        rx.callout(
            text_for(F.find_message, FIND_MESSAGES),
            color_scheme="red",
            role="alert",
            id="find-message",
            tab_index=-1,
            margin_bottom="1rem",
        ),
    )


def search() -> rx.Component:
    """Reference and e-mail address of the caller."""
    no_errors = rx.Var.create({}).to(dict[str, str])
    return rx.box(
        step_heading("agent_find_heading"),
        rx.text(t("agent_find_intro"), margin_bottom="1rem"),
        find_message(),
        rx.form(
            text_field(
                "reference",
                "agent_find_reference",
                F.reference_input,
                no_errors,
                autocomplete="off",
                hint="agent_find_reference_hint",
                required=True,
            ),
            text_field(
                "email",
                "agent_find_email",
                F.email_input,
                no_errors,
                input_type="email",
                autocomplete="off",
                required=True,
            ),
            rx.button(t("agent_find_button"), type="submit", id="find"),
            on_submit=F.find,
            reset_on_submit=False,
            custom_attrs={"noValidate": True},
        ),
    )


def find_notice() -> rx.Component:
    """A problem with the last action."""
    return message_box(F.notice, PROBLEMS, "notice", problem=True)


def view() -> rx.Component:
    """The one appointment found, with move and cancel."""
    return rx.box(
        step_heading("agent_found_heading"),
        message_box(F.message, OUTCOMES, "message", problem=False),
        find_notice(),
        rx.text(t("agent_reference"), ": ", rx.el.strong(F.reference, id="reference")),
        rx.el.dl(
            *row("agent_citizen", F.citizen_name),
            *row("review_status", text_for("status_" + F.status, STATUSES)),
            *row("review_when", localised(F.when)),
            *row("review_service", localised(F.service_name)),
            *row("review_topic", localised(F.topic_name)),
            *row("agent_review_language", language_name(F.citizen_language)),
            class_name="summary",
        ),
        rx.cond(
            F.can_change,
            rx.hstack(
                rx.button(t("agent_move"), on_click=F.start_move, id="start-move"),
                rx.button(
                    t("agent_cancel"),
                    on_click=F.start_cancel,
                    color_scheme="red",
                    variant="outline",
                    id="start-cancel",
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(t("agent_not_changeable"), id="not-changeable"),
        ),
        rx.button(
            t("agent_new_search"),
            on_click=F.new_search,
            variant="outline",
            margin_top="1rem",
            id="new-search",
        ),
    )


def move() -> rx.Component:
    """Choose a new time of the same service."""
    return rx.box(
        step_heading("agent_move_heading"),
        find_notice(),
        rx.text(t("move_from"), ": ", localised(F.when)),
        time_picker(F),
        rx.button(t("agent_back"), on_click=F.back_to_view, variant="outline", id="back"),
    )


def confirm_move() -> rx.Component:
    """Confirm the new time."""
    return rx.box(
        step_heading("agent_move_confirm_heading"),
        rx.el.dl(
            *row("move_from", localised(F.when)),
            *row("move_to", localised(F.new_label)),
            class_name="summary",
        ),
        rx.hstack(
            rx.button(t("agent_back"), on_click=F.start_move, variant="outline", id="back"),
            rx.button(t("agent_move_confirm"), on_click=F.confirm_move, id="confirm-move"),
            spacing="3",
        ),
    )


def cancel() -> rx.Component:
    """Confirm the cancellation, with an optional reason."""
    return rx.box(
        step_heading("agent_cancel_heading"),
        rx.text(localised(F.when), weight="bold"),
        rx.form(
            rx.box(
                rx.el.label(t("agent_cancel_reason"), html_for="reason", class_name="field-label"),
                rx.el.textarea(
                    id="reason", name="reason", max_length=500, rows=3, class_name="field-input"
                ),
                class_name="field",
            ),
            rx.hstack(
                rx.button(
                    t("agent_keep"),
                    on_click=F.back_to_view,
                    variant="outline",
                    type="button",
                    id="keep",
                ),
                rx.button(
                    t("agent_cancel_confirm"),
                    type="submit",
                    color_scheme="red",
                    id="confirm-cancel",
                ),
                spacing="3",
                wrap="wrap",
            ),
            on_submit=F.cancel_appointment,
            reset_on_submit=False,
        ),
    )


@rx.page(route=FIND_PAGE, title="Afspraak zoeken – Digitale Balie", on_load=F.load)
def find_appointment() -> rx.Component:
    """An agent finds a caller's appointment by reference and e-mail, then moves or cancels it."""
    return staff_frame(
        F,
        FIND_PAGE,
        "agent_find_title",
        rx.cond(
            F.display_name != "",
            rx.match(
                F.mode,
                ("view", view()),
                ("move", move()),
                ("confirm_move", confirm_move()),
                ("cancel", cancel()),
                search(),
            ),
        ),
    )
