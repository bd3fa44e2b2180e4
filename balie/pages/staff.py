"""Staff pages: sign-in (/medewerkers/aanmelden) and today's appointments (/medewerkers)."""

from typing import Any

import reflex as rx

from balie.components.documents import document_list, document_message, upload_zone
from balie.components.forms import message_box
from balie.components.staff_frame import staff_frame
from balie.components.text import localised, t, text_for
from balie.components.time_picker import time_picker
from balie.models import Outcome
from balie.states.staff import (
    LANGUAGE_KEYS,
    MEETING_KEYS,
    OUTCOME_KEYS,
    STATUS_KEYS,
    RowView,
    StaffState,
)

OUTCOMES = [outcome.value for outcome in Outcome]
MESSAGES = [
    "staff_saved",
    "staff_not_saved",
    "work_retry_started",
    "work_retry_refused",
    "work_follow_up_refused",
    "identity_confirm_first",
]
FOLLOW_UP_PROBLEMS = ["work_follow_up_taken", "work_follow_up_failed"]


def status_words(status_key: rx.Var, outcome_key: rx.Var) -> rx.Component:
    """The status in words and, once completed, the outcome (e.g. 'Afgelopen - Opvolging nodig')."""
    return rx.fragment(
        text_for(status_key, STATUS_KEYS),
        rx.cond(outcome_key != "", rx.fragment(" – ", text_for(outcome_key, OUTCOME_KEYS))),
    )


def outcome_form(row: rx.Var[RowView]) -> rx.Component:
    """Outcome and internal note for a call that took place."""
    prefix = "outcome-" + row.appointment_id.to_string()
    return rx.el.form(
        rx.el.input(type="hidden", name="appointment_id", value=row.appointment_id.to_string()),
        rx.el.fieldset(
            rx.el.legend(t("staff_outcome"), class_name="field-label"),
            *[
                rx.el.label(
                    rx.el.input(
                        type="radio",
                        name="outcome",
                        value=code,
                        required=True,
                        id=prefix + "-" + code,
                    ),
                    " ",
                    t(f"outcome_{code}"),
                    class_name="radio",
                )
                for code in OUTCOMES
            ],
            class_name="field",
        ),
        rx.box(
            rx.el.label(t("staff_note"), html_for=prefix + "-note", class_name="field-label"),
            rx.el.textarea(
                id=prefix + "-note", name="note", rows=2, max_length=2000, class_name="field-input"
            ),
            class_name="field",
        ),
        rx.hstack(
            rx.button(t("staff_save_outcome"), type="submit", class_name="save-outcome"),
            rx.button(
                t("staff_no_show"),
                type="button",
                variant="outline",
                on_click=StaffState.mark_no_show(row.appointment_id),
                class_name="no-show",
            ),
            spacing="3",
            wrap="wrap",
        ),
        on_submit=StaffState.save_outcome,
        reset_on_submit=True,
    )


def failed_link(row: rx.Var[RowView]) -> rx.Component:
    """A failed meeting link stands out, with the action to make it again."""
    return rx.callout.root(
        rx.callout.text(t("staff_link_failed")),
        rx.cond(
            row.can_retry,
            rx.button(
                t("work_retry"),
                on_click=StaffState.retry_meeting(row.appointment_id),
                color_scheme="red",
                class_name="retry-link",
                margin_top="0.5rem",
            ),
        ),
        color_scheme="red",
        role="alert",
        class_name="link-failed",
    )


def follow_up_confirm() -> rx.Component:
    """The chosen time, to confirm or change."""
    return rx.box(
        rx.el.h4(
            t("work_follow_up_confirm_heading"),
            id="follow-up-confirm-heading",
            tab_index=-1,
            class_name="sub-heading",
        ),
        rx.el.dl(
            rx.el.dt(t("review_when")),
            rx.el.dd(localised(StaffState.follow_up_label), id="follow-up-when"),
            class_name="summary",
        ),
        rx.hstack(
            rx.button(
                t("work_follow_up_other_time"),
                on_click=StaffState.other_time,
                variant="outline",
                type="button",
            ),
            rx.button(
                t("work_follow_up_confirm"),
                on_click=StaffState.confirm_follow_up,
                type="button",
                id="follow-up-confirm",
            ),
            spacing="3",
            wrap="wrap",
        ),
    )


