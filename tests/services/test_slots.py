"""The slot engine: grid, busy time, exceptions, holidays, notice, horizon and DST.

Every expectation is computed by hand. The world: Europe/Brussels, a service of 30 minutes with
a 10-minute buffer (so a 09:00-12:00 window gives 09:00, 09:40, 10:20 and 11:00 local time),
and two counsellors, Anna and Bert, who both work 09:00-12:00 on weekdays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.scoping import scope_session
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.slots import (
    Slot,
    free_slots,
    free_staff_and_load,
    free_staff_at,
    opening_windows,
)

MONDAY = date(2026, 3, 2)
NOW = datetime(2026, 2, 27, 12, 0, tzinfo=UTC)
# 09:00, 09:40, 10:20 and 11:00 in Brussels on a winter day (UTC+1).
WINTER_STARTS = [(8, 0), (8, 40), (9, 20), (10, 0)]
_references = count(1)


@dataclass
class World:
    """The rows a test needs."""

    organisation: Organisation
    service: Service
    topic: Topic
    anna: int
    bert: int


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware UTC datetime on ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _staff(session: Session, organisation: Organisation, name: str) -> StaffMember:
    """A staff member of the organisation."""
    staff = StaffMember(
        organisation_id=organisation.id, display_name=name, email=f"{name.lower()}@x.invalid"
    )
    session.add(staff)
    session.flush()
    return staff


def _link(
    session: Session,
    staff_id: int,
    service: Service,
    start: time = time(9, 0),
    end: time = time(12, 0),
    weekdays: range = range(5),
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> None:
    """Let the staff member serve ``service`` with one window on ``weekdays``."""
    session.add(StaffService(staff_id=staff_id, service_id=service.id))
    for weekday in weekdays:
        session.add(
            OpeningHours(
                staff_id=staff_id,
                service_id=service.id,
                weekday=weekday,
                start_time=start,
                end_time=end,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )


def _service(session: Session, organisation: Organisation, slug: str) -> Service:
    """A service of 30 minutes plus 10 minutes buffer, live since 2025."""
    service = Service(
        organisation_id=organisation.id,
        slug=slug,
        name={"nl": slug},
        description={"nl": slug},
        live_from=date(2025, 1, 1),
        appointment_minutes=30,
        buffer_minutes=10,
        min_notice_minutes=120,
        horizon_days=42,
    )
    session.add(service)
    session.flush()
    return service


@pytest.fixture
def world(session: Session) -> World:
    """Teststad in Brussels time with one service and two counsellors on weekdays 09:00-12:00."""
    organisation = Organisation(
        slug="test", name="Teststad", time_zone="Europe/Brussels", holiday_country="BE"
    )
    session.add(organisation)
    session.flush()
    service = _service(session, organisation, "svc")
    topic = Topic(
        service_id=service.id, slug="t", name={"nl": "T"}, channel_reason={}, preparation={}
    )
    session.add(topic)
    anna = _staff(session, organisation, "Anna")
    bert = _staff(session, organisation, "Bert")
    _link(session, anna.id, service)
    _link(session, bert.id, service)
    session.commit()
    return World(organisation, service, topic, anna.id, bert.id)


def _book(
    session: Session,
    world: World,
    staff_id: int,
    start: datetime,
    minutes: int = 30,
    buffer: int = 10,
    service: Service | None = None,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> Appointment:
    """Store an appointment of ``staff_id`` at ``start``."""
    service = service or world.service
    reference = f"REF{next(_references)}"
    appointment = Appointment(
        reference=reference,
        organisation_id=world.organisation.id,
        service_id=service.id,
        topic_id=world.topic.id,
        staff_id=staff_id,
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        busy_until=start + timedelta(minutes=minutes + buffer),
        status=status,
        manage_token_hash=f"hash-{reference}",
    )
    session.add(appointment)
    session.commit()
    return appointment


def _exception(
    session: Session, world: World, staff_id: int | None, start: datetime, end: datetime
) -> None:
    """Store leave of ``staff_id``, or a closure of the organisation when it is None."""
    session.add(
        AvailabilityException(
            organisation_id=world.organisation.id, staff_id=staff_id, start_at=start, end_at=end
        )
    )
    session.commit()


def _starts(slots: list[Slot]) -> list[datetime]:
    """The starts of ``slots``."""
    return [slot.start for slot in slots]


def _by_start(slots: list[Slot]) -> dict[datetime, tuple[int, ...]]:
    """Free staff per start."""
    return {slot.start: slot.staff_ids for slot in slots}


def _day(session: Session, world: World, day: date = MONDAY, now: datetime = NOW) -> list[Slot]:
    """The free slots of the world's service on one day."""
    return free_slots(session, world.service, day, day, now)


