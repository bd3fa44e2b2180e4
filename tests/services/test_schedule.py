"""Opening hours, leave and closures: validation, who may change what, stranded bookings,
the administrator's cancel-and-apply, the effect on free slots, DST and the audit log.

The world is the Ghent demo: Lotte Claeys and Karim Bouzid work for Verhuurderspunt (30-minute
calls, 10-minute buffer) on weekdays 09:00-12:00 and 13:30-16:30 (Karim has Wednesday afternoon
off). "Now" is Friday 20 March 2026; clocks go forward on Sunday 29 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    AvailabilityException,
    Job,
    OpeningHours,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import schedule
from balie.services.booking import manage_token_for, token_hash
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email, load_demo_data
from balie.services.schedule import Invalid, Range, Resolution, Stranded
from balie.services.slots import free_slots

TZ = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # Friday
MONDAY = date(2026, 3, 23)  # winter time (UTC+1)
TUESDAY = date(2026, 3, 24)
THURSDAY = date(2026, 3, 26)
SUMMER_MONDAY = date(2026, 3, 30)  # summer time (UTC+2)
DEMO_HOURS = [
    Range(day, start, end)
    for day in range(5)
    for start, end in ((time(9), time(12)), (time(13, 30), time(16, 30)))
]
NO_MONDAY_MORNING = [r for r in DEMO_HOURS if not (r.weekday == 0 and r.start == time(9))]
_references = count(1)


def member(session: Session, name: str) -> StaffMember:
    """A demo staff member by name."""
    return session.exec(select(StaffMember).where(StaffMember.email == demo_email(name))).one()


def service(session: Session, slug: str) -> Service:
    """A demo service by slug."""
    return session.exec(select(Service).where(Service.slug == slug)).one()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware local time in Brussels, converted to UTC."""
    return datetime.combine(day, time(hour, minute), TZ).astimezone(UTC)


def appointment(
    session: Session,
    staff: StaffMember,
    start: datetime,
    *,
    slug: str = "verhuurderspunt",
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    citizen: str = "Kaat Verbeke",
) -> Appointment:
    """A booked appointment of ``staff`` (30 minutes, 10 minutes buffer)."""
    chosen = service(session, slug)
    reference = f"TEST-{next(_references):04d}"
    row = Appointment(
        reference=reference,
        organisation_id=staff.organisation_id,
        service_id=chosen.id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == chosen.id)).first(),
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        status=status,
        citizen_name=citizen,
        citizen_email="kaat@example.be",
        manage_token_hash=token_hash(manage_token_for(reference, "secret")),
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=3),
    )
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def demo(session: Session) -> Session:
    """The database with the Ghent demo data."""
    load_demo_data(session)
    return session


def lotte(session: Session) -> StaffMember:
    """The demo counsellor of Verhuurderspunt."""
    return member(session, "Lotte Claeys")


def admin(session: Session) -> StaffMember:
    """The demo manager, who is also an administrator."""
    return member(session, DEMO_MANAGER[0])


def replace(session: Session, actor: StaffMember, target: StaffMember, ranges, **options):
    """Replace ``target``'s Verhuurderspunt hours as ``actor``."""
    return schedule.replace_weekly_hours(
        session,
        actor,
        target.id,
        service(session, "verhuurderspunt").id,
        ranges,
        now=NOW,
        **options,
    )