def card_panel(
    heading: str,
    name: str,
    *children: rx.Component,
    close_label: str,
    on_close: Any,
    close_id: str | None = None,
) -> rx.Component:
    """A panel opened on a call card: a focusable heading (``name``-heading), the children and
    a close button; the panel's id is ``name``-panel."""
    return rx.box(
        rx.el.h4(t(heading), id=f"{name}-heading", tab_index=-1, class_name="sub-heading"),
        *children,
        rx.button(
            t(close_label),
            on_click=on_close,
            variant="outline",
            type="button",
            margin_top="0.75rem",
            id=close_id,
        ),
        class_name="follow-up-panel",
        id=f"{name}-panel",
    )


def follow_up_picker() -> rx.Component:
    """Book a follow-up for the same citizen: the next free times, then confirm."""
    return card_panel(
        "work_follow_up_heading",
        "follow-up",
        rx.text(t("work_follow_up_intro"), size="2"),
        rx.cond(
            StaffState.follow_up_notice != "",
            rx.callout(
                text_for(StaffState.follow_up_notice, FOLLOW_UP_PROBLEMS),
                color_scheme="red",
                role="alert",
                id="follow-up-notice",
                tab_index=-1,
                margin_y="0.5rem",
            ),
        ),
        rx.cond(
            StaffState.follow_up_start != "",
            follow_up_confirm(),
            time_picker(StaffState),
        ),
        close_label="work_follow_up_close",
        on_close=StaffState.close_follow_up,
    )


def follow_up(row: rx.Var[RowView]) -> rx.Component:
    """After 'follow-up needed': the button, the picker, or what was booked."""
    return rx.box(
        rx.cond(
            StaffState.booked_for_id == row.appointment_id,
            rx.callout.root(
                rx.callout.text(
                    t("work_follow_up_booked"),
                    " ",
                    localised(StaffState.booked_label),
                    " · ",
                    t("work_reference"),
                    " ",
                    rx.el.strong(StaffState.booked_reference, id="follow-up-reference"),
                ),
                rx.callout.text(t("work_follow_up_mail")),
                role="status",
                id="follow-up-booked",
                tab_index=-1,
                margin_y="0.5rem",
            ),
        ),
        rx.cond(
            StaffState.follow_up_id == row.appointment_id,
            follow_up_picker(),
            rx.button(
                t("work_follow_up"),
                on_click=StaffState.start_follow_up(row.appointment_id),
                variant="outline",
                type="button",
                class_name="start-follow-up",
            ),
        ),
        margin_top="0.75rem",
    )


PHASE_KEYS = ["today_phase_in_progress", "today_phase_late"]


def phase_badge(row: rx.Var[RowView]) -> rx.Component:
    """'Now' for a call in progress, 'late' for one without a result; failed links marked."""
    return rx.fragment(
        rx.cond(
            (row.phase == "in_progress") | (row.phase == "late"),
            rx.el.span(
                text_for("today_phase_" + row.phase, PHASE_KEYS),
                class_name="today-badge today-badge-" + row.phase,
            ),
        ),
        rx.cond(
            row.meeting_state == "failed",
            rx.el.span(t("today_link_failed_badge"), class_name="today-badge today-badge-late"),
        ),
    )


def join_button(row: rx.Var[RowView]) -> rx.Component:
    """The Join button, first in the card, where the eye goes."""
    return rx.cond(
        row.join_url != "",
        rx.cond(
            row.join_open,
            rx.link(t("join"), href=row.join_url, is_external=True, class_name="join"),
            rx.text(t("join_later"), size="2"),
        ),
    )


def next_call() -> rx.Component:
    """The next call still to start and the time left, at the top of the page."""
    return rx.box(
        rx.el.h2(t("today_next_call"), class_name="next-call-title"),
        rx.cond(
            StaffState.next_reference != "",
            rx.el.p(
                rx.el.a(
                    StaffState.next_label,
                    href="#card-" + StaffState.next_reference,
                    class_name="next-call-what",
                ),
                " ",
                rx.el.span(localised(StaffState.next_countdown), class_name="next-call-when"),
                id="next-call-text",
            ),
            rx.el.p(t("today_no_next_call"), id="next-call-text"),
        ),
        id="next-call",
        class_name="next-call",
    )


def upload_panel() -> rx.Component:
    """Add documents for the citizen of one appointment (one panel open at a time)."""
    return card_panel(
        "doc_staff_heading",
        "staff-upload",
        document_message(
            StaffState.document_message, StaffState.document_file, "staff-doc-message"
        ),
        upload_zone(
            "staff-documents",
            StaffState.upload_documents,
            StaffState.max_size_label,
            StaffState.checking,
        ),
        close_label="doc_close",
        on_close=StaffState.close_upload,
        close_id="close-upload",
    )


