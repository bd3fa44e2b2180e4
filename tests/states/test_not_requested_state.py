"""The 'not requested' page's state: opening changes nothing; only a valid link's button acts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Appointment, MailSuppression
from balie.services.demo_data import load_demo_data
from balie.services.privacy import mail_suppression
from balie.settings import get_settings
from balie.states.booking import BookingState
from balie.states.not_requested import NotRequestedState
from tests.states.test_booking_state_idempotency import at_review


def test_public_handlers_are_exactly_load_and_confirm() -> None:
    assert sorted(NotRequestedState.event_handlers) == ["confirm", "load", "setvar"]


def opened(reference: Any, token: Any) -> NotRequestedState:
    """The state as the page's load leaves it for this link."""
    state = NotRequestedState(_reflex_internal_init=True)
    state._reference, state._token = reference, token
    state.view = "ask"  # as if a hostile browser forced the view
    return state


@pytest.mark.parametrize(
    ("reference", "token"), [("", ""), ("AAAA-AAAA", "0" * 64), ("<x>", None), (None, "x")]
)
def test_a_wrong_link_cancels_nothing(
    session: Session, app_database: Engine, reference: Any, token: Any
) -> None:
    load_demo_data(session)
    first = at_review("Lena", "lena@example.be", "k")
    asyncio.run(BookingState.confirm.fn(first))
    state = opened(reference, token)
    asyncio.run(NotRequestedState.confirm.fn(state))
    assert state.view == "invalid"
    session.expire_all()
    assert {str(row.status) for row in session.exec(select(Appointment)).all()} == {"booked"}
    assert session.exec(select(MailSuppression)).all() == []


def test_the_button_cancels_and_suppresses(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    wizard = at_review("Lena", "lena@example.be", "k")
    asyncio.run(BookingState.confirm.fn(wizard))
    secret = get_settings().secret_key.get_secret_value()
    token = mail_suppression.not_requested_token(wizard.reference, secret)
    state = opened(wizard.reference, token)
    asyncio.run(NotRequestedState.confirm.fn(state))
    assert state.view == "done" and state.cancelled
    session.expire_all()
    [row] = session.exec(select(Appointment)).all()
    assert str(row.status) == "cancelled"
    assert mail_suppression.is_suppressed(session, "lena@example.be", secret)