def lotte_starts(session: Session, day: date) -> list[str]:
    """Local start times on ``day`` at which Lotte is free for Verhuurderspunt."""
    slots = free_slots(session, service(session, "verhuurderspunt"), day, day, NOW)
    me = lotte(session).id
    return [s.start.astimezone(TZ).strftime("%H:%M") for s in slots if me in s.staff_ids]


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "key"),
    [
        (Range(0, time(12), time(9)), "hours_error_order"),
        (Range(0, time(9), time(9)), "hours_error_order"),
        (Range(0, time(6, 30), time(9)), "hours_error_bounds"),
        (Range(0, time(18), time(20, 30)), "hours_error_bounds"),
        (Range(0, time(9, 3), time(12)), "hours_error_grid"),
        (Range(0, time(9), time(9, 20)), "hours_error_too_short"),
        (Range(7, time(9), time(12)), "hours_error_day"),
        (Range(-1, time(9), time(12)), "hours_error_day"),
    ],
)
def test_a_wrong_range_is_refused_with_its_reason(demo: Session, item: Range, key: str) -> None:
    with pytest.raises(Invalid) as refused:
        replace(demo, lotte(demo), lotte(demo), [Range(1, time(9), time(12)), item])
    assert refused.value.errors == {"1": key}
    assert schedule.weekly_hours(demo, lotte(demo).id, service(demo, "verhuurderspunt").id) == (
        DEMO_HOURS
    )


def test_the_bounds_and_the_grid_themselves_are_fine(demo: Session) -> None:
    replace(
        demo,
        lotte(demo),
        lotte(demo),
        [Range(6, time(7), time(7, 35)), Range(6, time(19), time(20))],
    )
    hours = schedule.weekly_hours(demo, lotte(demo).id, service(demo, "verhuurderspunt").id)
    assert hours == [Range(6, time(7), time(7, 35)), Range(6, time(19), time(20))]


def test_overlapping_ranges_on_one_day_are_refused_touching_ones_are_fine(demo: Session) -> None:
    overlapping = [
        Range(2, time(9), time(12)),
        Range(2, time(11), time(13)),
        Range(3, time(11), time(13)),
    ]
    with pytest.raises(Invalid) as refused:
        replace(demo, lotte(demo), lotte(demo), overlapping)
    assert refused.value.errors == {"0": "hours_error_overlap", "1": "hours_error_overlap"}
    replace(
        demo, lotte(demo), lotte(demo), [Range(2, time(9), time(12)), Range(2, time(12), time(13))]
    )


def test_hours_may_not_overlap_the_same_persons_hours_for_another_service(demo: Session) -> None:
    me = lotte(demo)
    housing = service(demo, "woonwijzer")
    demo.add(StaffService(staff_id=me.id, service_id=housing.id))
    demo.commit()
    with pytest.raises(Invalid) as refused:
        schedule.replace_weekly_hours(
            demo, me, me.id, housing.id, [Range(0, time(11), time(13))], now=NOW
        )
    assert refused.value.errors == {"0": "hours_error_other_service"}
    schedule.replace_weekly_hours(
        demo, me, me.id, housing.id, [Range(0, time(12), time(13, 30))], now=NOW
    )
    assert schedule.weekly_hours(demo, me.id, housing.id) == [Range(0, time(12), time(13, 30))]


def test_too_many_ranges_are_refused(demo: Session) -> None:
    many = [Range(day, time(7 + n), time(8 + n)) for day in range(7) for n in range(6)]
    with pytest.raises(Invalid) as refused:
        replace(demo, lotte(demo), lotte(demo), many)
    assert refused.value.errors == {"form": "hours_error_too_many"}


def test_parsing_of_times_and_dates() -> None:
    assert schedule.parse_clock("09:05") == time(9, 5)
    assert schedule.parse_clock("18:00:00") == time(18)
    for bad in ("9:05", "24:00", "12:60", "", None, 900, "09:05; drop", "x" * 50):
        assert schedule.parse_clock(bad) is None
    assert schedule.parse_day("2026-03-30") == date(2026, 3, 30)
    for bad in ("2026-02-30", "30-03-2026", "", None, 20260330):
        assert schedule.parse_day(bad) is None


# --- who may change what -----------------------------------------------------------------------