# The grid


def test_grid_steps_by_appointment_plus_buffer(session: Session, world: World) -> None:
    slots = _day(session, world)
    assert _starts(slots) == [utc(MONDAY, h, m) for h, m in WINTER_STARTS]
    both = tuple(sorted([world.anna, world.bert]))
    for slot in slots:
        assert slot.end == slot.start + timedelta(minutes=30)
        assert slot.staff_ids == both
        assert slot.capacity == 2
        assert slot.start.tzinfo is not None and slot.start.utcoffset() == timedelta(0)


def test_slot_must_end_inside_the_window(session: Session, world: World) -> None:
    # 09:00-10:10: 09:00 fits; 09:40 would end at 10:10, exactly the end, so it fits too.
    service = _service(session, world.organisation, "short")
    _link(session, world.anna, service, start=time(9, 0), end=time(10, 10))
    session.commit()
    slots = free_slots(session, service, MONDAY, MONDAY, NOW)
    assert _starts(slots) == [utc(MONDAY, 8, 0), utc(MONDAY, 8, 40)]
    # Until 10:09 only 09:00 fits.
    other = _service(session, world.organisation, "shorter")
    _link(session, world.anna, other, start=time(9, 0), end=time(10, 9))
    session.commit()
    assert _starts(free_slots(session, other, MONDAY, MONDAY, NOW)) == [utc(MONDAY, 8, 0)]


def test_weekend_has_no_slots_and_results_are_sorted(session: Session, world: World) -> None:
    slots = free_slots(session, world.service, date(2026, 3, 6), date(2026, 3, 9), NOW)
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    expected = [utc(friday, h, m) for h, m in WINTER_STARTS]
    expected += [utc(monday, h, m) for h, m in WINTER_STARTS]
    assert _starts(slots) == expected


def test_staff_with_other_windows_add_their_own_starts(session: Session, world: World) -> None:
    carl = _staff(session, world.organisation, "Carl")
    _link(session, carl.id, world.service, start=time(9, 20), end=time(10, 0))
    session.commit()
    free = _by_start(_day(session, world))
    assert free[utc(MONDAY, 8, 20)] == (carl.id,)
    assert len(free) == 5


# Who is considered


def test_inactive_staff_member_is_not_considered(session: Session, world: World) -> None:
    anna = session.get(StaffMember, world.anna)
    anna.active = False
    session.commit()
    assert {slot.staff_ids for slot in _day(session, world)} == {(world.bert,)}


def test_hours_without_link_to_the_service_are_ignored(session: Session, world: World) -> None:
    carl = _staff(session, world.organisation, "Carl")
    session.add(
        OpeningHours(
            staff_id=carl.id,
            service_id=world.service.id,
            weekday=0,
            start_time=time(13, 0),
            end_time=time(14, 0),
        )
    )
    session.commit()
    assert len(_day(session, world)) == 4


def test_opening_hours_validity_dates_are_honoured(session: Session, world: World) -> None:
    service = _service(session, world.organisation, "seasonal")
    _link(
        session,
        world.anna,
        service,
        valid_from=date(2026, 3, 3),
        valid_until=date(2026, 3, 4),
    )
    session.commit()
    slots = free_slots(session, service, MONDAY, date(2026, 3, 6), NOW)
    assert {slot.start.date() for slot in slots} == {date(2026, 3, 3), date(2026, 3, 4)}
    assert len(slots) == 8


# Busy time


