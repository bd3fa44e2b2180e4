"""The wizard under the abuse limits: a refusal says why on the review step and keeps everything."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.db_types import utcnow
from balie.models import Appointment
from balie.services.abuse import public as abuse
from balie.services.abuse.challenge import solve
from balie.services.demo_data import load_demo_data
from balie.settings import get_settings
from balie.states.booking import BookingState
from tests.states.test_booking_state import in_tree

REVIEW, DONE = 5, 6


def limits(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Set abuse settings (BALIE_…) for this test."""
    for name, value in values.items():
        monkeypatch.setenv(f"BALIE_{name.upper()}", str(value))
    get_settings.cache_clear()


def at_review(email: str, index: int = 0) -> BookingState:
    """A wizard on the review step with a citizen's details for an Oog time."""
    state = in_tree()
    asyncio.run(BookingState.load.fn(state))
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    # The first day with enough free times: late in the day, today may have only one left.
    day = next(day for day in state.days if day.count > index)
    BookingState.show_day.fn(state, day.key)
    BookingState.choose_time.fn(state, state.times[index].start)
    state.name, state.email, state.phone, state.consent = "Lena Claes", email, "", True
    state.question, state.language = "Ik start een zaak.", "nl"
    state._idempotency_key = f"key-{email}-{index}"
    state.step = REVIEW
    return state


def confirm(state: BookingState, solution: str = "") -> None:
    """Press confirm (with the browser's proof-of-work solution)."""
    asyncio.run(BookingState.confirm.fn(state, solution))


def appointments(session: Session) -> int:
    """Number of appointments."""
    return session.exec(select(func.count()).select_from(Appointment)).one()


def test_a_refused_booking_stays_on_review_with_the_message_and_the_details(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_data(session)
    limits(monkeypatch, bookings_per_address_per_hour=1)
    first = at_review("a@example.be")
    confirm(first)
    assert first.step == DONE
    second = at_review("b@example.be", 1)
    confirm(second)
    assert second.step == REVIEW and second.notice == "error_rate_limited"
    assert (second.name, second.email, second.question) == (
        "Lena Claes",
        "b@example.be",
        "Ik start een zaak.",
    )
    assert second.start_iso and appointments(session) == 1


def test_too_many_active_bookings_are_explained(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_data(session)
    limits(monkeypatch, active_bookings_per_service=1)
    confirm(at_review("same@example.be"))
    again = at_review("same@example.be", 1)
    confirm(again)
    assert again.step == REVIEW and again.notice == "error_too_many_active"


def test_the_wizard_needs_a_solved_puzzle_when_proof_of_work_is_on(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_data(session)
    limits(monkeypatch, proof_of_work="true", proof_of_work_max_number=2000)
    state = at_review("pow@example.be")
    confirm(state, "")
    assert state.step == REVIEW and state.notice == "error_challenge"
    assert appointments(session) == 0
    solution = solve(abuse.issue_challenge(get_settings(), utcnow()))
    confirm(state, solution)
    assert state.step == DONE and appointments(session) == 1