def test_a_counsellor_cannot_edit_someone_else_or_a_service_they_do_not_belong_to(
    demo: Session,
) -> None:
    me, karim = lotte(demo), member(demo, "Karim Bouzid")
    evening = [Range(0, time(18), time(19))]
    with pytest.raises(PermissionError):
        replace(demo, me, karim, evening)
    with pytest.raises(PermissionError):
        schedule.replace_weekly_hours(
            demo, me, me.id, service(demo, "woonwijzer").id, evening, now=NOW
        )
    for hostile in (None, "1", True, 10**12, -1):
        with pytest.raises(PermissionError):
            schedule.replace_weekly_hours(demo, me, hostile, hostile, evening, now=NOW)
    with pytest.raises(PermissionError):
        schedule.add_leave(demo, me, karim.id, (local(MONDAY, 0), local(TUESDAY, 0)), now=NOW)
    with pytest.raises(PermissionError):
        schedule.add_closure(demo, me, (local(MONDAY, 0), local(TUESDAY, 0)), now=NOW)
    agent = member(demo, DEMO_AGENT[0])
    with pytest.raises(PermissionError):
        replace(demo, agent, me, evening)
    verhuurderspunt = service(demo, "verhuurderspunt").id
    assert schedule.weekly_hours(demo, karim.id, verhuurderspunt)[0] == DEMO_HOURS[0]
    assert demo.exec(select(AvailabilityException)).all() == []
    assert demo.exec(select(AuditEntry)).all() == []


def test_a_counsellor_cannot_remove_someone_elses_leave(demo: Session) -> None:
    karim = member(demo, "Karim Bouzid")
    leave = schedule.add_leave(
        demo, admin(demo), karim.id, (local(MONDAY, 0), local(TUESDAY, 0)), now=NOW
    )
    with pytest.raises(PermissionError):
        schedule.remove_leave(demo, lotte(demo), lotte(demo).id, leave.id, now=NOW)
    with pytest.raises(PermissionError):
        schedule.remove_leave(demo, lotte(demo), karim.id, leave.id, now=NOW)
    with pytest.raises(PermissionError):
        schedule.remove_closure(demo, admin(demo), leave.id, now=NOW)  # leave is no closure
    assert demo.get(AvailabilityException, leave.id) is not None


def test_an_administrator_edits_anyones_hours_and_sees_everyone_with_a_service(
    demo: Session,
) -> None:
    karim = member(demo, "Karim Bouzid")
    replace(demo, admin(demo), karim, [Range(4, time(8), time(10))])
    assert schedule.weekly_hours(demo, karim.id, service(demo, "verhuurderspunt").id) == [
        Range(4, time(8), time(10))
    ]
    names = [m.display_name for m in schedule.editable_staff(demo, admin(demo))]
    assert "Karim Bouzid" in names and "Lotte Claeys" in names and DEMO_AGENT[0] not in names
    assert schedule.editable_staff(demo, lotte(demo)) == [lotte(demo)]
    assert schedule.editable_staff(demo, member(demo, DEMO_AGENT[0])) == []


# --- stranded appointments ---------------------------------------------------------------------


def test_hours_that_strand_a_booking_are_refused_with_the_list(demo: Session) -> None:
    me = lotte(demo)
    monday = appointment(demo, me, local(MONDAY, 10), citizen="Kaat Verbeke")
    appointment(demo, me, local(TUESDAY, 10))  # Tuesday keeps its hours
    appointment(demo, me, local(MONDAY, 9), status=AppointmentStatus.CANCELLED)
    appointment(demo, me, local(date(2026, 3, 16), 10))  # in the past
    with pytest.raises(Stranded) as refused:
        replace(demo, me, me, NO_MONDAY_MORNING)
    [stranded] = refused.value.appointments
    assert stranded.reference == monday.reference
    assert stranded.start == local(MONDAY, 10) and stranded.start.astimezone(TZ).hour == 10
    assert stranded.service_name["nl"] == "Verhuurderspunt"
    assert (stranded.citizen_name, stranded.staff_name) == ("Kaat Verbeke", "Lotte Claeys")
    assert schedule.weekly_hours(demo, me.id, service(demo, "verhuurderspunt").id) == DEMO_HOURS
    assert demo.exec(select(AuditEntry)).all() == []


