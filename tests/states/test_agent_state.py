"""The contact-centre states: only agents and admins act, only on what they were offered or found.

Every public handler can be called by any browser with any JSON, so these tests call them
directly (without a session, as a counsellor, with hostile arguments) and check the database.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    BookingChannel,
    StaffMember,
)
from balie.services import booking
from balie.services.catalogue import get_organisation
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email, load_demo_data
from balie.services.staff import contact_centre, staff_auth
from balie.services.validation import CitizenDetails
from balie.states.agent import AgentBookingState, AgentFindState

HOSTILE: list[Any] = [None, 1, -1, 1.5, True, [], {}, {"slug": "oog"}, "x" * 10_000, "<b>", ""]
PASSWORD = "een-lang-wachtwoord-2026"
COUNSELLOR = "Lotte Claeys"
DETAILS = {
    "name": "Fatma Yildiz",
    "email": "Fatma@Voorbeeld.be",
    "phone": "0470 12 34 56",
    "language": "en",
    "question": "Kan ik in schijven betalen?",
    "consent": "on",
}


def token_for(session: Session, display_name: str) -> str:
    """A signed-in session of the demo staff member ``display_name``."""
    member = session.exec(
        select(StaffMember).where(StaffMember.email == demo_email(display_name))
    ).one()
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.add(member)
    session.commit()
    return staff_auth.sign_in_local(session, member.email, PASSWORD, "127.0.0.1", utcnow())[1]


def on_connection(cls: type, token: str) -> Any:
    """A state of ``cls`` on a connection whose cookie carries ``token``."""
    state = cls(_reflex_internal_init=True)
    cookie = f"{staff_auth.SESSION_COOKIE}={token}" if token else ""
    state.router = RouterData.from_router_data({"headers": {"cookie": cookie}})
    return state


def appointments(session: Session) -> list[Appointment]:
    """Every appointment, fresh from the database."""
    session.expire_all()
    return list(session.exec(select(Appointment).order_by(Appointment.id)).all())


def plain_body(path: Path) -> str:
    """The plain-text body of an e-mail in the outbox."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def audit_actions(session: Session) -> list[str]:
    """The actions in the audit log, oldest first."""
    return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all())


@pytest.fixture
def world(session: Session, app_database: Engine) -> dict[str, str]:
    """Demo data and signed-in sessions of the demo agent and a counsellor."""
    load_demo_data(session)
    return {
        "agent": token_for(session, DEMO_AGENT[0]),
        "counsellor": token_for(session, COUNSELLOR),
    }


def at_review(token: str) -> AgentBookingState:
    """A booking state that reached the review step (GAS-boetes, first free time)."""
    state = on_connection(AgentBookingState, token)
    assert AgentBookingState.load.fn(state) is None
    AgentBookingState.choose_service.fn(state, "gas-boetes")
    AgentBookingState.choose_topic.fn(state, "vraag-boete")
    AgentBookingState.choose_time.fn(state, state.times[0].start)
    AgentBookingState.submit_details.fn(state, dict(DETAILS))
    assert state.step == 5 and state.errors == {}
    return state


def confirm(state: AgentBookingState) -> None:
    """Press confirm."""
    asyncio.run(AgentBookingState.confirm.fn(state))


def book_for_caller(session: Session, start_index: int = 0, email: str = "els@example.be") -> Any:
    """An appointment the demo agent booked earlier for a caller (a free GAS-boetes time)."""
    agent = session.exec(
        select(StaffMember).where(StaffMember.email == demo_email(DEMO_AGENT[0]))
    ).one()
    days = contact_centre.free_days(session, agent, "gas-boetes", utcnow())
    start = datetime.fromisoformat(days[1].times[start_index].start)
    details = CitizenDetails("Els Maes", email, None, "nl", None, True)
    request = booking.BookingRequest("gas-boetes", "vraag-boete", start, details)
    return contact_centre.book_for_caller(
        session, agent, request, meeting_provider="jitsi", secret_key="s", now=utcnow()
    ).appointment


