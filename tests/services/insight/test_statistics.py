"""Manager figures checked against hand-computed values, across both clock changes of 2026.

The appointments (UTC; local = Europe/Brussels; W = woonwijzer, 30 min; G = gas-boetes, 20 min):

 #  svc  start (UTC)         local start             status     channel  outcome    lead
 1  W    2026-03-28 23:30    Sun 29 Mar 00:30 CET    completed  web      resolved   9 d
 2  W    2026-03-29 22:30    Mon 30 Mar 00:30 CEST   completed  cc       follow_up  2 d
 3  W    2026-03-31 22:30    Wed  1 Apr 00:30 CEST   no_show    web      -          1 d
 4  W    2026-03-30 07:00    Mon 30 Mar 09:00 CEST   cancelled  web      -          -
 5  G    2026-03-30 07:00    Mon 30 Mar 09:00 CEST   completed  web      referred   4 d
 6  G    2026-04-07 07:00    Tue  7 Apr 09:00 CEST   completed  cc       resolved   17 d
         (booked for Tue 24 Mar, then moved)
 7  G    2026-10-24 22:30    Sun 25 Oct 00:30 CEST   completed  web      resolved   4 d
 8  G    2026-10-25 23:30    Mon 26 Oct 00:30 CET    no_show    cc       -          2 d
 9  W    2026-10-31 23:30    Sun  1 Nov 00:30 CET    completed  web      in_person  1 d
10  G    2026-10-26 09:00    Mon 26 Oct 10:00 CET    cancelled  cc       -          -
11  W    2026-11-10 09:00    Tue 10 Nov 10:00 CET    booked     web      -          9 d
12  G    2026-11-03 09:00    Tue  3 Nov 10:00 CET    booked     web      -          1 d

Feedback scores: #1 5, #2 3, #9 4 (woonwijzer) and #7 2 (gas-boetes).

NOW is Wednesday 4 November 2026 13:00 local; the default period is 3 Nov 2025 - 4 Nov 2026,
so #11 lies after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    BookingChannel,
    Organisation,
    Outcome,
    Service,
    StaffMember,
    Topic,
)
from balie.services.catalogue import get_organisation
from balie.services.demo_data import SERVICES, demo_email, load_demo_data
from balie.services.insight import statistics as stats
from balie.services.insight.statistics import Headline, Period
from balie.services.slots import free_slots

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 4)
SLUGS = [service.slug for service in SERVICES]
WEB, CC = BookingChannel.WEB, BookingChannel.CONTACT_CENTRE
DONE, NO_SHOW = AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW
CANCELLED, BOOKED = AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED
FATIMA, TOM = "Fatima El Amrani", "Tom Verstraete"
MARIE, STIJN = "Marie Dubois", "Stijn Willems"
W, G = "woonwijzer", "gas-boetes"


def utc(*parts: int) -> datetime:
    """A UTC instant."""
    return datetime(*parts, tzinfo=UTC)


def add(
    session: Session,
    number: int,
    slug: str,
    staff_name: str,
    start: datetime,
    status: AppointmentStatus,
    channel: BookingChannel,
    outcome: Outcome | None,
    created: datetime,
    email: str | None = None,
) -> Appointment:
    """Insert appointment ``number`` with personal details, and commit."""
    service = session.exec(select(Service).where(Service.slug == slug)).one()
    topic = session.exec(select(Topic).where(Topic.service_id == service.id)).first()
    staff = session.exec(
        select(StaffMember).where(StaffMember.email == demo_email(staff_name))
    ).one()
    end = start + timedelta(minutes=service.appointment_minutes)
    appointment = Appointment(
        reference=f"TEST-{number:04d}",
        organisation_id=service.organisation_id,
        service_id=service.id,
        topic_id=topic.id,
        staff_id=staff.id,
        start_at=start,
        end_at=end,
        busy_until=end + timedelta(minutes=service.buffer_minutes),
        status=status,
        channel=channel,
        outcome=outcome,
        citizen_name=f"Burger {number}",
        citizen_email=email or f"burger{number}@example.be",
        citizen_phone=f"0470 00 00 {number:02d}",
        question=f"Vraag {number}",
        staff_note=f"Notitie {number}" if status == DONE else None,
        cancel_reason=f"Reden {number}" if status == CANCELLED else None,
        manage_token_hash=f"hash-{number}",
        created_at=created,
        updated_at=created,
    )
    session.add(appointment)
    session.commit()
    return appointment


def move(session: Session, appointment: Appointment, new_start: datetime) -> None:
    """Move an appointment the way booking.reschedule does: the same row, a new time."""
    length = appointment.end_at - appointment.start_at
    buffer = appointment.busy_until - appointment.end_at
    appointment.start_at = new_start
    appointment.end_at = new_start + length
    appointment.busy_until = new_start + length + buffer
    appointment.calendar_sequence += 1
    session.add(appointment)
    session.commit()


def build(session: Session) -> Organisation:
    """Demo data plus the twelve appointments of the module docstring; Stad Gent."""
    load_demo_data(session)
    add(session, 1, W, FATIMA, utc(2026, 3, 28, 23, 30), DONE, WEB, Outcome.RESOLVED,
        utc(2026, 3, 19, 23, 30))  # fmt: skip
    add(session, 2, W, FATIMA, utc(2026, 3, 29, 22, 30), DONE, CC, Outcome.FOLLOW_UP,
        utc(2026, 3, 27, 22, 30), email="Els@Example.be")  # fmt: skip
    add(session, 3, W, TOM, utc(2026, 3, 31, 22, 30), NO_SHOW, WEB, None,
        utc(2026, 3, 30, 22, 30))  # fmt: skip
    add(session, 4, W, TOM, utc(2026, 3, 30, 7, 0), CANCELLED, WEB, None,
        utc(2026, 3, 25, 7, 0))  # fmt: skip
    add(session, 5, G, MARIE, utc(2026, 3, 30, 7, 0), DONE, WEB, Outcome.REFERRED,
        utc(2026, 3, 26, 7, 0))  # fmt: skip
    moved = add(session, 6, G, MARIE, utc(2026, 3, 24, 8, 0), BOOKED, CC, None,
                utc(2026, 3, 21, 7, 0))  # fmt: skip
    move(session, moved, utc(2026, 4, 7, 7, 0))
    moved.status, moved.outcome = DONE, Outcome.RESOLVED
    session.add(moved)
    session.commit()
    add(session, 7, G, STIJN, utc(2026, 10, 24, 22, 30), DONE, WEB, Outcome.RESOLVED,
        utc(2026, 10, 20, 22, 30))  # fmt: skip
    add(session, 8, G, STIJN, utc(2026, 10, 25, 23, 30), NO_SHOW, CC, None,
        utc(2026, 10, 23, 23, 30))  # fmt: skip
    add(session, 9, W, FATIMA, utc(2026, 10, 31, 23, 30), DONE, WEB, Outcome.IN_PERSON,
        utc(2026, 10, 30, 23, 30), email="els@example.be")  # fmt: skip
    add(session, 10, G, MARIE, utc(2026, 10, 26, 9, 0), CANCELLED, CC, None,
        utc(2026, 10, 20, 9, 0))  # fmt: skip
    add(session, 11, W, TOM, utc(2026, 11, 10, 9, 0), BOOKED, WEB, None,
        utc(2026, 11, 1, 9, 0))  # fmt: skip
    add(session, 12, G, STIJN, utc(2026, 11, 3, 9, 0), BOOKED, WEB, None,
        utc(2026, 11, 2, 9, 0))  # fmt: skip
    return get_organisation(session, "gent")


def build_with_feedback(session: Session) -> Organisation:
    """The twelve appointments with the feedback scores of the module docstring; Stad Gent."""
    organisation = build(session)
    for number, score in ((1, 5), (2, 3), (9, 4), (7, 2)):
        appointment = numbered(session, number)
        appointment.feedback_score = score
        session.add(appointment)
    session.commit()
    return organisation


def numbered(session: Session, number: int) -> Appointment:
    """Appointment ``number`` of the module docstring."""
    reference = f"TEST-{number:04d}"
    return session.exec(select(Appointment).where(Appointment.reference == reference)).one()


@pytest.fixture
def gent(session: Session) -> Organisation:
    """The twelve appointments (with feedback) in the database; Stad Gent."""
    return build_with_feedback(session)


def service_id(session: Session, slug: str) -> int:
    """Id of a demo service."""
    return session.exec(select(Service.id).where(Service.slug == slug)).one()


def counts(**nonzero: int) -> dict[str, int]:
    """Held calls of every demo service: zero unless given (underscores for dashes)."""
    given = {slug.replace("_", "-"): count for slug, count in nonzero.items()}
    return {slug: given.get(slug, 0) for slug in SLUGS}


def nonzero(buckets: list[tuple[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """The buckets with at least one non-zero count, only their non-zero counts."""
    result = {}
    for label, values in buckets:
        kept = {key: value for key, value in values.items() if value}
        if kept:
            result[label] = kept
    return result


def default(session: Session, gent: Organisation) -> Period:
    """The default period at TODAY."""
    return stats.default_period(session, gent.id, TODAY)


def test_default_period_runs_from_the_first_go_live_to_today(
    session: Session, gent: Organisation
) -> None:
    assert default(session, gent) == Period(date(2025, 11, 3), TODAY)


def test_default_period_without_services_is_today(session: Session) -> None:
    organisation = Organisation(slug="leeg", name="Leeg")
    session.add(organisation)
    session.commit()
    assert stats.default_period(session, organisation.id, TODAY) == Period(TODAY, TODAY)


def test_headline_of_the_default_period(session: Session, gent: Organisation) -> None:
    # In the period: #1-#10 and #12. Held 1,2,5,6,7,9; booked 12; cancelled 4,10; no-show 3,8.
    assert stats.headline(session, gent.id, default(session, gent)) == Headline(
        held=6,
        booked=1,
        cancelled=2,
        no_shows=2,
        no_show_rate=2 / 8,
        cancellation_rate=2 / 11,
        services_live=9,
        satisfaction=14 / 4,  # 5, 3, 4 and 2
        satisfaction_answers=4,
    )


def test_headline_per_service(session: Session, gent: Organisation) -> None:
    period = default(session, gent)
    woonwijzer = stats.headline(session, gent.id, period, service_id(session, "woonwijzer"))
    assert woonwijzer == Headline(3, 0, 1, 1, 1 / 4, 1 / 5, 1, 4.0, 3)
    gas = stats.headline(session, gent.id, period, service_id(session, "gas-boetes"))
    assert gas == Headline(3, 1, 1, 1, 1 / 4, 1 / 6, 1, 2.0, 1)


def test_headline_counts_the_local_day_around_spring_forward(
    session: Session, gent: Organisation
) -> None:
    # #1 starts on Saturday 28 March in UTC but on Sunday 29 March in Ghent.
    saturday = stats.headline(session, gent.id, Period(date(2026, 3, 28), date(2026, 3, 28)))
    assert saturday == Headline(0, 0, 0, 0, None, None, 9)
    sunday = stats.headline(session, gent.id, Period(date(2026, 3, 29), date(2026, 3, 29)))
    assert sunday == Headline(1, 0, 0, 0, 0.0, 0.0, 9, 5.0, 1)
    # #2 (Monday 00:30 local, Sunday in UTC), #4 and #5; #3 is Wednesday 1 April locally.
    monday_tuesday = stats.headline(session, gent.id, Period(date(2026, 3, 30), date(2026, 3, 31)))
    assert monday_tuesday == Headline(2, 0, 1, 0, 0.0, 1 / 3, 9, 3.0, 1)


def test_headline_counts_the_local_day_around_fall_back(
    session: Session, gent: Organisation
) -> None:
    sunday = stats.headline(session, gent.id, Period(date(2026, 10, 25), date(2026, 10, 25)))
    assert sunday == Headline(1, 0, 0, 0, 0.0, 0.0, 9, 2.0, 1)  # #7; #8 is Monday locally
    monday = stats.headline(session, gent.id, Period(date(2026, 10, 26), date(2026, 10, 26)))
    assert monday == Headline(0, 0, 1, 1, 1.0, 1 / 2, 9)  # #8 and #10


def test_services_live_counts_go_lives_up_to_the_last_day(
    session: Session, gent: Organisation
) -> None:
    before_second_wave = Period(date(2025, 11, 3), date(2026, 2, 22))
    assert stats.headline(session, gent.id, before_second_wave).services_live == 6
    inactive = session.get(Service, service_id(session, "oog"))
    inactive.active = False
    session.add(inactive)
    session.commit()
    assert stats.headline(session, gent.id, default(session, gent)).services_live == 8


def test_held_per_week_across_both_clock_changes(session: Session, gent: Organisation) -> None:
    weeks = stats.held_per_week(session, gent.id, default(session, gent))
    labels = [label for label, _ in weeks]
    # 2025-W45..W52 (8) and 2026-W01..W45 (45).
    assert len(labels) == 53
    assert labels[0] == "2025-W45" and labels[8] == "2026-W01" and labels[-1] == "2026-W45"
    assert all(list(values) == SLUGS for _, values in weeks)
    assert nonzero(weeks) == {
        "2026-W13": {"woonwijzer": 1},  # #1, Sunday 29 March
        "2026-W14": {"woonwijzer": 1, "gas-boetes": 1},  # #2 (Monday 00:30 local) and #5
        "2026-W15": {"gas-boetes": 1},  # #6 at its new time only
        "2026-W43": {"gas-boetes": 1},  # #7, Sunday 25 October
        "2026-W44": {"woonwijzer": 1},  # #9, Sunday 1 November; #8 was a no-show
    }


def test_held_per_week_of_a_short_period_includes_empty_weeks(
    session: Session, gent: Organisation
) -> None:
    weeks = stats.held_per_week(session, gent.id, Period(date(2026, 3, 16), date(2026, 4, 8)))
    assert weeks == [
        ("2026-W12", counts()),
        ("2026-W13", counts(woonwijzer=1)),
        ("2026-W14", counts(woonwijzer=1, gas_boetes=1)),
        ("2026-W15", counts(gas_boetes=1)),
    ]


def test_held_per_week_of_one_service(session: Session, gent: Organisation) -> None:
    period = Period(date(2026, 3, 23), date(2026, 4, 12))
    weeks = stats.held_per_week(session, gent.id, period, service_id(session, "woonwijzer"))
    assert weeks == [
        ("2026-W13", {"woonwijzer": 1}),
        ("2026-W14", {"woonwijzer": 1}),
        ("2026-W15", {"woonwijzer": 0}),
    ]


def test_local_days_follow_a_half_hour_offset(session: Session, gent: Organisation) -> None:
    # In Kolkata (UTC+05:30) 18:15 UTC is Sunday 23:45 and 18:45 UTC is Monday 00:15: the
    # day (and ISO week) of a start comes from the zone, also off whole hours.
    gent.time_zone = "Asia/Kolkata"
    session.add(gent)
    session.commit()
    add(session, 13, W, TOM, utc(2026, 3, 29, 18, 15), DONE, WEB, Outcome.RESOLVED,
        utc(2026, 3, 20, 9, 0))  # fmt: skip
    add(session, 14, W, FATIMA, utc(2026, 3, 29, 18, 45), DONE, WEB, Outcome.RESOLVED,
        utc(2026, 3, 20, 9, 0))  # fmt: skip
    weeks = stats.held_per_week(session, gent.id, Period(date(2026, 3, 29), date(2026, 3, 30)))
    assert weeks == [
        ("2026-W13", counts(woonwijzer=2)),  # #1 (Sunday 05:00) and #13
        ("2026-W14", counts(woonwijzer=2, gas_boetes=1)),  # #2 (Monday 04:00), #14 and #5
    ]


def test_held_per_month(session: Session, gent: Organisation) -> None:
    months = stats.held_per_month(session, gent.id, default(session, gent))
    assert [label for label, _ in months] == [
        "2025-11",
        "2025-12",
        *(f"2026-{month:02d}" for month in range(1, 12)),
    ]
    assert nonzero(months) == {
        "2026-03": {"woonwijzer": 2, "gas-boetes": 1},  # #1, #2, #5
        "2026-04": {"gas-boetes": 1},  # #6; #3 (1 April locally) was a no-show
        "2026-10": {"gas-boetes": 1},  # #7
        "2026-11": {"woonwijzer": 1},  # #9 (31 October in UTC)
    }


def test_held_per_month_of_one_service(session: Session, gent: Organisation) -> None:
    period = Period(date(2026, 3, 1), date(2026, 4, 30))
    months = stats.held_per_month(session, gent.id, period, service_id(session, "gas-boetes"))
    assert months == [("2026-03", {"gas-boetes": 1}), ("2026-04", {"gas-boetes": 1})]


def test_channel_per_month(session: Session, gent: Organisation) -> None:
    period = default(session, gent)
    months = stats.channel_per_month(session, gent.id, period)
    assert len(months) == 13
    assert all(list(values) == ["web", "contact_centre"] for _, values in months)
    assert nonzero(months) == {
        "2026-03": {"web": 3, "contact_centre": 1},  # #1, #4, #5 web; #2 contact centre
        "2026-04": {"web": 1, "contact_centre": 1},  # #3 web; #6 contact centre
        "2026-10": {"web": 1, "contact_centre": 2},  # #7 web; #8, #10 contact centre
        "2026-11": {"web": 2},  # #9, #12; #11 is after the period
    }
    total = sum(sum(values.values()) for _, values in months)
    figures = stats.headline(session, gent.id, period)
    assert total == figures.held + figures.booked + figures.cancelled + figures.no_shows


def test_channel_per_month_of_one_service(session: Session, gent: Organisation) -> None:
    period = Period(date(2026, 10, 1), date(2026, 11, 30))
    months = stats.channel_per_month(session, gent.id, period, service_id(session, "woonwijzer"))
    assert months == [
        ("2026-10", {"web": 0, "contact_centre": 0}),
        ("2026-11", {"web": 2, "contact_centre": 0}),  # #9 and #11
    ]


def by_slug(figures: list[stats.ServiceFigures]) -> dict[str, stats.ServiceFigures]:
    """Service figures by slug."""
    return {figure.slug: figure for figure in figures}


def outcomes(**given: int) -> dict[str, int]:
    """Counts of every outcome, zero unless given."""
    return {outcome.value: given.get(outcome.value, 0) for outcome in Outcome}


def test_per_service_of_the_default_period(session: Session, gent: Organisation) -> None:
    figures = stats.per_service(session, gent.id, default(session, gent), NOW)
    assert [figure.slug for figure in figures] == SLUGS
    found = by_slug(figures)
    woonwijzer, gas = found["woonwijzer"], found["gas-boetes"]
    assert (woonwijzer.name_nl, woonwijzer.held, woonwijzer.upcoming) == ("Woonwijzer", 3, 1)
    assert woonwijzer.no_show_rate == 1 / 4
    assert woonwijzer.median_lead_time_days == 1.5  # #1 9, #2 2, #3 1, #9 1
    assert woonwijzer.outcomes == outcomes(resolved=1, follow_up=1, in_person=1)
    assert (gas.held, gas.upcoming, gas.no_show_rate) == (3, 0, 1 / 4)  # #12 is in the past
    assert gas.median_lead_time_days == 4.0  # #5 4, #6 17, #7 4, #8 2, #12 1
    assert gas.outcomes == outcomes(resolved=2, referred=1)
    # Wednesday 13:00 + 2 hours' notice: woonwijzer's next slot is 15:30, gas-boetes' 15:10.
    assert woonwijzer.first_free_slot_hours == pytest.approx(2.5)
    assert gas.first_free_slot_hours == pytest.approx(13 / 6)
    for figure in figures:
        assert 0 <= figure.capacity_use <= 1
        if figure.slug not in ("woonwijzer", "gas-boetes"):
            assert (figure.held, figure.upcoming) == (0, 0)
            assert figure.no_show_rate is None and figure.median_lead_time_days is None
            assert figure.outcomes == outcomes()
            assert figure.capacity_use == 0.0


def test_capacity_use_on_one_day(session: Session, gent: Organisation) -> None:
    # Monday 30 March, two counsellors per service, 09:00-12:00 and 13:30-16:30 each.
    # gas-boetes (20 + 5 minutes): 7 + 7 starts a day = 280 minutes each, 560 in all; #5 took
    # 20 of them. woonwijzer (30 + 10): 4 + 4 starts = 240 minutes each, 480 in all; #2
    # (00:30 local, outside the hours) counts as 30 booked minutes but offers none.
    monday = Period(date(2026, 3, 30), date(2026, 3, 30))
    found = by_slug(stats.per_service(session, gent.id, monday, NOW))
    assert found["gas-boetes"].capacity_use == pytest.approx(20 / 560)
    assert found["woonwijzer"].capacity_use == pytest.approx(30 / 480)
    assert found["energiecentrale"].capacity_use == 0.0


def test_capacity_use_skips_public_holidays_and_days_before_go_live(
    session: Session, gent: Organisation
) -> None:
    easter_monday = Period(date(2026, 4, 6), date(2026, 4, 6))
    assert (
        by_slug(stats.per_service(session, gent.id, easter_monday, NOW))["gas-boetes"].capacity_use
        is None
    )
    before_go_live = Period(date(2026, 2, 16), date(2026, 2, 20))
    found = by_slug(stats.per_service(session, gent.id, before_go_live, NOW))
    assert found["gas-boetes"].capacity_use is None
    assert found["woonwijzer"].capacity_use == 0.0


def test_first_free_slot_over_a_weekend(session: Session, gent: Organisation) -> None:
    friday_evening = utc(2026, 11, 6, 16, 0)  # 17:00 local
    period = Period(date(2026, 11, 6), date(2026, 11, 6))
    found = by_slug(stats.per_service(session, gent.id, period, friday_evening))
    # Monday 9 November 09:00 local (08:00 UTC) is 64 hours later.
    assert found["woonwijzer"].first_free_slot_hours == pytest.approx(64)
    assert found["woonwijzer"].upcoming == 1  # #11


def test_first_free_slot_of_an_inactive_service_is_none(
    session: Session, gent: Organisation
) -> None:
    service = session.get(Service, service_id(session, "oog"))
    service.active = False
    session.add(service)
    session.commit()
    found = by_slug(stats.per_service(session, gent.id, default(session, gent), NOW))
    assert found["oog"].first_free_slot_hours is None


def test_to_csv() -> None:
    rows = [{"week": "2026-W13", "woonwijzer": 1}, {"week": "2026-W14", "gas-boetes": 2}]
    assert stats.to_csv(rows) == ("week,woonwijzer,gas-boetes\r\n2026-W13,1,\r\n2026-W14,,2\r\n")
    assert stats.to_csv([{"name": 'Milieu, "Klimaat"'}]) == 'name\r\n"Milieu, ""Klimaat"""\r\n'
    assert stats.to_csv([]) == ""