def test_appointment_blocks_one_staff_member(session: Session, world: World) -> None:
    _book(session, world, world.anna, utc(MONDAY, 8, 40))
    free = _by_start(_day(session, world))
    assert free[utc(MONDAY, 8, 40)] == (world.bert,)
    assert [len(free[utc(MONDAY, h, m)]) for h, m in WINTER_STARTS] == [2, 1, 2, 2]


def test_off_grid_appointment_blocks_every_slot_it_touches(session: Session, world: World) -> None:
    # 10:00-10:30 local, busy until 10:40: overlaps the 09:40 slot (busy 09:40-10:20)
    # and the 10:20 slot (10:20-11:00), not 09:00 or 11:00.
    _book(session, world, world.anna, utc(MONDAY, 9, 0))
    free = _by_start(_day(session, world))
    assert [len(free[utc(MONDAY, h, m)]) for h, m in WINTER_STARTS] == [2, 1, 1, 2]


def test_buffers_count_on_both_sides(session: Session, world: World) -> None:
    # 09:00-09:30 local with a 10-minute buffer: busy until 09:40, so 09:40 is free again.
    _book(session, world, world.anna, utc(MONDAY, 8, 0), minutes=30, buffer=10)
    # Starts at 11:35 local: the 11:00 slot is busy with its own buffer until 11:40.
    _book(session, world, world.bert, utc(MONDAY, 10, 35), minutes=20, buffer=0)
    free = _by_start(_day(session, world))
    assert free[utc(MONDAY, 8, 0)] == (world.bert,)
    assert len(free[utc(MONDAY, 8, 40)]) == 2
    assert free[utc(MONDAY, 10, 0)] == (world.anna,)


def test_slot_that_fits_exactly_between_two_appointments(session: Session, world: World) -> None:
    # Anna is busy 09:00-09:40 and 10:20-11:00 local: 09:40-10:20 is exactly free.
    _book(session, world, world.anna, utc(MONDAY, 8, 0))
    _book(session, world, world.anna, utc(MONDAY, 9, 20))
    free = _by_start(_day(session, world))
    assert [len(free[utc(MONDAY, h, m)]) for h, m in WINTER_STARTS] == [1, 2, 1, 2]


def test_appointment_before_the_first_slot_still_blocks(session: Session, world: World) -> None:
    # 08:45-09:15 local (another service, no buffer) runs into the 09:00 slot.
    other = _service(session, world.organisation, "early")
    _book(session, world, world.bert, utc(MONDAY, 7, 45), minutes=30, buffer=0, service=other)
    free = _by_start(_day(session, world))
    assert free[utc(MONDAY, 8, 0)] == (world.anna,)
    assert len(free[utc(MONDAY, 8, 40)]) == 2


def test_appointment_in_another_service_also_blocks(session: Session, world: World) -> None:
    other = _service(session, world.organisation, "other")
    _link(session, world.anna, other, start=time(14, 0), end=time(16, 0))
    session.commit()
    _book(session, world, world.anna, utc(MONDAY, 8, 0), service=other)
    free = _by_start(_day(session, world))
    assert free[utc(MONDAY, 8, 0)] == (world.bert,)


def test_cancelled_appointment_frees_the_time(session: Session, world: World) -> None:
    appointment = _book(session, world, world.anna, utc(MONDAY, 8, 0))
    assert _by_start(_day(session, world))[utc(MONDAY, 8, 0)] == (world.bert,)
    appointment.status = AppointmentStatus.CANCELLED
    session.commit()
    assert len(_by_start(_day(session, world))[utc(MONDAY, 8, 0)]) == 2


def test_fully_booked_time_is_not_offered(session: Session, world: World) -> None:
    _book(session, world, world.anna, utc(MONDAY, 8, 0))
    _book(session, world, world.bert, utc(MONDAY, 8, 0))
    assert _starts(_day(session, world)) == [utc(MONDAY, h, m) for h, m in WINTER_STARTS[1:]]


# Exceptions


