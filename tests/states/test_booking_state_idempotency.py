"""The wizard never shows another booking because its idempotency key matched."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session

from balie.services.demo_data import load_demo_data
from balie.states.booking import BookingState
from tests.states.test_booking_state import appointments, wizard


def at_review(name: str, email: str, key: str) -> BookingState:
    """A wizard at the review step with these details and idempotency key."""
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    state.language = "nl"
    state.name, state.email, state.consent = name, email, True
    state._idempotency_key = key
    state.step = 5
    return state


def test_a_key_with_other_details_shows_no_other_booking(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    first = at_review("Lena", "lena@example.be", "fixed-key")
    asyncio.run(BookingState.confirm.fn(first))
    assert first.reference
    other = at_review("Iemand Anders", "ander@example.be", "fixed-key")
    asyncio.run(BookingState.confirm.fn(other))
    assert other.reference == "" and other.manage_link == ""
    assert other.notice == "error_idempotency_reused"
    assert appointments(session) == 1
