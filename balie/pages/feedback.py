"""The one-question survey at /tevredenheid, opened with the link from the e-mail after a call."""

import reflex as rx

from balie.components.forms import step_heading
from balie.components.layout import page_frame
from balie.components.text import t, text_for
from balie.services.feedback import COMMENT_MAX, SCORES
from balie.states.feedback import FeedbackState
from balie.states.site import SiteState

S = FeedbackState
ERROR_KEYS = ["feedback_error_score", "feedback_error_comment", "feedback_error_busy"]


def error_message() -> rx.Component:
    """What is wrong with the answer, announced at once and tied to the form."""
    return rx.cond(
        S.error != "",
        rx.callout(
            text_for(S.error, ERROR_KEYS),
            color_scheme="red",
            role="alert",
            id="feedback-error",
            tab_index=-1,
            margin_bottom="1rem",
        ),
    )


def described_by(field_error: str, base: str = "") -> rx.Var:
    """aria-describedby: the base hint and, when this error is shown, the error."""
    with_error = f"{base} feedback-error".strip()
    return rx.cond(S.error == field_error, with_error, base)


def score_choice() -> rx.Component:
    """The question as a radio group from 1 to 5, each answer in words."""
    return rx.el.fieldset(
        rx.el.legend(t("feedback_question"), class_name="field-label"),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name="score",
                    value=str(score),
                    default_checked=S.score == str(score),
                    id=f"score-{score}",
                ),
                " ",
                t(f"feedback_score_{score}"),
                class_name="radio",
            )
            for score in SCORES
        ],
        class_name="field",
        custom_attrs={"aria-describedby": described_by("feedback_error_score")},
    )


def comment_field() -> rx.Component:
    """The optional comment."""
    return rx.box(
        rx.el.label(t("feedback_comment_label"), html_for="comment", class_name="field-label"),
        rx.text(t("feedback_comment_hint"), id="comment-hint", class_name="field-hint"),
        rx.el.textarea(
            id="comment",
            name="comment",
            default_value=S.comment,
            max_length=COMMENT_MAX,
            rows=4,
            class_name="field-input",
            custom_attrs={
                "aria-describedby": described_by("feedback_error_comment", "comment-hint"),
                "aria-invalid": rx.cond(S.error == "feedback_error_comment", "true", "false"),
            },
        ),
        class_name="field",
    )


def survey_form() -> rx.Component:
    """The question, the comment and the send button."""
    return rx.box(
        rx.text(t("feedback_intro"), margin_bottom="1rem"),
        error_message(),
        rx.form(
            score_choice(),
            comment_field(),
            rx.button(t("feedback_send"), type="submit", id="feedback-send"),
            on_submit=S.send,
            reset_on_submit=False,
            custom_attrs={"noValidate": True},
            id="feedback-form",
        ),
    )


def result(heading_key: str, text_key: str, element_id: str, role: str) -> rx.Component:
    """A heading (focus moves here) and one message instead of the form."""
    return rx.box(
        step_heading(heading_key),
        rx.text(t(text_key), role=role, id=element_id),
    )


@rx.page(
    route="/tevredenheid",
    title="Jouw mening – Digitale Balie",
    description=SiteState.description,
    on_load=[S.load, SiteState.load_meta],
)
def feedback_page() -> rx.Component:
    """The survey page."""
    return page_frame(
        rx.heading(t("feedback_title"), as_="h1", size="7", margin_bottom="0.5rem"),
        rx.cond(
            S.loaded,
            rx.match(
                S.view,
                ("form", survey_form()),
                (
                    "thanks",
                    result(
                        "feedback_thanks_heading", "feedback_thanks", "feedback-thanks", "status"
                    ),
                ),
                (
                    "answered",
                    result(
                        "feedback_answered_heading",
                        "feedback_already_answered",
                        "feedback-answered",
                        "status",
                    ),
                ),
                (
                    "unavailable",
                    result(
                        "feedback_unavailable_heading",
                        "feedback_unavailable",
                        "feedback-unavailable",
                        "alert",
                    ),
                ),
                result(
                    "feedback_invalid_heading", "feedback_invalid_link", "feedback-invalid", "alert"
                ),
            ),
            rx.text(t("loading"), role="status"),
        ),
    )
