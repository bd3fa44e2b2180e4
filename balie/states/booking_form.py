"""What the citizen's wizard and the agent's booking screen share: the choice and the details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

FIELD_LIMIT = 2000
STEPS = {"service": 1, "topic": 2, "time": 3, "details": 4, "review": 5, "done": 6}
FOCUS_STEP_HEADING = "setTimeout(() => document.getElementById('step-heading')?.focus(), 60)"
FOCUS_ERRORS = "setTimeout(() => document.getElementById('form-errors')?.focus(), 60)"


@dataclass
class TopicOption:
    """A topic as offered in step 2."""

    slug: str
    name: dict[str, str]
    video: bool
    reason: dict[str, str]
    preparation: dict[str, str]
    identification: str = "none"  # level a booking needs: none, substantial, high


@dataclass
class ServiceOption:
    """A service as offered in step 1."""

    slug: str
    name: dict[str, str]
    description: dict[str, str]
    minutes: int
    topics: list[TopicOption]


def _text(value: Any, limit: int = FIELD_LIMIT) -> str:
    """A string argument from the browser, cut to a sane length."""
    return value[:limit] if isinstance(value, str) else ""


class BookingFormState(rx.State, mixin=True):
    """Mixin: the step, the offered services, the chosen service/topic/time and the details."""

    step: int = 1
    services: list[ServiceOption] = []
    service_slug: str = ""
    topic_slug: str = ""
    start_iso: str = ""
    start_label: dict[str, str] = {}
    name: str = ""
    email: str = ""
    phone: str = ""
    question: str = ""
    consent: bool = False
    errors: dict[str, str] = {}
    notice: str = ""
    busy: bool = False
    reference: str = ""
    when: dict[str, str] = {}

    @rx.var
    def service(self) -> ServiceOption | None:
        """The chosen service."""
        return next((s for s in self.services if s.slug == self.service_slug), None)

    @rx.var
    def topics(self) -> list[TopicOption]:
        """Topics of the chosen service."""
        service = self.service
        return service.topics if service else []

    @rx.var
    def topic(self) -> TopicOption | None:
        """The chosen topic."""
        return next((t for t in self.topics if t.slug == self.topic_slug), None)

    @rx.var
    def error_count(self) -> int:
        """Number of fields with an error."""
        return len(self.errors)

    def _go(self, step: str) -> rx.event.EventSpec:
        """Show ``step`` and move keyboard focus to its heading."""
        self.step = STEPS[step]
        return rx.call_script(FOCUS_STEP_HEADING)

    def _raw_details(self) -> dict[str, Any]:
        """The typed details in the shape the validator expects (``language``: the subclass's)."""
        return {
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "question": self.question,
            "language": self.language,
            "consent": self.consent,
        }
