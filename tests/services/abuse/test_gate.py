"""The gate of public bookings: hourly limits, the cap on active bookings, spikes, agents exempt."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from limits.storage import MemoryStorage
from sqlmodel import Session, select

from balie.models import AuditEntry, Organisation, Service, StaffMember
from balie.scoping import scope_session
from balie.services import booking
from balie.services.abuse.gate import (
    SPIKE_ACTION,
    Gate,
    Limits,
    RateLimited,
    Requester,
    TooManyActive,
    active_counts,
    booking_guard,
)
from balie.services.abuse.limiter import Limiter
from balie.services.catalogue import get_organisation
from balie.services.demo_data import DEMO_AGENT, demo_email, load_demo_data
from balie.services.slots import free_slots
from balie.services.staff import contact_centre
from balie.services.validation import CitizenDetails

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
CITIZEN = Requester("203.0.113.7")


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def gate(**limits: int) -> Gate:
    """A gate on a fresh in-memory limiter with ``limits``."""
    return Gate(Limiter(MemoryStorage()), Limits(**limits), "secret")


def starts(session: Session, slug: str, count: int) -> list[datetime]:
    """The first ``count`` free times of a service in the week of 30 March 2026."""
    service = session.exec(select(Service).where(Service.slug == slug)).one()
    slots = free_slots(session, service, date(2026, 3, 30), date(2026, 4, 3), NOW)
    return [slot.start for slot in slots[:count]]


def details(email: str = "jan@example.be", phone: str | None = "+32470123456") -> CitizenDetails:
    """A citizen's details."""
    return CitizenDetails("Jan Peeters", email, phone, "nl", "", True)


def book(
    session: Session,
    gent: Organisation,
    the_gate: Gate,
    start: datetime,
    who: Requester = CITIZEN,
    citizen: CitizenDetails | None = None,
    service: tuple[str, str] = ("gas-boetes", "vraag-boete"),
) -> booking.Booked:
    """A public booking through the gate."""
    citizen = citizen or details()
    request = booking.BookingRequest(service[0], service[1], start, citizen)
    return booking.book(
        session,
        gent,
        request,
        meeting_provider="jitsi",
        secret_key="secret",
        now=NOW,
        guard=booking_guard(the_gate, who, citizen, NOW),
    )


def test_an_address_over_its_hourly_limit_is_refused_with_a_retry_time(
    session: Session, gent: Organisation
) -> None:
    the_gate = gate(per_address_per_hour=2)
    times = starts(session, "gas-boetes", 3)
    for index, start in enumerate(times[:2]):
        book(session, gent, the_gate, start, citizen=details(f"p{index}@example.be", None))
    with pytest.raises(RateLimited) as refused:
        book(session, gent, the_gate, times[2], citizen=details("p9@example.be", None))
    assert refused.value.what == "address" and refused.value.retry_after > 3000
    book(session, gent, the_gate, times[2], Requester("198.51.100.1"), details("q@x.be", None))


@pytest.mark.parametrize(("what", "same"), [("email", "email"), ("phone", "phone")])
def test_one_email_or_phone_is_limited_across_addresses(
    session: Session, gent: Organisation, what: str, same: str
) -> None:
    the_gate = gate(per_email_per_hour=1, per_phone_per_hour=1)
    first, second = starts(session, "gas-boetes", 2)
    book(session, gent, the_gate, first, Requester("192.0.2.1"), details("a@x.be", "+3291"))
    other = details("a@x.be", "+3292") if same == "email" else details("b@x.be", "+3291")
    with pytest.raises(RateLimited) as refused:
        book(session, gent, the_gate, second, Requester("192.0.2.2"), other)
    assert refused.value.what == what


def test_active_future_bookings_are_capped_per_service_and_in_total(
    session: Session, gent: Organisation
) -> None:
    the_gate = gate(active_per_service=2, active_total=3)
    gas = starts(session, "gas-boetes", 3)
    book(session, gent, the_gate, gas[0], citizen=details("Cap@Example.be"))
    book(session, gent, the_gate, gas[1], citizen=details("cap@example.be"))
    with pytest.raises(TooManyActive) as per_service:
        book(session, gent, the_gate, gas[2], citizen=details("CAP@example.be"))
    assert per_service.value.per_service
    oog = starts(session, "oog", 2)
    service = ("oog", "zaak-starten")
    book(session, gent, the_gate, oog[0], citizen=details("cap@example.be"), service=service)
    with pytest.raises(TooManyActive) as total:
        book(session, gent, the_gate, oog[1], citizen=details("cap@example.be"), service=service)
    assert not total.value.per_service