def test_a_booking_that_already_lay_outside_the_hours_does_not_block_a_change(
    demo: Session,
) -> None:
    me = lotte(demo)
    appointment(demo, me, local(MONDAY, 18))  # booked for her by hand, outside her hours
    replace(demo, me, me, [*DEMO_HOURS, Range(5, time(9), time(12))])


def test_leave_over_a_booked_slot_is_refused(demo: Session) -> None:
    me = lotte(demo)
    booked = appointment(demo, me, local(MONDAY, 10))
    other = appointment(demo, member(demo, "Karim Bouzid"), local(MONDAY, 10))
    period = schedule.period_from_form(TZ, MONDAY.isoformat(), MONDAY.isoformat())
    with pytest.raises(Stranded) as refused:
        schedule.add_leave(demo, me, me.id, period, "Ziek", now=NOW)
    assert [a.reference for a in refused.value.appointments] == [booked.reference]
    assert other.reference not in [a.reference for a in refused.value.appointments]
    assert demo.exec(select(AvailabilityException)).all() == []
    # Leave that ends before the call starts (or starts after it ends) is fine.
    schedule.add_leave(demo, me, me.id, (local(MONDAY, 8), local(MONDAY, 10)), now=NOW)
    schedule.add_leave(demo, me, me.id, (local(MONDAY, 10, 30), local(MONDAY, 12)), now=NOW)


def test_a_closure_lists_every_staff_members_bookings(demo: Session) -> None:
    first = appointment(demo, lotte(demo), local(MONDAY, 10))
    second = appointment(
        demo, member(demo, "Sara De Smet"), local(MONDAY, 14), slug="energiecentrale"
    )
    period = (local(MONDAY, 0), local(TUESDAY, 0))
    with pytest.raises(Stranded) as refused:
        schedule.add_closure(demo, admin(demo), period, "Stadsfeest", now=NOW)
    assert [a.reference for a in refused.value.appointments] == [first.reference, second.reference]
    assert [a.staff_name for a in refused.value.appointments] == ["Lotte Claeys", "Sara De Smet"]


def test_a_counsellor_cannot_cancel_to_make_room(demo: Session) -> None:
    me = lotte(demo)
    booked = appointment(demo, me, local(MONDAY, 10))
    resolution = Resolution(frozenset({booked.id}), "Ziek")
    with pytest.raises(PermissionError):
        schedule.add_leave(
            demo, me, me.id, (local(MONDAY, 0), local(TUESDAY, 0)), now=NOW, resolution=resolution
        )
    demo.expire_all()
    assert demo.get(Appointment, booked.id).status == AppointmentStatus.BOOKED
    assert demo.exec(select(Job)).all() == []