def test_leave_removes_one_staff_member(session: Session, world: World) -> None:
    # Leave 09:00-10:00 local: the 09:00 and 09:40 slots (09:40-10:10) lose Anna.
    _exception(session, world, world.anna, utc(MONDAY, 8, 0), utc(MONDAY, 9, 0))
    free = _by_start(_day(session, world))
    assert [free[utc(MONDAY, h, m)] for h, m in WINTER_STARTS[:2]] == [(world.bert,)] * 2
    assert [len(free[utc(MONDAY, h, m)]) for h, m in WINTER_STARTS[2:]] == [2, 2]


def test_leave_does_not_need_the_buffer(session: Session, world: World) -> None:
    # Leave from 10:10 local: the 09:40 slot ends at 10:10, so Anna stays free for it
    # (an appointment at 10:10 would block it because of the buffer).
    _exception(session, world, world.anna, utc(MONDAY, 9, 10), utc(MONDAY, 23, 0))
    free = _by_start(_day(session, world))
    assert len(free[utc(MONDAY, 8, 40)]) == 2
    assert free[utc(MONDAY, 9, 20)] == (world.bert,)
    assert free[utc(MONDAY, 10, 0)] == (world.bert,)


def test_organisation_closure_closes_for_everyone(session: Session, world: World) -> None:
    # Closed from 10:00 local: only the 09:00 slot (09:00-09:30) is left.
    _exception(session, world, None, utc(MONDAY, 9, 0), utc(MONDAY, 23, 0))
    assert _starts(_day(session, world)) == [utc(MONDAY, 8, 0)]


def test_other_organisations_closure_does_not_apply(session: Session, world: World) -> None:
    elsewhere = Organisation(slug="elders", name="Elders")
    session.add(elsewhere)
    session.flush()
    session.add(
        AvailabilityException(
            organisation_id=elsewhere.id,
            staff_id=None,
            start_at=utc(MONDAY, 0),
            end_at=utc(MONDAY, 23),
        )
    )
    session.commit()
    assert len(_day(session, world)) == 4


def test_leave_over_several_days(session: Session, world: World) -> None:
    _exception(session, world, world.bert, utc(MONDAY, 0), utc(date(2026, 3, 4), 0))
    slots = free_slots(session, world.service, MONDAY, date(2026, 3, 4), NOW)
    assert len(slots) == 12
    assert [slot.capacity for slot in slots] == [1] * 8 + [2] * 4


# Public holidays


def test_easter_monday_has_no_slots(session: Session, world: World) -> None:
    now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    slots = free_slots(session, world.service, date(2026, 4, 6), date(2026, 4, 7), now)
    # Tuesday 7 April only, in summer time: 09:00 local is 07:00 UTC.
    assert _starts(slots) == [utc(date(2026, 4, 7), h - 1, m) for h, m in WINTER_STARTS]


def test_armistice_day_has_no_slots(session: Session, world: World) -> None:
    now = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)
    slots = free_slots(session, world.service, date(2026, 11, 10), date(2026, 11, 12), now)
    assert {slot.start.date() for slot in slots} == {date(2026, 11, 10), date(2026, 11, 12)}
    assert len(slots) == 8


# Notice, horizon, go-live


def test_minimum_notice(session: Session, world: World) -> None:
    # 08:20 local + 120 minutes = 10:20 local: that slot is still offered, earlier ones not.
    now = utc(MONDAY, 7, 20)
    assert _starts(_day(session, world, now=now)) == [utc(MONDAY, 9, 20), utc(MONDAY, 10, 0)]
    assert _starts(_day(session, world, now=now + timedelta(minutes=1))) == [utc(MONDAY, 10, 0)]


def test_horizon_counts_local_days(session: Session, world: World) -> None:
    world.service.horizon_days = 3
    session.commit()
    # 23:30 UTC on Sunday is already Monday 00:30 in Brussels: the horizon ends on Thursday.
    now = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    slots = free_slots(session, world.service, MONDAY, date(2026, 3, 6), now)
    assert max(slot.start for slot in slots).date() == date(2026, 3, 5)
    assert len(slots) == 16


def test_no_slots_before_go_live(session: Session, world: World) -> None:
    world.service.live_from = date(2026, 3, 4)
    session.commit()
    slots = free_slots(session, world.service, MONDAY, date(2026, 3, 6), NOW)
    assert min(slot.start for slot in slots).date() == date(2026, 3, 4)
    assert len(slots) == 12