def test_an_organisation_without_services_has_empty_figures(
    session: Session, gent: Organisation
) -> None:
    other = Organisation(slug="elders", name="Elders")
    session.add(other)
    session.commit()
    period = default(session, gent)
    assert stats.headline(session, other.id, period) == Headline(0, 0, 0, 0, None, None, 0)
    assert stats.held_per_month(session, other.id, period)[0] == ("2025-11", {})
    assert stats.per_service(session, other.id, period, NOW) == []


FIRST_WAVE = [s.slug for s in SERVICES if s.live_from == date(2025, 11, 3)]
SECOND_WAVE = [s.slug for s in SERVICES if s.live_from == date(2026, 2, 23)]


def test_dashboard_gathers_every_figure_of_the_page(session: Session, gent: Organisation) -> None:
    period = default(session, gent)
    figures = stats.dashboard(session, gent.id, period, None, NOW)
    assert figures.period == period and figures.service_id is None
    assert [option.slug for option in figures.services] == SLUGS
    assert figures.headline == stats.headline(session, gent.id, period)
    assert figures.held_per_week == stats.held_per_week(session, gent.id, period)
    assert figures.held_per_month == stats.held_per_month(session, gent.id, period)
    assert figures.channel_per_month == stats.channel_per_month(session, gent.id, period)
    assert figures.per_service == stats.per_service(session, gent.id, period, NOW)
    assert figures.waves == [
        stats.Wave(date(2025, 11, 3), "2025-W45", "2025-11", tuple(FIRST_WAVE)),
        stats.Wave(date(2026, 2, 23), "2026-W09", "2026-02", tuple(SECOND_WAVE)),
    ]
    assert figures.contains_demo_data is False