def test_public_handlers_are_exactly_these() -> None:
    time_picker = ["show_day", "later_days", "earlier_days", "setvar"]
    assert sorted(AgentBookingState.event_handlers) == sorted(
        [
            "load",
            "choose_service",
            "choose_topic",
            "choose_time",
            "submit_details",
            "confirm",
            "go_back",
            "start_over",
            "send_identity_link",
            *time_picker,
        ]
    )
    assert sorted(AgentFindState.event_handlers) == sorted(
        [
            "load",
            "find",
            "new_search",
            "back_to_view",
            "start_cancel",
            "cancel_appointment",
            "start_move",
            "choose_time",
            "confirm_move",
            *time_picker,
        ]
    )


@pytest.mark.parametrize("who", ["", "not-a-session", "counsellor"])
def test_without_the_agent_role_nothing_is_offered_or_booked(
    session: Session, world: dict[str, str], who: str
) -> None:
    token = world.get(who, who)
    state = on_connection(AgentBookingState, token)
    redirect = AgentBookingState.load.fn(state)
    assert state.services == []
    assert (redirect is not None) == (who != "counsellor")
    assert state.access_denied == (who == "counsellor")
    AgentBookingState.choose_service.fn(state, "gas-boetes")
    assert state.step == 1 and state.service_slug == ""
    # A page that was filled in while signed in as an agent, then used without the role.
    stale = at_review(world["agent"])
    stale.router = state.router
    confirm(stale)
    AgentBookingState.go_back.fn(stale)
    AgentBookingState.start_over.fn(stale)
    assert appointments(session) == []
    assert stale.name == "" and stale.services == [] and stale.display_name == ""


@pytest.mark.parametrize("who", ["", "counsellor"])
def test_without_the_agent_role_nothing_is_found_or_changed(
    session: Session, world: dict[str, str], who: str
) -> None:
    target = book_for_caller(session)
    state = on_connection(AgentFindState, world.get(who, who))
    AgentFindState.load.fn(state)
    AgentFindState.find.fn(state, {"reference": target.reference, "email": "els@example.be"})
    assert state.mode == "search" and state.reference == "" and state.citizen_name == ""
    # A page that found the appointment as an agent, then used without the role.
    stale = on_connection(AgentFindState, world["agent"])
    AgentFindState.find.fn(stale, {"reference": target.reference, "email": "els@example.be"})
    assert stale.mode == "view"
    stale.router = state.router
    AgentFindState.start_cancel.fn(stale)
    assert stale.reference == "" and stale.mode == "search" and stale._found_id == 0
    stale._found_id, stale.mode = target.id, "cancel"
    asyncio.run(AgentFindState.cancel_appointment.fn(stale, {"reason": "x"}))
    assert stale._found_id == 0 and stale.mode == "search"
    stale._found_id, stale.mode, stale.new_start = (
        target.id,
        "confirm_move",
        target.start_at.isoformat(),
    )
    asyncio.run(AgentFindState.confirm_move.fn(stale))
    [stored] = appointments(session)
    assert stored.status == AppointmentStatus.BOOKED and stored.start_at == target.start_at
    assert "appointment.cancel" not in audit_actions(session)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_arguments_change_nothing(
    session: Session, world: dict[str, str], value: Any
) -> None:
    state = on_connection(AgentBookingState, world["agent"])
    AgentBookingState.load.fn(state)
    AgentBookingState.choose_service.fn(state, value)
    assert state.step == 1 and state.service_slug == ""
    AgentBookingState.choose_service.fn(state, "burgerzaken")
    AgentBookingState.choose_topic.fn(state, value)
    AgentBookingState.choose_topic.fn(state, "identiteitskaart")  # in person only
    assert state.step == 2 and state.topic_slug == ""
    AgentBookingState.choose_topic.fn(state, "algemene-vraag")
    assert state.step == 3 and state.times
    AgentBookingState.choose_time.fn(state, value)
    AgentBookingState.choose_time.fn(state, "2026-12-01T07:07:00+00:00")
    AgentBookingState.show_day.fn(state, value)
    assert state.step == 3 and state.start_iso == ""
    AgentBookingState.submit_details.fn(state, value)
    confirm(state)
    assert state.step == 3 and appointments(session) == []
    find = on_connection(AgentFindState, world["agent"])
    AgentFindState.find.fn(find, value)
    AgentFindState.find.fn(find, {"reference": value, "email": value})
    AgentFindState.choose_time.fn(find, value)
    assert find.mode == "search" and find._found_id == 0