def test_inactive_service_has_no_slots(session: Session, world: World) -> None:
    world.service.active = False
    session.commit()
    assert _day(session, world) == []


def test_past_days_give_nothing(session: Session, world: World) -> None:
    later = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert free_slots(session, world.service, MONDAY, date(2026, 3, 6), later) == []


def test_empty_range_gives_nothing(session: Session, world: World) -> None:
    assert free_slots(session, world.service, date(2026, 3, 3), MONDAY, NOW) == []


# Daylight saving time


def test_spring_forward(session: Session, world: World) -> None:
    friday, monday = date(2026, 3, 27), date(2026, 3, 30)
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    assert _day(session, world, friday, now)[0].start == utc(friday, 8, 0)
    assert _day(session, world, monday, now)[0].start == utc(monday, 7, 0)


def test_fall_back(session: Session, world: World) -> None:
    friday, monday = date(2026, 10, 23), date(2026, 10, 26)
    now = datetime(2026, 10, 16, 12, 0, tzinfo=UTC)
    assert _day(session, world, friday, now)[0].start == utc(friday, 7, 0)
    assert _day(session, world, monday, now)[0].start == utc(monday, 8, 0)


@pytest.mark.parametrize(
    ("first_day", "last_day", "first_hours"),
    [
        (date(2026, 3, 26), date(2026, 4, 1), [8, 8, 7, 7, 7]),
        (date(2026, 10, 22), date(2026, 10, 28), [7, 7, 8, 8, 8]),
    ],
)
def test_week_across_the_change(
    session: Session, world: World, first_day: date, last_day: date, first_hours: list[int]
) -> None:
    now = datetime.combine(first_day - timedelta(days=7), time(12), tzinfo=UTC)
    slots = free_slots(session, world.service, first_day, last_day, now)
    assert len(slots) == 5 * 4
    firsts = [slot.start.hour for slot in slots[::4]]
    assert firsts == first_hours
    for day_slots in (slots[i : i + 4] for i in range(0, 20, 4)):
        first = day_slots[0].start
        assert _starts(day_slots) == [first + timedelta(minutes=40 * i) for i in range(4)]


def test_wall_times_skipped_by_the_clock_are_not_offered(session: Session, world: World) -> None:
    # Sunday 29 March 2026 jumps from 02:00 to 03:00. Grid 01:00, 01:40, 02:20, 03:00:
    # 02:20 does not exist; 01:00 and 01:40 are CET (UTC+1), 03:00 is CEST (UTC+2).
    service = _service(session, world.organisation, "night")
    _link(session, world.anna, service, start=time(1, 0), end=time(4, 0), weekdays=range(6, 7))
    session.commit()
    sunday = date(2026, 3, 29)
    now = datetime(2026, 3, 20, tzinfo=UTC)
    slots = free_slots(session, service, sunday, sunday, now)
    assert _starts(slots) == [utc(sunday, 0, 0), utc(sunday, 0, 40), utc(sunday, 1, 0)]


# free_staff_at


def test_free_staff_at_a_grid_time(session: Session, world: World) -> None:
    staff = free_staff_at(session, world.service, utc(MONDAY, 8, 40), NOW)
    assert staff == sorted([world.anna, world.bert])


def test_free_staff_at_accepts_any_time_zone(session: Session, world: World) -> None:
    brussels = datetime.fromisoformat("2026-03-02T09:40:00+01:00")
    assert len(free_staff_at(session, world.service, brussels, NOW)) == 2


def test_free_staff_at_an_off_grid_time_is_empty(session: Session, world: World) -> None:
    assert free_staff_at(session, world.service, utc(MONDAY, 8, 10), NOW) == []
    assert free_staff_at(session, world.service, utc(MONDAY, 11, 0), NOW) == []


def test_free_staff_at_leaves_out_busy_staff(session: Session, world: World) -> None:
    _book(session, world, world.anna, utc(MONDAY, 8, 40))
    assert free_staff_at(session, world.service, utc(MONDAY, 8, 40), NOW) == [world.bert]
    _book(session, world, world.bert, utc(MONDAY, 8, 40))
    assert free_staff_at(session, world.service, utc(MONDAY, 8, 40), NOW) == []


