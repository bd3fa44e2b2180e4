"""State of the survey page /tevredenheid, opened with the link from the e-mail after a call.

The reference and token come from the address and are kept in backend vars, which the browser
can neither read nor set. Every handler checks the token again through the service, so a
browser can only ever answer the survey of its own link, and only once.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from balie.db_types import utcnow
from balie.services import feedback
from balie.settings import get_settings
from balie.states.links import link_from_address
from balie.states.tenant import tenant_session

log = logging.getLogger(__name__)

FOCUS_HEADING = "setTimeout(() => document.getElementById('step-heading')?.focus(), 60)"
# What the page shows instead of the form, per outcome of the service.
VIEWS = {
    "open": "form",
    feedback.AlreadyAnswered.key: "answered",
    feedback.NotAnswerable.key: "unavailable",
    feedback.InvalidLink.key: "invalid",
}
SCORE_VALUES = {str(score): score for score in feedback.SCORES}


def parse_score(value: object) -> int | None:
    """The score from the form ("1" … "5", as a browser sends it, or the int); else None."""
    if isinstance(value, str):
        return SCORE_VALUES.get(value)
    if isinstance(value, int) and not isinstance(value, bool) and value in feedback.SCORES:
        return value
    return None


class FeedbackState(rx.State):
    """One survey, found by the link in the e-mail."""

    loaded: bool = False
    view: str = ""
    error: str = ""
    score: str = ""
    comment: str = ""
    _reference: str = ""
    _token: str = ""

    def _secret(self) -> str:
        """The secret the survey tokens are derived from."""
        return get_settings().secret_key.get_secret_value()

    @rx.event
    def load(self) -> None:
        """Read the link from the address and say whether the survey is open."""
        self._reference, self._token = link_from_address(self.router)
        self.error, self.score, self.comment = "", "", ""
        with tenant_session(self) as session:
            outcome = feedback.survey_state(session, self._reference, self._token, self._secret())
        self.view = VIEWS.get(outcome, "invalid")
        if self.view == "invalid":
            self._reference, self._token = "", ""
        self.loaded = True

    @rx.event
    def send(self, form_data: Any) -> Any:
        """Store the answer once; show thanks, or what is wrong without losing the comment."""
        if not isinstance(form_data, dict):
            return None
        score, comment = form_data.get("score"), form_data.get("comment")
        if isinstance(comment, str):
            self.comment = comment[: feedback.COMMENT_MAX]
        self.score = str(score) if parse_score(score) is not None else ""
        try:
            with tenant_session(self) as session:
                feedback.answer(
                    session,
                    self._reference,
                    self._token,
                    parse_score(score),
                    comment,
                    utcnow(),
                    secret_key=self._secret(),
                )
        except feedback.InvalidAnswer as problem:
            self.error = problem.key
            return rx.call_script("document.getElementById('feedback-error')?.focus()")
        except feedback.FeedbackError as problem:
            self.view = VIEWS.get(problem.key, "invalid")
        except Exception:  # the citizen gets a message, the log the details
            log.exception("could not store a survey answer")
            self.error = "feedback_error_busy"
            return None
        else:
            self.view = "thanks"
        self.error, self.comment, self.score = "", "", ""
        return rx.call_script(FOCUS_HEADING)