def documents_part(row: rx.Var[RowView]) -> rx.Component:
    """The documents of the appointment, with download links, and adding one."""
    return rx.box(
        rx.el.h4(t("doc_heading"), class_name="sub-heading"),
        document_list(row.documents, "doc_from_citizen", "doc_from_city", "docs-" + row.reference),
        rx.cond(
            StaffState.upload_for_id == row.appointment_id,
            upload_panel(),
            rx.button(
                t("doc_staff_add"),
                on_click=StaffState.open_upload(row.appointment_id),
                variant="outline",
                type="button",
                class_name="open-upload",
            ),
        ),
        margin_top="0.75rem",
    )


def identity_panel(row: rx.Var[RowView]) -> rx.Component:
    """The verified identity and the one-click confirmation (topics that need identification)."""
    return rx.box(
        rx.cond(
            localised(row.identity_line) != "",
            rx.fragment(
                rx.text(localised(row.identity_line), class_name="identity-line"),
                rx.el.dl(
                    rx.el.dt(t("field_name")),
                    rx.el.dd(row.identity_name, class_name="identity-name"),
                    rx.cond(
                        row.identity_birth_date != "",
                        rx.fragment(
                            rx.el.dt(t("identity_birth_date")),
                            rx.el.dd(row.identity_birth_date),
                        ),
                    ),
                    rx.cond(
                        row.identity_number != "",
                        rx.fragment(rx.el.dt(t("identity_number")), rx.el.dd(row.identity_number)),
                    ),
                    class_name="summary",
                ),
                rx.cond(
                    row.identity_confirmed,
                    rx.text(t("identity_confirmed"), class_name="identity-confirmed"),
                    rx.cond(
                        row.status == "booked",
                        rx.button(
                            t("identity_confirm_button"),
                            on_click=StaffState.confirm_identity(row.appointment_id),
                            class_name="confirm-identity",
                            type="button",
                        ),
                    ),
                ),
            ),
            rx.text(t("identity_not_verified"), class_name="identity-missing"),
        ),
        class_name="identity-panel",
    )


def appointment_card(row: rx.Var[RowView]) -> rx.Component:
    """One appointment of today: time and citizen, state, the Join button, then the details."""
    return rx.el.li(
        rx.card(
            rx.box(
                rx.heading(row.time_label, " · ", row.citizen_name, as_="h3", size="4"),
                phase_badge(row),
                class_name="today-card-head",
            ),
            join_button(row),
            rx.cond(row.identity_needed, identity_panel(row)),
            rx.text(row.service_name, " – ", row.topic_name),
            rx.el.dl(
                rx.el.dt(t("staff_language")),
                rx.el.dd(text_for(row.language_key, LANGUAGE_KEYS)),
                rx.el.dt(t("staff_question")),
                rx.el.dd(row.question),
                rx.el.dt(t("prepare")),
                rx.el.dd(row.preparation),
                rx.el.dt(t("review_status")),
                rx.el.dd(status_words(row.status_key, row.outcome_key), class_name="status"),
                rx.el.dt(t("work_meeting")),
                rx.el.dd(text_for(row.meeting_key, MEETING_KEYS), class_name="meeting-state"),
                class_name="summary",
            ),
            documents_part(row),
            rx.cond(row.meeting_state == "failed", failed_link(row)),
            rx.cond(row.status == "booked", outcome_form(row)),
            rx.cond(row.can_follow_up, follow_up(row)),
        ),
        id="card-" + row.reference,
        class_name="today-card",
        custom_attrs={"data-reference": row.reference, "data-phase": row.phase},
        list_style_type="none",
    )


@rx.page(route="/medewerkers", title="Vandaag – Digitale Balie", on_load=StaffState.load)
def today() -> rx.Component:
    """Today's appointments of the signed-in staff member, refreshed every 5 seconds."""
    return staff_frame(
        StaffState,
        "/medewerkers",
        "staff_today",
        rx.text(localised(StaffState.day_label)),
        rx.cond(StaffState.rows.length() > 0, next_call()),
        message_box(StaffState.message, MESSAGES, "staff-message", problem=False),
        rx.cond(
            StaffState.rows.length() > 0,
            rx.el.ul(
                rx.foreach(StaffState.rows, appointment_card),
                id="today",
                padding="0",
                display="grid",
                gap="0.75rem",
            ),
            rx.text(t("staff_none_today"), id="none-today"),
        ),
        rx.moment(interval=5000, on_change=StaffState.refresh, display="none"),
    )
