"""The survey page's state takes any JSON from any browser: only its own link, once, with a
valid answer, is ever stored. Also the settings-dependent sentences of the privacy notice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session

from balie.models import Appointment, AppointmentStatus
from balie.services import booking, feedback
from balie.services.demo_data import load_demo_data
from balie.settings import Settings, get_settings
from balie.states.feedback import FeedbackState, parse_score
from balie.states.privacy import PrivacyState, privacy_facts
from tests.services.test_feedback import SECRET, make_appointment


@pytest.fixture
def survey_app(app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app's database and a known secret key for the survey links."""
    monkeypatch.setenv("BALIE_SECRET_KEY", SECRET)
    monkeypatch.setenv("BALIE_RETENTION_DAYS", "45")
    get_settings.cache_clear()
    yield app_database
    get_settings.cache_clear()


@pytest.fixture
def completed(session: Session, survey_app: Engine) -> Appointment:
    """Demo data and one completed call."""
    load_demo_data(session)
    return make_appointment(session)


def opened(reference: str, token: str) -> FeedbackState:
    """The survey state of a browser that opened /tevredenheid with this link."""
    state = FeedbackState(_reflex_internal_init=True)
    query = urlencode({"ref": reference, "token": token})
    state.router = RouterData.from_router_data(
        {"pathname": "/tevredenheid", "asPath": f"/tevredenheid?{query}"}
    )
    FeedbackState.load.fn(state)
    return state


def own_link(appointment: Appointment) -> FeedbackState:
    """The survey state opened with the appointment's own link."""
    return opened(appointment.reference, feedback.survey_token_for(appointment.reference, SECRET))


def stored(session: Session, appointment: Appointment) -> tuple:
    """Score and comment as the database has them."""
    session.expire_all()
    row = session.get(Appointment, appointment.id)
    return row.feedback_score, row.feedback_comment


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(FeedbackState.event_handlers) == ["load", "send", "setvar"]
    assert sorted(PrivacyState.event_handlers) == ["load", "setvar"]


def test_answer_once_then_the_form_is_gone(session: Session, completed: Appointment) -> None:
    state = own_link(completed)
    assert (state.loaded, state.view) == (True, "form")
    FeedbackState.send.fn(state, {"score": "4", "comment": " Vlot geholpen "})
    assert (state.view, state.error) == ("thanks", "")
    assert stored(session, completed) == (4, "Vlot geholpen")
    FeedbackState.send.fn(state, {"score": "1", "comment": "Nog eens"})
    assert state.view == "answered"
    assert stored(session, completed) == (4, "Vlot geholpen")
    assert own_link(completed).view == "answered"


@pytest.mark.parametrize("form_data", [None, "3", 3, 0, 6, [], ["score", "3"], True])
def test_anything_but_a_form_does_nothing(
    session: Session, completed: Appointment, form_data: Any
) -> None:
    state = own_link(completed)
    assert FeedbackState.send.fn(state, form_data) is None
    assert (state.view, state.error) == ("form", "")
    assert stored(session, completed) == (None, None)


@pytest.mark.parametrize(
    "score",
    [None, {}, {"n": 3}, 0, 6, -1, "0", "6", "3.5", " 3", "３", 3.0, True, [3], "x" * 10**5],
)
def test_a_wrong_score_is_refused_and_keeps_the_comment(
    session: Session, completed: Appointment, score: Any
) -> None:
    state = own_link(completed)
    FeedbackState.send.fn(state, {"score": score, "comment": "Mijn opmerking"})
    assert (state.view, state.error) == ("form", "feedback_error_score")
    assert (state.comment, state.score) == ("Mijn opmerking", "")
    assert stored(session, completed) == (None, None)


def test_a_huge_comment_is_refused_and_not_kept_whole(
    session: Session, completed: Appointment
) -> None:
    state = own_link(completed)
    FeedbackState.send.fn(state, {"score": "5", "comment": "a" * 10**6})
    assert (state.view, state.error, state.score) == ("form", "feedback_error_comment", "5")
    assert len(state.comment) == feedback.COMMENT_MAX
    assert stored(session, completed) == (None, None)
    FeedbackState.send.fn(state, {"score": "5", "comment": {"text": "hi"}})
    assert state.error == "feedback_error_comment"
    FeedbackState.send.fn(state, {"score": 5})  # an int from a crafted client is fine too
    assert state.view == "thanks" and stored(session, completed) == (5, None)