def test_a_cancelled_booking_frees_a_place_under_the_cap(
    session: Session, gent: Organisation
) -> None:
    the_gate = gate(active_per_service=1)
    first, second = starts(session, "gas-boetes", 2)
    made = book(session, gent, the_gate, first).appointment
    with pytest.raises(TooManyActive):
        book(session, gent, the_gate, second)
    booking.cancel(session, made, now=NOW)
    book(session, gent, the_gate, second)


def test_an_api_key_has_its_own_limit_instead_of_the_address(
    session: Session, gent: Organisation
) -> None:
    the_gate = gate(per_address_per_hour=1)
    times = starts(session, "gas-boetes", 3)
    partner = Requester(CITIZEN.address, api_key_id=7, api_key_per_hour=2)
    book(session, gent, the_gate, times[0], citizen=details("k1@x.be", None))
    book(session, gent, the_gate, times[1], partner, details("k2@x.be", None))
    book(session, gent, the_gate, times[2], partner, details("k3@x.be", None))
    with pytest.raises(RateLimited) as refused:
        book(session, gent, the_gate, times[2], partner, details("k4@x.be", None))
    assert refused.value.what == "api_key"


def spikes(session: Session) -> list[AuditEntry]:
    """Spike entries in the audit log."""
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == SPIKE_ACTION)).all())


def test_a_spike_from_one_address_is_audited_once_per_window_refusals_included(
    session: Session, gent: Organisation
) -> None:
    the_gate = gate(per_address_per_hour=2, spike_per_address=3, spike_per_service=100)
    times = starts(session, "gas-boetes", 6)
    for index, start in enumerate(times):
        with contextlib.suppress(RateLimited):
            book(session, gent, the_gate, start, citizen=details(f"s{index}@x.be", None))
    [entry] = spikes(session)
    assert entry.detail["scope"] == "address" and entry.detail["address"] == CITIZEN.address
    assert entry.detail["count"] == 3 and entry.staff_id is None


def test_a_spike_of_one_service_is_audited_once(session: Session, gent: Organisation) -> None:
    the_gate = gate(spike_per_service=2, spike_per_address=100)
    for index, start in enumerate(starts(session, "gas-boetes", 4)):
        book(
            session,
            gent,
            the_gate,
            start,
            Requester(f"192.0.2.{index}"),
            details(f"v{index}@x.be", None),
        )
    [entry] = spikes(session)
    assert entry.detail["scope"] == "service" and entry.detail["service"] == "gas-boetes"


def test_the_contact_centre_is_exempt_but_audited(session: Session, gent: Organisation) -> None:
    the_gate = gate(per_email_per_hour=1, active_per_service=1)
    times = starts(session, "gas-boetes", 3)
    book(session, gent, the_gate, times[0])
    with pytest.raises((RateLimited, TooManyActive)):
        book(session, gent, the_gate, times[1])
    email = demo_email(DEMO_AGENT[0])
    agent = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
    for start in times[1:]:
        request = booking.BookingRequest("gas-boetes", "vraag-boete", start, details())
        contact_centre.book_for_caller(
            session, agent, request, meeting_provider="jitsi", secret_key="s", now=NOW
        )
    audited = session.exec(
        select(AuditEntry).where(AuditEntry.action == "appointment.book_for_citizen")
    ).all()
    assert len(audited) == 2


def test_the_active_counts_follow_the_sessions_organisation(
    session: Session, gent: Organisation
) -> None:
    gas = starts(session, "gas-boetes", 1)
    made = book(session, gent, gate(), gas[0], citizen=details("own@example.be")).appointment
    counts = (made.organisation_id, "Own@Example.be", made.service_id, NOW)
    assert active_counts(session, *counts) == (1, 1)
    other = Organisation(slug="elders", name="Elders", time_zone="Europe/Brussels")
    session.add(other)
    session.commit()
    scope_session(session, other.id)
    assert active_counts(session, *counts) == (0, 0)
    scope_session(session, gent.id)
    assert active_counts(session, *counts) == (1, 1)
    scope_session(session, None)