def test_an_agent_books_on_the_contact_centre_channel_once(
    session: Session, world: dict[str, str], tmp_path: Path
) -> None:
    state = on_connection(AgentBookingState, world["agent"])
    AgentBookingState.load.fn(state)
    topics = {t.slug: t for s in state.services for t in s.topics}
    assert topics["identiteitskaart"].video is False and topics["identiteitskaart"].reason["nl"]
    AgentBookingState.choose_service.fn(state, "gas-boetes")
    AgentBookingState.choose_topic.fn(state, "vraag-boete")
    AgentBookingState.choose_time.fn(state, state.times[0].start)
    # Errors keep everything that was typed.
    AgentBookingState.submit_details.fn(state, {**DETAILS, "email": "fatma@", "consent": None})
    assert state.step == 4 and set(state.errors) == {"email", "consent"}
    assert (state.name, state.email, state.phone) == ("Fatma Yildiz", "fatma@", "0470 12 34 56")
    assert state.question == DETAILS["question"] and state.language == "en"
    confirm(state)  # not at the review step yet
    assert appointments(session) == []
    AgentBookingState.submit_details.fn(state, dict(DETAILS))
    assert state.step == 5
    confirm(state)
    assert state.step == 6 and state.reference and state.when["nl"]
    state.step = 5  # a second click that arrives after the first one finished
    confirm(state)
    [stored] = appointments(session)
    assert stored.reference == state.reference
    assert stored.channel == BookingChannel.CONTACT_CENTRE
    assert stored.consent_at is not None and stored.language == "en"
    assert (stored.citizen_email, stored.citizen_phone) == ("Fatma@voorbeeld.be", "+32470123456")
    assert audit_actions(session).count("appointment.book_for_citizen") == 1
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "appointment.book_for_citizen")
    ).one()
    assert "Fatma" not in str(entry.detail) and "voorbeeld" not in str(entry.detail)
    [mail] = [plain_body(path) for path in (tmp_path / "outbox").glob("*.eml")]
    assert f"/afspraak?ref={stored.reference}&token=" in mail
    AgentBookingState.start_over.fn(state)
    assert (state.step, state.name, state.reference, state.service_slug) == (1, "", "", "")


def test_a_time_taken_meanwhile_goes_back_to_the_times_with_the_details_kept(
    session: Session, world: dict[str, str]
) -> None:
    state = at_review(world["agent"])
    taken = state.start_iso
    organisation = get_organisation(session, "gent")
    for index in range(10):
        details = CitizenDetails(f"Snel {index}", f"snel{index}@example.be", None, "nl", None, True)
        request = booking.BookingRequest(
            "gas-boetes", "vraag-boete", datetime.fromisoformat(taken), details
        )
        try:
            booking.book(session, organisation, request, meeting_provider="jitsi", secret_key="s")
        except booking.SlotTaken:
            break
    before = len(appointments(session))
    confirm(state)
    assert state.step == 3 and state.notice == "agent_slot_taken"
    assert taken not in [t.start for t in state.times]
    assert state.name == "Fatma Yildiz" and state.question == DETAILS["question"]
    assert len(appointments(session)) == before
    AgentBookingState.choose_time.fn(state, state.times[0].start)
    assert state.step == 4 and state.name == "Fatma Yildiz"