def test_an_administrator_cancels_the_stranded_bookings_and_applies_the_change(
    demo: Session,
) -> None:
    me = lotte(demo)
    booked = appointment(demo, me, local(MONDAY, 10), citizen="Kaat Verbeke")
    kept = appointment(demo, me, local(TUESDAY, 10))
    with pytest.raises(Stranded) as refused:
        replace(demo, admin(demo), me, NO_MONDAY_MORNING)
    seen = frozenset(a.appointment_id for a in refused.value.appointments)
    with pytest.raises(Invalid) as no_reason:
        replace(demo, admin(demo), me, NO_MONDAY_MORNING, resolution=Resolution(seen, "  "))
    assert no_reason.value.errors == {"cancel_reason": "hours_error_reason_required"}

    cancelled = replace(
        demo, admin(demo), me, NO_MONDAY_MORNING, resolution=Resolution(seen, "Dienst gesloten")
    )

    assert cancelled == [booked.reference]
    demo.expire_all()
    stored = demo.get(Appointment, booked.id)
    assert (stored.status, stored.cancel_reason) == ("cancelled", "Dienst gesloten")
    assert demo.get(Appointment, kept.id).status == AppointmentStatus.BOOKED
    kinds = sorted(j.kind for j in demo.exec(select(Job).where(Job.appointment_id == booked.id)))
    assert kinds == ["mail.cancellation", "meeting.cancel"]
    assert schedule.weekly_hours(demo, me.id, service(demo, "verhuurderspunt").id) == sorted(
        NO_MONDAY_MORNING
    )
    actions = [
        (e.action, e.target_id) for e in demo.exec(select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert actions == [("appointment.cancel", booked.id), ("hours.replace", me.id)]


def test_a_booking_made_after_the_list_was_shown_is_not_cancelled_unseen(demo: Session) -> None:
    me = lotte(demo)
    first = appointment(demo, me, local(MONDAY, 10))
    period = (local(MONDAY, 0), local(TUESDAY, 0))
    with pytest.raises(Stranded) as refused:
        schedule.add_leave(demo, admin(demo), me.id, period, now=NOW)
    seen = frozenset(a.appointment_id for a in refused.value.appointments)
    late = appointment(demo, me, local(MONDAY, 14))  # booked meanwhile
    with pytest.raises(Stranded) as again:
        schedule.add_leave(
            demo, admin(demo), me.id, period, now=NOW, resolution=Resolution(seen, "Ziek")
        )
    assert [a.reference for a in again.value.appointments] == [first.reference, late.reference]
    demo.expire_all()
    assert demo.get(Appointment, first.id).status == AppointmentStatus.BOOKED
    assert demo.exec(select(AvailabilityException)).all() == []


def test_cancel_and_apply_is_one_transaction(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = lotte(demo)
    booked = appointment(demo, me, local(MONDAY, 10))
    audit = schedule.staff_auth.audit

    def fail_on_the_change(session, actor, action, *args, **kwargs):
        if action == "hours.replace":
            raise RuntimeError("the database went away")
        return audit(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(schedule.staff_auth, "audit", fail_on_the_change)
    with pytest.raises(RuntimeError):
        replace(
            demo,
            admin(demo),
            me,
            NO_MONDAY_MORNING,
            resolution=Resolution(frozenset({booked.id}), "Dienst gesloten"),
        )
    demo.rollback()  # what the request's session does when a handler fails

    assert demo.get(Appointment, booked.id).status == AppointmentStatus.BOOKED
    assert demo.exec(select(Job)).all() == []
    assert demo.exec(select(AuditEntry)).all() == []
    verhuurderspunt = service(demo, "verhuurderspunt").id
    assert schedule.weekly_hours(demo, me.id, verhuurderspunt) == DEMO_HOURS


def test_a_booking_made_while_the_hours_change_refuses_the_change(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = lotte(demo)
    seen = appointment(demo, me, local(MONDAY, 9))
    resolve = schedule._resolve
    late: list[str] = []

    def a_citizen_books_meanwhile(*args, **kwargs):
        # After the check, before the change is written: another request, its own connection.
        with Session(demo.get_bind()) as elsewhere:
            late.append(appointment(elsewhere, lotte(elsewhere), local(MONDAY, 10)).reference)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(schedule, "_resolve", a_citizen_books_meanwhile)
    with pytest.raises(Stranded) as refused:
        replace(
            demo,
            admin(demo),
            me,
            NO_MONDAY_MORNING,
            resolution=Resolution(frozenset({seen.id}), "Dienst gesloten"),
        )

    # Nothing happened: the one the administrator saw is booked again and listed with the new one.
    assert [a.reference for a in refused.value.appointments] == [seen.reference, *late]
    assert demo.get(Appointment, seen.id).status == AppointmentStatus.BOOKED
    assert demo.exec(select(Job)).all() == []
    verhuurderspunt = service(demo, "verhuurderspunt").id
    assert schedule.weekly_hours(demo, me.id, verhuurderspunt) == DEMO_HOURS
    assert demo.exec(select(AuditEntry)).all() == []


def test_an_administrator_cancels_for_leave_and_the_citizen_is_told(demo: Session) -> None:
    me = lotte(demo)
    booked = appointment(demo, me, local(MONDAY, 10))
    period = (local(MONDAY, 0), local(TUESDAY, 0))
    schedule.add_leave(
        demo,
        admin(demo),
        me.id,
        period,
        "Ziek",
        now=NOW,
        resolution=Resolution(frozenset({booked.id}), "Je adviseur is ziek."),
    )
    demo.expire_all()
    assert demo.get(Appointment, booked.id).status == AppointmentStatus.CANCELLED
    jobs = demo.exec(select(Job).where(Job.appointment_id == booked.id)).all()
    assert {j.kind for j in jobs} == {"mail.cancellation", "meeting.cancel"}
    [leave] = schedule.leave_of(demo, me.id, NOW)
    assert (leave.start_at, leave.end_at, leave.reason) == (*period, "Ziek")


# --- the effect on free slots, and DST ---------------------------------------------------------


def test_new_evening_hours_and_leave_change_the_free_slots(demo: Session) -> None:
    me = lotte(demo)
    assert "18:00" not in lotte_starts(demo, THURSDAY)
    replace(demo, me, me, [*DEMO_HOURS, Range(3, time(18), time(19))])
    assert lotte_starts(demo, THURSDAY)[-1] == "18:00"
    assert "18:00" not in lotte_starts(demo, date(2026, 3, 25))  # only on Thursdays
    schedule.add_leave(demo, me, me.id, (local(THURSDAY, 0), local(THURSDAY, 13)), now=NOW)
    assert lotte_starts(demo, THURSDAY) == ["13:30", "14:10", "14:50", "15:30", "18:00"]
    schedule.add_closure(demo, admin(demo), (local(THURSDAY, 17), local(THURSDAY, 20)), now=NOW)
    assert lotte_starts(demo, THURSDAY) == ["13:30", "14:10", "14:50", "15:30"]


def test_hours_are_wall_clock_across_the_change_to_summer_time(demo: Session) -> None:
    me = lotte(demo)
    replace(demo, me, me, [Range(0, time(9), time(10))])
    winter = free_slots(demo, service(demo, "verhuurderspunt"), MONDAY, MONDAY, NOW)
    summer = free_slots(demo, service(demo, "verhuurderspunt"), SUMMER_MONDAY, SUMMER_MONDAY, NOW)
    mine = [[s.start for s in slots if me.id in s.staff_ids] for slots in (winter, summer)]
    assert mine == [[local(MONDAY, 9)], [local(SUMMER_MONDAY, 9)]]
    assert [starts[0].hour for starts in mine] == [8, 7]  # 09:00 local is 08:00, then 07:00 UTC
    # A booking at 09:00 local in summer fits 09:00-10:00: no refusal when hours are kept.
    appointment(demo, me, local(SUMMER_MONDAY, 9))
    replace(demo, me, me, [Range(0, time(9), time(10)), Range(1, time(9), time(10))])
    with pytest.raises(Stranded):
        replace(demo, me, me, [Range(0, time(9, 30), time(10, 30))])


def test_leave_from_the_form_is_local_whole_days_or_local_times() -> None:
    whole = schedule.period_from_form(TZ, "2026-03-28", "2026-03-30")
    assert whole == (
        datetime(2026, 3, 27, 23, 0, tzinfo=UTC),  # Saturday 00:00 in winter time
        datetime(2026, 3, 30, 22, 0, tzinfo=UTC),  # Tuesday 00:00 in summer time
    )
    timed = schedule.period_from_form(TZ, "2026-03-30", "2026-03-30", "09:00", "12:30")
    assert timed == (
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 10, 30, tzinfo=UTC),
    )
    morning_on = schedule.period_from_form(TZ, "2026-03-30", "2026-03-31", "13:00", "")
    assert morning_on[1] == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    cases = [
        (("", "2026-03-30"), {"date_from": "hours_error_date"}),
        (("2026-03-30", "x"), {"date_until": "hours_error_date"}),
        (("2026-03-30", "2026-03-29"), {"date_until": "hours_error_period_order"}),
        (
            ("2026-03-30", "2026-03-30", "12:00", "09:00"),
            {"time_until": "hours_error_period_order"},
        ),
        (("2026-03-30", "2026-03-30", "9u", ""), {"time_from": "hours_error_time"}),
    ]
    for arguments, errors in cases:
        with pytest.raises(Invalid) as refused:
            schedule.period_from_form(TZ, *arguments)
        assert refused.value.errors == errors


@pytest.mark.parametrize(
    ("period", "field", "key"),
    [
        ((local(MONDAY, 10), local(MONDAY, 9)), "date_until", "hours_error_period_order"),
        (
            (local(date(2026, 3, 2), 0), local(date(2026, 3, 3), 0)),
            "date_until",
            "hours_error_period_past",
        ),
        ((local(MONDAY, 0), local(date(2027, 5, 1), 0)), "date_until", "hours_error_period_long"),
        (
            (local(date(2029, 1, 1), 0), local(date(2029, 1, 2), 0)),
            "date_from",
            "hours_error_period_far",
        ),
    ],
)
def test_unreasonable_leave_is_refused(demo: Session, period, field: str, key: str) -> None:
    me = lotte(demo)
    with pytest.raises(Invalid) as refused:
        schedule.add_leave(demo, me, me.id, period, now=NOW)
    assert refused.value.errors == {field: key}
    with pytest.raises(Invalid):
        schedule.add_leave(
            demo, me, me.id, (local(MONDAY, 0), local(TUESDAY, 0)), "x" * 201, now=NOW
        )
    with pytest.raises(Invalid):
        schedule.add_leave(demo, me, me.id, (datetime(2026, 3, 23), datetime(2026, 3, 24)), now=NOW)
    assert demo.exec(select(AvailabilityException)).all() == []


# --- the audit log -----------------------------------------------------------------------------


def test_every_change_is_audited_with_before_and_after(demo: Session) -> None:
    me, boss = lotte(demo), admin(demo)
    replace(demo, me, me, [Range(0, time(9), time(12))])
    leave = schedule.add_leave(
        demo, me, me.id, (local(MONDAY, 0), local(TUESDAY, 0)), "Verlof", now=NOW
    )
    schedule.remove_leave(demo, me, me.id, leave.id, now=NOW)
    closure = schedule.add_closure(
        demo, boss, (local(THURSDAY, 0), local(THURSDAY, 12)), "Feest", now=NOW
    )
    schedule.remove_closure(demo, boss, closure.id, now=NOW)
    entries = demo.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.staff_id) for e in entries] == [
        ("hours.replace", me.id),
        ("leave.add", me.id),
        ("leave.remove", me.id),
        ("closure.add", boss.id),
        ("closure.remove", boss.id),
    ]
    hours = entries[0].detail
    assert hours["service"] == "verhuurderspunt" and hours["cancelled"] == []
    assert hours["before"][:2] == [[0, "09:00", "12:00"], [0, "13:30", "16:30"]]
    assert hours["after"] == [[0, "09:00", "12:00"]]
    assert entries[1].detail["before"] is None
    assert entries[1].detail["after"] == {
        "staff_id": me.id,
        "start": "2026-03-22T23:00:00+00:00",
        "end": "2026-03-23T23:00:00+00:00",
        "reason": "Verlof",
    }
    assert entries[2].detail["before"] == entries[1].detail["after"]
    assert entries[2].detail["after"] is None
    assert entries[3].detail["after"]["staff_id"] is None
    assert all(e.at == NOW for e in entries)
    assert demo.exec(select(OpeningHours).where(OpeningHours.staff_id == me.id)).all()
