"""The wizard's and manage page's states refuse anything they did not offer.

Every public handler can be called by any browser with any JSON, so these tests call them
directly with hostile arguments and check that nothing changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.models import Appointment
from balie.services.demo_data import load_demo_data
from balie.states.booking import BookingState
from balie.states.manage import ManageState

HOSTILE: list[Any] = [None, 1, -1, 1.5, [], {}, {"slug": "oog"}, "x" * 10_000, "<script>", ""]


def in_tree() -> BookingState:
    """A fresh wizard state in its own state tree (load also fills the page's SiteState)."""
    from reflex.state import State

    return State(_reflex_internal_init=True).substates[BookingState.get_name()]


def wizard() -> BookingState:
    """A fresh wizard state."""
    state = in_tree()
    asyncio.run(BookingState.load.fn(state))
    return state


def appointments(session: Session) -> int:
    """Number of appointments in the database."""
    return session.exec(select(func.count()).select_from(Appointment)).one()


def test_public_handlers_are_exactly_the_wizard_actions() -> None:
    assert sorted(BookingState.event_handlers) == sorted(
        [
            "load",
            "choose_service",
            "choose_topic",
            "show_day",
            "later_days",
            "earlier_days",
            "choose_time",
            "submit_details",
            "confirm",
            "check_field",
            "change",
            "go_back",
            "start_over",
            "load_confirmation",
            "tick",
            "refresh_meeting",
            "download_calendar",
            "setvar",
        ]
    )
    assert sorted(ManageState.event_handlers) == sorted(
        [
            "load",
            "tick",
            "back_to_view",
            "start_cancel",
            "cancel_appointment",
            "start_move",
            "choose_time",
            "confirm_move",
            "download_calendar",
            "show_day",
            "later_days",
            "earlier_days",
            "upload_documents",
            "check_documents",
            "setvar",
        ]
    )


def test_auto_setters_stay_off() -> None:
    from reflex.config import get_config

    assert get_config().state_auto_setters is False
    with pytest.raises(AttributeError):
        BookingState.set_step  # noqa: B018 - a setter would let a browser jump to any step


@pytest.mark.parametrize("value", HOSTILE)
def test_unknown_service_or_topic_is_ignored(
    session: Session, app_database: Engine, value: Any
) -> None:
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, value)
    assert state.step == 1 and state.service_slug == ""
    BookingState.choose_service.fn(state, "burgerzaken")
    assert state.step == 2
    asyncio.run(BookingState.choose_topic.fn(state, value))
    assert state.step == 2 and state.topic_slug == ""


def test_an_in_person_topic_cannot_be_chosen(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "burgerzaken")
    asyncio.run(BookingState.choose_topic.fn(state, "identiteitskaart"))
    assert state.step == 2 and state.topic_slug == ""


@pytest.mark.parametrize("value", [*HOSTILE, "2026-12-01T07:07:00+00:00"])
def test_a_time_that_was_not_offered_is_ignored(
    session: Session, app_database: Engine, value: Any
) -> None:
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    assert state.step == 3 and state.times
    BookingState.choose_time.fn(state, value)
    BookingState.show_day.fn(state, value)
    assert state.step == 3 and state.start_iso == ""


def test_confirm_outside_the_review_step_books_nothing(
    session: Session, app_database: Engine
) -> None:
    import asyncio

    load_demo_data(session)
    state = wizard()
    asyncio.run(BookingState.confirm.fn(state))
    assert appointments(session) == 0


def test_the_whole_wizard_books_once_even_when_confirm_is_repeated(
    session: Session, app_database: Engine
) -> None:
    import asyncio

    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    state.language = "nl"
    details = {"name": "Lena", "email": "lena@example.be", "consent": "on", "language": "nl"}
    # submit_details reads the locale from the parent tree; set the fields directly instead.
    state.name, state.email, state.consent = details["name"], details["email"], True
    state._idempotency_key = "fixed-key"
    state.step = 5
    shown = asyncio.run(BookingState.confirm.fn(state))
    assert state.step == 6 and state.reference
    # The finished wizard keeps only what its confirmation shows, not the whole catalogue.
    assert [s.slug for s in state.services] == ["oog"]
    assert [t.slug for t in state.services[0].topics] == ["zaak-starten"]
    assert state.service.slug == "oog" and state.topic.slug == "zaak-starten"
    # The confirmation gets its own address with the reference only (no token, no details).
    assert redirect_path(shown) == f"/boeken/bevestigd?ref={state.reference}"
    state.step = 5  # a second click that arrives after the first one finished
    asyncio.run(BookingState.confirm.fn(state))
    assert appointments(session) == 1
    asyncio.run(BookingState.load.fn(state))  # the wizard opened again: a new booking
    assert state.step == 1 and len(state.services) > 1