def test_free_staff_at_respects_holidays_and_notice(session: Session, world: World) -> None:
    easter_monday = utc(date(2026, 4, 6), 7, 0)
    now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert free_staff_at(session, world.service, easter_monday, now) == []
    assert len(free_staff_at(session, world.service, easter_monday + timedelta(days=1), now)) == 2
    assert free_staff_at(session, world.service, utc(MONDAY, 8, 0), utc(MONDAY, 7, 0)) == []


def test_naive_times_are_refused(session: Session, world: World) -> None:
    with pytest.raises(ValueError, match="aware"):
        free_staff_at(session, world.service, datetime(2026, 3, 2, 8, 0), NOW)
    with pytest.raises(ValueError, match="aware"):
        free_slots(session, world.service, MONDAY, MONDAY, datetime(2026, 3, 1))


def test_ghent_demo_energiecentrale_on_a_wednesday(session: Session) -> None:
    # 45 minutes + 10 buffer in 09:00-12:00 and 13:30-16:30: 09:00, 09:55, 10:50 and
    # 13:30, 14:25, 15:20. The second counsellor has Wednesday afternoon off.
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    service = session.exec(select(Service).where(Service.slug == "energiecentrale")).one()
    wednesday = date(2026, 3, 4)
    slots = free_slots(session, service, wednesday, wednesday, NOW)
    local = ZoneInfo(gent.time_zone)
    assert [s.start.astimezone(local).strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:55",
        "10:50",
        "13:30",
        "14:25",
        "15:20",
    ]
    assert [s.capacity for s in slots] == [2, 2, 2, 1, 1, 1]


# free_staff_and_load: the booking's check agrees with the slot list and the day's counts


def test_free_staff_and_load_agrees_with_free_slots(session: Session, world: World) -> None:
    other = _service(session, world.organisation, "other")
    _link(session, world.anna, other, start=time(13, 0), end=time(15, 0))
    session.commit()
    _book(session, world, world.anna, utc(MONDAY, 9, 0))  # off grid
    _book(session, world, world.bert, utc(MONDAY, 7, 45), minutes=30, buffer=0, service=other)
    _book(session, world, world.anna, utc(MONDAY, 12, 0), service=other)  # same day, later
    _book(session, world, world.bert, utc(MONDAY, 10, 0), status=AppointmentStatus.CANCELLED)
    _book(session, world, world.bert, utc(MONDAY - timedelta(days=1), 22, 50))  # day before
    _exception(session, world, world.bert, utc(MONDAY, 10, 30), utc(MONDAY, 10, 50))
    expected = _by_start(_day(session, world))
    starts = [utc(MONDAY, hour, minute) for hour in range(6, 13) for minute in range(0, 60, 5)]
    assert set(expected) <= set(starts)
    for start in starts:
        free, load = free_staff_and_load(session, world.service, start, NOW)
        assert free == list(expected.get(start, ())), start
        counts = {world.anna: 2, world.bert: 1}  # cancelled and other days do not count
        assert load == {staff_id: counts[staff_id] for staff_id in free}, start


def test_free_staff_and_load_is_empty_for_times_not_offered(session: Session, world: World) -> None:
    assert free_staff_and_load(session, world.service, utc(MONDAY, 8, 10), NOW) == ([], {})
    assert free_staff_and_load(session, world.service, utc(MONDAY, 8, 0), utc(MONDAY, 7, 50)) == (
        [],
        {},
    )


def test_opening_hours_follow_the_sessions_organisation(session: Session, world: World) -> None:
    other = Organisation(slug="other", name="Elders", time_zone="Europe/Brussels")
    session.add(other)
    session.commit()
    days = (MONDAY, MONDAY + timedelta(days=6))
    scope_session(session, world.organisation.id)
    assert opening_windows(session, [world.service.id], *days)[world.service.id]
    scope_session(session, other.id)
    assert not opening_windows(session, [world.service.id], *days)[world.service.id]
    assert free_staff_at(session, world.service, utc(MONDAY, 8, 40), NOW, world.organisation) == []
    scope_session(session, None)