@pytest.mark.parametrize(
    ("reference", "token"),
    [
        ("", ""),
        ("ZZZZ-ZZZZ", feedback.survey_token_for("ZZZZ-ZZZZ", SECRET)),
        ("own", "0" * 64),
        ("own", "manage"),
        ("own", "other-secret"),
    ],
)
def test_a_wrong_link_shows_invalid_and_stores_nothing(
    session: Session, completed: Appointment, reference: str, token: str
) -> None:
    if reference == "own":
        own = completed.reference
        reference, token = (
            own,
            {
                "0" * 64: "0" * 64,
                "manage": booking.manage_token_for(own, SECRET),
                "other-secret": feedback.survey_token_for(own, "other-secret"),
            }[token],
        )
    state = opened(reference, token)
    assert state.view == "invalid"
    assert (state._reference, state._token) == ("", "")
    FeedbackState.send.fn(state, {"score": "4", "ref": completed.reference, "token": token})
    assert state.view == "invalid"
    assert stored(session, completed) == (None, None)


def test_a_browser_cannot_answer_another_link_than_its_own(
    session: Session, completed: Appointment
) -> None:
    other = make_appointment(session)
    state = own_link(completed)
    other_token = feedback.survey_token_for(other.reference, SECRET)
    FeedbackState.send.fn(state, {"score": "2", "ref": other.reference, "token": other_token})
    assert stored(session, other) == (None, None)
    assert stored(session, completed) == (2, None)
    fresh = FeedbackState(_reflex_internal_init=True)  # never loaded a link
    FeedbackState.send.fn(fresh, {"score": "3"})
    assert fresh.view == "invalid"
    assert stored(session, other) == (None, None)


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW])
def test_a_call_that_was_not_held_cannot_be_rated(
    session: Session, completed: Appointment, status: AppointmentStatus
) -> None:
    appointment = make_appointment(session, status)
    state = own_link(appointment)
    assert state.view == "unavailable"
    FeedbackState.send.fn(state, {"score": "5"})
    assert state.view == "unavailable"
    assert stored(session, appointment) == (None, None)


def test_parse_score_takes_only_what_a_form_or_an_int_can_mean() -> None:
    assert [parse_score(str(n)) for n in range(1, 6)] == [1, 2, 3, 4, 5]
    assert [parse_score(n) for n in range(1, 6)] == [1, 2, 3, 4, 5]
    for value in (None, "", "0", "6", "03", "3 ", 3.0, True, False, [3], {"3": 3}):
        assert parse_score(value) is None


# --- privacy notice ------------------------------------------------------------------------


def settings_with(**values: Any) -> Settings:
    """Settings without the environment or .env file."""
    return Settings(_env_file=None, **values)


def test_the_retention_time_comes_from_the_settings() -> None:
    facts = privacy_facts(settings_with(retention_days=45))
    assert facts["how_long"]["nl"].startswith("We wissen je gegevens 45 dagen na de afspraak.")
    assert facts["how_long"]["en"].startswith("We erase your details 45 days after the")
    assert "7 dagen" in privacy_facts(settings_with(retention_days=7))["how_long"]["nl"]


def test_the_meeting_provider_and_question_sharing_come_from_the_settings() -> None:
    teams_shared = privacy_facts(
        settings_with(meeting_provider="teams", share_question_with_meeting_provider=True)
    )
    assert "Microsoft Teams" in teams_shared["meeting"]["nl"]
    assert teams_shared["question"]["en"].startswith("Your question is also in the call")
    teams_private = privacy_facts(settings_with(meeting_provider="teams"))
    assert teams_private["question"] == {
        "nl": "Je vraag geven we niet door aan Microsoft Teams.",
        "en": "We do not pass on your question to Microsoft Teams.",
    }
    jitsi = privacy_facts(
        settings_with(meeting_provider="jitsi", share_question_with_meeting_provider=True)
    )
    assert "Jitsi Meet" in jitsi["meeting"]["en"] and "Teams" not in jitsi["meeting"]["en"]
    assert jitsi["question"]["nl"] == "Je vraag geven we niet door aan Jitsi Meet."


def test_the_privacy_page_reads_the_running_settings(survey_app: Engine) -> None:
    state = PrivacyState(_reflex_internal_init=True)
    PrivacyState.load.fn(state)
    assert state.loaded and "45 dagen" in state.how_long["nl"]
    assert state.meeting == privacy_facts(get_settings())["meeting"]


def test_the_privacy_page_says_the_hosts_own_retention_and_provider(
    survey_app: Engine, session: Session
) -> None:
    from reflex.istate.data import RouterData

    from balie.services import org_settings
    from balie.services.catalogue import get_organisation

    load_demo_data(session)
    row = org_settings.settings_row(session, get_organisation(session, "gent"))
    row.retention_days, row.meeting_provider = 60, "teams"
    row.entra_client_secret_sealed = "not-even-valid-ciphertext"  # never opened here
    session.add(row)
    session.commit()
    state = PrivacyState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"host": "localhost"}})
    PrivacyState.load.fn(state)
    assert "60 dagen" in state.how_long["nl"]
    assert "Teams" in state.meeting["nl"]