def test_confirm_books_outside_the_state_lock_and_turns_away_a_second_click(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from balie.states import booking as booking_state

    # A background event: Reflex locks the state only inside ``async with self``.
    assert BookingState.event_handlers["confirm"].is_background
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    state.name, state.email, state.consent, state.language = "Lena", "lena@x.be", True, "nl"
    state._idempotency_key, state.step = "", 5
    started, release = threading.Event(), threading.Event()
    real_book = booking_state._book

    def slow_book(slug: str, request: Any, who: Any, solution: Any) -> Any:
        started.set()
        release.wait(30)
        return real_book(slug, request, who, solution)

    monkeypatch.setattr(booking_state, "_book", slow_book)

    async def two_clicks() -> None:
        first = asyncio.create_task(BookingState.confirm.fn(state))
        await asyncio.to_thread(started.wait, 30)
        assert state.busy  # the database work runs in a thread, the event loop is free
        assert await BookingState.confirm.fn(state) is None  # the second click is turned away
        release.set()
        await first

    asyncio.run(two_clicks())
    assert state.step == 6 and state.reference and not state.busy
    assert appointments(session) == 1


@pytest.mark.parametrize(
    ("ref", "token"), [("", ""), ("AAAA-AAAA", "0" * 64), ("<x>", None), (None, "x")]
)
def test_manage_page_without_a_valid_link_shows_nothing(
    session: Session, app_database: Engine, ref: Any, token: Any
) -> None:
    state = ManageState(_reflex_internal_init=True)
    state.reference, state._token = ref or "", token or ""
    ManageState.start_move.fn(state)
    assert state.mode == "view" and state.days == []
    assert ManageState.download_calendar.fn(state) is None


def redirect_path(event: Any) -> str:
    """The address an ``rx.redirect`` event sends the browser to."""
    args = {name._js_expr: value._var_value for name, value in event.args}
    return args["path"]


def at_details_step(session: Session) -> BookingState:
    """A wizard with a service, topic and time chosen: the details step is open."""
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    assert state.step == 4
    return state


def test_an_error_clears_when_its_field_is_left_valid(
    session: Session, app_database: Engine
) -> None:
    state = at_details_step(session)
    state.errors = {
        "name": "error_name_required",
        "email": "error_email_invalid",
        "consent": "error_consent_required",
    }
    BookingState.check_field.fn(state, "name", "Lena Peeters")
    assert state.name == "Lena Peeters" and "name" not in state.errors
    BookingState.check_field.fn(state, "email", "lena@voorbeeld")
    assert state.errors["email"] == "error_email_invalid"
    BookingState.check_field.fn(state, "email", "lena@voorbeeld.be")
    BookingState.check_field.fn(state, "consent", True)
    assert state.errors == {} and state.consent is True


def test_leaving_a_field_adds_no_error_before_the_form_was_sent(
    session: Session, app_database: Engine
) -> None:
    state = at_details_step(session)
    BookingState.check_field.fn(state, "email", "not an address")
    BookingState.check_field.fn(state, "consent", False)
    assert state.errors == {} and state.email == "not an address"


@pytest.mark.parametrize("value", HOSTILE)
def test_check_field_refuses_unknown_fields(
    session: Session, app_database: Engine, value: Any
) -> None:
    state = at_details_step(session)
    state.errors = {"name": "error_name_required"}
    BookingState.check_field.fn(state, value, "Lena")
    BookingState.check_field.fn(state, "step", 6)
    assert state.errors == {"name": "error_name_required"} and state.step == 4
    BookingState.check_field.fn(state, "name", value)
    assert state.name == (value[:2000] if isinstance(value, str) else "")


def test_check_field_does_nothing_outside_the_details_step(
    session: Session, app_database: Engine
) -> None:
    state = at_details_step(session)
    state.step = 5
    BookingState.check_field.fn(state, "name", "Someone else")
    assert state.name == ""


@pytest.mark.parametrize("value", [*HOSTILE, "done", "review"])
def test_change_opens_only_the_offered_parts_from_the_review(
    session: Session, app_database: Engine, value: Any
) -> None:
    state = at_details_step(session)
    asyncio.run(BookingState.change.fn(state, "service"))
    assert state.step == 4  # only from the review
    state.step = 5
    asyncio.run(BookingState.change.fn(state, value))
    assert state.step == 5


def test_changing_the_time_from_the_review_keeps_everything(
    session: Session, app_database: Engine
) -> None:
    state = at_details_step(session)
    chosen = state.start_iso
    state.name, state.step = "Lena", 5
    asyncio.run(BookingState.change.fn(state, "time"))
    assert state.step == 3 and state.start_iso == chosen and state.times
    assert state.name == "Lena"
    state.step = 5
    asyncio.run(BookingState.change.fn(state, "details"))
    assert state.step == 4


def opened_with_a_time_chosen() -> BookingState:
    """The wizard opened at /boeken?dienst=oog, a topic and the first free time chosen."""
    from reflex.istate.data import RouterData

    state = in_tree()
    state.router = RouterData.from_router_data(
        {"pathname": "/boeken", "asPath": "/boeken?dienst=oog"}
    )
    asyncio.run(BookingState.load.fn(state))
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    return state


def test_a_reconnect_keeps_the_wizard_where_the_citizen_was(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = opened_with_a_time_chosen()
    state.name, state.step = "Lena", 5
    asyncio.run(
        BookingState.load.fn(state)
    )  # the page's on_load again, after the websocket reconnected
    assert (state.step, state.name, state.service_slug) == (5, "Lena", "oog")
    assert state.start_iso


def test_a_confirmation_cut_off_by_a_stopped_instance_can_be_clicked_again_once_reloaded(
    session: Session, app_database: Engine
) -> None:
    """The busy flag is saved while a booking runs: if the instance running it stopped, the
    citizen reconnected elsewhere would see a disabled button for good. The page's load clears
    it, and clicking again gets the booking already made (same idempotency key), not a second."""
    from balie.states.booking_form import STEPS

    load_demo_data(session)
    state = opened_with_a_time_chosen()
    form = {"name": "Lena", "email": "lena@x.be", "language": "nl", "consent": "on"}
    asyncio.run(BookingState.submit_details.fn(state, form))
    asyncio.run(BookingState.confirm.fn(state))  # booked, but the answer never reached the page
    first = state.reference
    assert first and appointments(session) == 1
    # What another instance reads from Redis: the state as saved while the booking ran.
    state.step, state.busy, state.reference = STEPS["review"], True, ""
    assert asyncio.run(BookingState.confirm.fn(state)) is None  # still turned away meanwhile
    asyncio.run(BookingState.load.fn(state))  # the reconnect or reload runs the page's load
    assert not state.busy and state.step == STEPS["review"] and state.name == "Lena"
    asyncio.run(BookingState.confirm.fn(state))
    assert state.step == STEPS["done"] and state.reference == first
    assert appointments(session) == 1


def test_the_wizard_reads_free_times_outside_the_state_lock(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load, choose_topic and change are background events like confirm; a click handled
    while the free times are read wins (the late times do not pull the citizen to step 3)."""
    import threading

    from balie.states import booking as booking_state

    for name in ("load", "choose_topic", "change", "confirm"):
        assert BookingState.event_handlers[name].is_background, name
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    started, release = threading.Event(), threading.Event()
    real_free_days = booking_state._free_days

    def slow_free_days(slug: str, service_slug: str) -> Any:
        started.set()
        release.wait(30)
        return real_free_days(slug, service_slug)

    monkeypatch.setattr(booking_state, "_free_days", slow_free_days)

    async def topic_then_back() -> None:
        reading = asyncio.create_task(BookingState.choose_topic.fn(state, "zaak-starten"))
        await asyncio.to_thread(started.wait, 30)
        assert state.step == 2  # the event loop is free while the times are read
        BookingState.go_back.fn(state)  # the citizen goes back meanwhile
        release.set()
        assert await reading is None

    asyncio.run(topic_then_back())
    assert state.step == 1 and not state.times
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    assert state.step == 3 and state.times


def booked_wizard(session: Session) -> BookingState:
    """A wizard that has just booked a video appointment (step 6)."""
    load_demo_data(session)
    state = wizard()
    BookingState.choose_service.fn(state, "oog")
    asyncio.run(BookingState.choose_topic.fn(state, "zaak-starten"))
    BookingState.choose_time.fn(state, state.times[0].start)
    state.name, state.email, state.consent, state.language = "Lena", "lena@x.be", True, "nl"
    state._idempotency_key, state.step = "", 5
    asyncio.run(BookingState.confirm.fn(state))
    assert state.step == 6 and state._appointment_id
    return state


def test_the_meeting_link_is_read_outside_the_state_lock(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """refresh_meeting reads the database in a thread; a new booking started meanwhile
    is not overwritten by the late answer."""
    import threading

    from balie.states import booking as booking_state

    assert BookingState.event_handlers["refresh_meeting"].is_background
    state = booked_wizard(session)
    appointment = session.get(Appointment, state._appointment_id)
    appointment.join_url = "https://meet.example/abc"
    session.add(appointment)
    session.commit()
    started, release = threading.Event(), threading.Event()
    real_meeting_of = booking_state._meeting_of

    def slow_meeting_of(organisation_id: int, appointment_id: int) -> Any:
        started.set()
        release.wait(30)
        return real_meeting_of(organisation_id, appointment_id)

    monkeypatch.setattr(booking_state, "_meeting_of", slow_meeting_of)

    async def refresh(start_over: bool) -> None:
        state.meeting_state = "pending"
        reading = asyncio.create_task(BookingState.refresh_meeting.fn(state))
        await asyncio.to_thread(started.wait, 30)
        assert state.meeting_state == "pending"  # the event loop is free meanwhile
        if start_over:
            BookingState.start_over.fn(state)
        release.set()
        await reading
        started.clear()
        release.clear()

    appointment_id = state._appointment_id
    asyncio.run(refresh(start_over=False))
    assert state.join_url == "https://meet.example/abc" and state.meeting_state != "pending"
    asyncio.run(refresh(start_over=True))
    assert state._appointment_id == 0 and state.join_url == ""
    state._appointment_id, state.step = appointment_id, 1  # outside the confirmation: nothing
    state.meeting_state = "pending"
    asyncio.run(BookingState.refresh_meeting.fn(state))
    assert state.meeting_state == "pending"


def test_the_calendar_file_is_read_outside_the_state_lock(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from balie.states import booking as booking_state

    assert BookingState.event_handlers["download_calendar"].is_background
    state = booked_wizard(session)
    threads: list[int] = []
    files: list[str] = []
    real_calendar_of = booking_state._calendar_of

    def recorded_calendar_of(organisation_id: int, appointment_id: int) -> str:
        threads.append(threading.get_ident())
        files.append(real_calendar_of(organisation_id, appointment_id))
        return files[-1]

    monkeypatch.setattr(booking_state, "_calendar_of", recorded_calendar_of)
    spec = asyncio.run(BookingState.download_calendar.fn(state))
    assert threads and threads[0] != threading.get_ident()  # a worker thread, not the loop
    assert "BEGIN:VCALENDAR" in files[0] and f"afspraak-{state.reference}.ics" in str(spec)
    fresh = wizard()
    assert asyncio.run(BookingState.download_calendar.fn(fresh)) is None


def test_load_shows_the_organisations_look_read_outside_the_state_lock(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard page has one on_load event: load reads the catalogue and the look in a
    thread and fills the page's SiteState in the same lock round."""
    import threading

    from balie.states import booking as booking_state
    from balie.states.site import SiteState

    load_demo_data(session)
    threads: list[int] = []
    real_read_page = booking_state._read_page

    def recorded(slug: str) -> Any:
        threads.append(threading.get_ident())
        return real_read_page(slug)

    monkeypatch.setattr(booking_state, "_read_page", recorded)
    state = wizard()
    site = asyncio.run(state.get_state(SiteState))
    assert threads and threads[0] != threading.get_ident()  # a worker thread, not the loop
    assert site.display_name and state.services