def test_dashboard_of_one_service(session: Session, gent: Organisation) -> None:
    period = default(session, gent)
    gas = service_id(session, "gas-boetes")
    figures = stats.dashboard(session, gent.id, period, gas, NOW)
    assert [option.slug for option in figures.services] == SLUGS  # the filter keeps every choice
    assert figures.headline == Headline(3, 1, 1, 1, 1 / 4, 1 / 6, 1, 2.0, 1)
    assert nonzero(figures.held_per_month) == {
        "2026-03": {"gas-boetes": 1},
        "2026-04": {"gas-boetes": 1},
        "2026-10": {"gas-boetes": 1},
    }
    assert all(list(values) == ["gas-boetes"] for _, values in figures.held_per_week)
    assert [row.slug for row in figures.per_service] == ["gas-boetes"]
    assert figures.per_service[0] == by_slug(stats.per_service(session, gent.id, period, NOW))[G]
    assert figures.waves == [stats.Wave(date(2026, 2, 23), "2026-W09", "2026-02", (G,))]
    total = sum(sum(values.values()) for _, values in figures.channel_per_month)
    assert total == 6  # #5, #6, #7, #8, #10, #12


def test_dashboard_refuses_a_service_of_another_organisation(
    session: Session, gent: Organisation
) -> None:
    with pytest.raises(ValueError):
        stats.dashboard(session, gent.id, default(session, gent), 10**6, NOW)