def test_find_needs_both_and_says_the_same_for_either_mistake(
    session: Session, world: dict[str, str]
) -> None:
    target = book_for_caller(session)
    state = on_connection(AgentFindState, world["agent"])
    AgentFindState.load.fn(state)
    AgentFindState.find.fn(state, {"reference": target.reference, "email": ""})
    assert state.find_message == "agent_find_required" and state.reference_input
    messages = []
    for form in (
        {"reference": "ZZZZ-ZZZZ", "email": "els@example.be"},
        {"reference": target.reference, "email": "iemand@example.be"},
    ):
        AgentFindState.find.fn(state, form)
        messages.append((state.find_message, state.mode, state.citizen_name))
        assert state.email_input == form["email"]
    assert messages == [("agent_not_found", "search", "")] * 2
    spoken = target.reference.lower().replace("-", " ")
    AgentFindState.find.fn(state, {"reference": spoken, "email": "ELS@example.be"})
    assert state.mode == "view" and state.reference == target.reference
    assert state.citizen_name == "Els Maes" and state.status == "booked" and state.can_change
    assert audit_actions(session).count(contact_centre.LOOKUP_ACTION) == 3
    AgentFindState.new_search.fn(state)
    assert state.mode == "search" and state.reference == "" and state._found_id == 0


def test_cancel_and_move_touch_only_the_appointment_found(
    session: Session, world: dict[str, str]
) -> None:
    found = book_for_caller(session, 0)
    other = book_for_caller(session, 1, email="ander@example.be")
    state = on_connection(AgentFindState, world["agent"])
    AgentFindState.load.fn(state)
    # Nothing found yet: move and cancel do nothing, even on a page forced into those modes.
    for mode in ("cancel", "confirm_move"):
        state.mode, state.new_start = mode, other.start_at.isoformat()
        asyncio.run(AgentFindState.cancel_appointment.fn(state, {"appointment_id": other.id}))
        asyncio.run(AgentFindState.confirm_move.fn(state))
    assert [a.status for a in appointments(session)] == ["booked", "booked"]

    AgentFindState.find.fn(state, {"reference": found.reference, "email": "els@example.be"})
    AgentFindState.start_move.fn(state)
    assert state.mode == "move" and state.times
    for value in HOSTILE:
        AgentFindState.choose_time.fn(state, value)
    assert state.mode == "move"
    AgentFindState.show_day.fn(state, state.days[2].key)
    new_start = state.times[0].start
    AgentFindState.choose_time.fn(state, new_start)
    assert state.mode == "confirm_move"
    asyncio.run(AgentFindState.confirm_move.fn(state))
    assert state.mode == "view" and state.message == "agent_moved"
    moved, untouched = appointments(session)
    assert moved.start_at == datetime.fromisoformat(new_start)
    assert untouched.start_at == other.start_at

    AgentFindState.start_cancel.fn(state)
    assert state.mode == "cancel"
    asyncio.run(AgentFindState.cancel_appointment.fn(state, {"reason": "Ziek", "id": other.id}))
    assert state.message == "agent_cancelled" and state.status == "cancelled"
    assert not state.can_change
    cancelled, untouched = appointments(session)
    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.cancel_reason == "Ziek"
    assert untouched.status == AppointmentStatus.BOOKED
    actions = audit_actions(session)
    assert actions.count("appointment.reschedule") == 1 and actions.count("appointment.cancel") == 1