def test_demo_data_is_flagged_in_the_period_or_upcoming(
    session: Session, gent: Organisation
) -> None:
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    demo = numbered(session, 3)  # 1 April locally
    demo.is_demo = True
    session.add(demo)
    session.commit()
    assert stats.dashboard(session, gent.id, march, None, NOW).contains_demo_data is False
    april = Period(date(2026, 4, 1), date(2026, 4, 1))
    assert stats.dashboard(session, gent.id, april, None, NOW).contains_demo_data is True
    upcoming = numbered(session, 11)  # booked, after NOW
    upcoming.is_demo = True
    session.add(upcoming)
    session.commit()
    assert stats.dashboard(session, gent.id, march, None, NOW).contains_demo_data is True


def test_capacity_use_leaves_out_leave_and_closures(session: Session, gent: Organisation) -> None:
    # Monday 30 March: Marie is on leave all day, so gas-boetes offers Stijn's 7 + 7 starts of
    # 20 minutes (280); #5 (Marie's, 20 minutes) stays booked. A closure from 13:00 to 17:00
    # then takes Stijn's afternoon too: 140 minutes offered.
    monday = Period(date(2026, 3, 30), date(2026, 3, 30))
    marie = session.exec(select(StaffMember).where(StaffMember.email == demo_email(MARIE))).one()
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=marie.id,
            start_at=utc(2026, 3, 29, 22, 0),
            end_at=utc(2026, 3, 30, 22, 0),
            reason="verlof",
        )
    )
    session.commit()
    gas = by_slug(stats.per_service(session, gent.id, monday, NOW))[G]
    assert gas.capacity_use == pytest.approx(20 / 280)
    session.add(
        AvailabilityException(
            organisation_id=gent.id,
            staff_id=None,
            start_at=utc(2026, 3, 30, 11, 0),
            end_at=utc(2026, 3, 30, 15, 0),
            reason="personeelsvergadering",
        )
    )
    session.commit()
    gas = by_slug(stats.per_service(session, gent.id, monday, NOW))[G]
    assert gas.capacity_use == pytest.approx(20 / 140)


def test_offered_minutes_are_the_slot_engines_grid(session: Session, gent: Organisation) -> None:
    # A week in December without bookings, a day of leave and a closing afternoon: one booking
    # of 20 minutes on the grid, so offered = the engine's free minutes + 20 for every service.
    week = Period(date(2026, 12, 7), date(2026, 12, 11))
    marie = session.exec(select(StaffMember).where(StaffMember.email == demo_email(MARIE))).one()
    session.add_all(
        [
            AvailabilityException(
                organisation_id=gent.id,
                staff_id=marie.id,
                start_at=utc(2026, 12, 8, 23, 0),
                end_at=utc(2026, 12, 9, 23, 0),
            ),
            AvailabilityException(
                organisation_id=gent.id,
                staff_id=None,
                start_at=utc(2026, 12, 10, 12, 10),
                end_at=utc(2026, 12, 10, 23, 0),
            ),
        ]
    )
    session.commit()
    add(session, 20, G, STIJN, utc(2026, 12, 7, 8, 0), BOOKED, WEB, None, NOW)
    found = by_slug(stats.per_service(session, gent.id, week, NOW))
    for service in session.exec(select(Service)).all():
        free = sum(
            (slot.end - slot.start).total_seconds() / 60 * slot.capacity
            for slot in free_slots(session, service, week.first, week.last, NOW)
        )
        booked = 20 if service.slug == G else 0
        assert free > 0
        assert found[service.slug].capacity_use == pytest.approx(booked / (free + booked))