def test_a_past_or_cancelled_appointment_says_it_cannot_be_changed(
    session: Session, world: dict[str, str]
) -> None:
    target = book_for_caller(session)
    state = on_connection(AgentFindState, world["agent"])
    AgentFindState.find.fn(state, {"reference": target.reference, "email": "els@example.be"})
    assert state.can_change
    # Cancelled meanwhile by the citizen with the personal link.
    booking.cancel(session, session.get(Appointment, target.id))
    AgentFindState.start_cancel.fn(state)
    asyncio.run(AgentFindState.cancel_appointment.fn(state, {"reason": ""}))
    assert state.notice == "agent_not_changeable" and state.message == ""
    assert state.mode == "view" and not state.can_change and state.status == "cancelled"
    # A past appointment: shown, but the page offers no change.
    stored = session.get(Appointment, target.id)
    stored.status, stored.start_at = AppointmentStatus.BOOKED, utcnow() - timedelta(hours=1)
    session.add(stored)
    session.commit()
    AgentFindState.find.fn(state, {"reference": target.reference, "email": "els@example.be"})
    assert state.mode == "view" and not state.can_change
    AgentFindState.start_cancel.fn(state)
    AgentFindState.start_move.fn(state)
    assert state.mode == "view"
    assert "appointment.cancel" not in audit_actions(session)


def test_repeated_misses_are_stopped(session: Session, world: dict[str, str]) -> None:
    target = book_for_caller(session)
    state = on_connection(AgentFindState, world["agent"])
    for _ in range(contact_centre.MISS_LIMIT):
        AgentFindState.find.fn(state, {"reference": "ZZZZ-ZZZZ", "email": "els@example.be"})
    AgentFindState.find.fn(state, {"reference": target.reference, "email": "els@example.be"})
    assert state.find_message == "agent_rate_limited" and state.mode == "search"
    refused = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == contact_centre.LOOKUP_REFUSED_ACTION)
    ).one()
    assert refused == 1


def test_another_agent_on_the_same_browser_starts_empty(
    session: Session, world: dict[str, str]
) -> None:
    state = at_review(world["agent"])
    other = on_connection(AgentBookingState, token_for(session, DEMO_MANAGER[0]))
    state.router = other.router
    AgentBookingState.load.fn(state)
    assert state.display_name == DEMO_MANAGER[0] and state.services
    assert (state.step, state.name, state.email, state.start_iso) == (1, "", "", "")


def test_a_reload_after_a_stopped_instance_leaves_no_button_disabled(
    session: Session, world: dict[str, str]
) -> None:
    """The busy flag saved while a link was sent, by an instance that then stopped, is cleared
    when the page loads again; what the agent entered stays."""
    state = at_review(world["agent"])
    state.busy = True  # as read back from Redis on another instance
    AgentBookingState.load.fn(state)
    assert not state.busy
    assert (state.step, state.name) == (5, DETAILS["name"])
    confirm(state)
    assert len(appointments(session)) == 1


def test_an_identification_topic_gets_a_link_not_a_booking(
    session: Session, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from balie.settings import get_settings
    from tests.states.test_booking_identity_state import PROVIDER_ENV

    for name, value in PROVIDER_ENV.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    state = on_connection(AgentBookingState, world["agent"])
    AgentBookingState.load.fn(state)
    AgentBookingState.choose_service.fn(state, "burgerzaken")
    AgentBookingState.choose_topic.fn(state, "adreswijziging")
    assert state.step == 2 and state.link_topic == "adreswijziging" and state.times == []
    asyncio.run(AgentBookingState.send_identity_link.fn(state, {"email": "jan@example.be"}))
    assert state.link_message == "identity_link_sent" and not state.busy
    asyncio.run(AgentBookingState.send_identity_link.fn(state, {"email": "geen-adres"}))
    assert state.link_message == "identity_link_bad_email"
    assert appointments(session) == []
    # Someone without the agent role sends nothing.
    other = on_connection(AgentBookingState, "")
    other.link_topic, other.service_slug = "adreswijziging", "burgerzaken"
    asyncio.run(AgentBookingState.send_identity_link.fn(other, {"email": "jan@example.be"}))
    assert other.link_message == ""