def test_tables_and_csv_of_the_dashboard(session: Session, gent: Organisation) -> None:
    period = default(session, gent)
    tables = stats.tables(stats.dashboard(session, gent.id, period, None, NOW))
    assert list(tables) == list(stats.TABLES)
    assert tables["headline"] == [
        {"figure": "held", "value": 6},
        {"figure": "booked", "value": 1},
        {"figure": "cancelled", "value": 2},
        {"figure": "no_shows", "value": 2},
        {"figure": "no_show_rate", "value": 0.25},
        {"figure": "cancellation_rate", "value": 0.1818},
        {"figure": "satisfaction", "value": 3.5},
        {"figure": "satisfaction_answers", "value": 4},
        {"figure": "services_live", "value": 9},
    ]
    lines = stats.to_csv(tables["services"]).splitlines()
    assert lines[0] == (
        "service,name,held,upcoming,no_show_rate,median_lead_time_days,first_free_slot_hours,"
        "capacity_use,resolved,follow_up,referred,in_person"
    )
    assert lines[2].startswith("woonwijzer,Woonwijzer,3,1,0.25,1.5,2.5,")
    assert lines[2].endswith(",1,1,0,1")
    assert stats.to_csv(tables["weeks"]).splitlines()[0] == ",".join(["week", *SLUGS])
    assert tables["months"][4] == {"month": "2026-03", **counts(woonwijzer=2, gas_boetes=1)}
    assert tables["channels"][4] == {"month": "2026-03", "web": 3, "contact_centre": 1}
    assert tables["waves"] == [
        {"date": "2025-11-03", "week": "2025-W45", "services": " ".join(FIRST_WAVE)},
        {"date": "2026-02-23", "week": "2026-W09", "services": " ".join(SECOND_WAVE)},
    ]


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert stats.previous_period(march) == Period(date(2026, 1, 29), date(2026, 2, 28))
    one_day = Period(TODAY, TODAY)
    assert stats.previous_period(one_day) == Period(date(2026, 11, 3), date(2026, 11, 3))


def test_change_is_relative_and_unknown_without_a_base() -> None:
    assert stats.change(12, 10) == pytest.approx(0.2)
    assert stats.change(5, 10) == pytest.approx(-0.5)
    assert stats.change(5, 0) is None
    assert stats.change(None, 3) is None


def test_dashboard_counts_upcoming_from_now_and_compares_with_the_period_before(
    session: Session, gent: Organisation
) -> None:
    # The period ends today: #11 (10 November, still booked) lies after it but is upcoming.
    period = Period(date(2026, 10, 1), TODAY)
    figures = stats.dashboard(session, gent.id, period, None, NOW)
    assert figures.headline.booked == 1  # #12, in the period (and already past)
    assert figures.upcoming == 1  # #11, after now
    before = stats.previous_period(period)
    assert figures.previous == stats.headline(session, gent.id, before)
    assert figures.previous.held == 0 and figures.headline.held == 2  # #7 and #9
    # Whatever the period (a month long past, or one ahead): upcoming is counted from now.
    for other in (Period(date(2025, 1, 1), date(2025, 1, 31)), Period(TODAY, date(2026, 12, 31))):
        assert stats.dashboard(session, gent.id, other, None, NOW).upcoming == 1
