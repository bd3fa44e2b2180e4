"""The Ghent demo data: complete, in both languages, and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlmodel import Session, delete, func, select

from balie.models import (
    Appointment,
    ChannelRule,
    Job,
    OpeningHours,
    Organisation,
    Outcome,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services.demo_data import (
    ERASED_FIELDS,
    FIRST_WAVE,
    SECOND_WAVE,
    database_is_empty,
    load_demo_data,
    load_demo_history,
)
from balie.services.insight import statistics
from balie.services.privacy import retention


def _counts(session: Session) -> tuple[int, ...]:
    """Row counts of the demo tables."""
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Service, Topic, StaffMember, StaffService, OpeningHours)
    )


def test_loads_both_waves_and_civil_affairs(session: Session) -> None:
    assert database_is_empty(session)
    report = load_demo_data(session)
    assert report.organisations == 1
    services = {s.slug: s for s in session.exec(select(Service)).all()}
    first = {"energiecentrale", "woonwijzer", "verhuurderspunt", "mobiliteitsbedrijf", "oog"}
    second = {"stedenbouw", "milieu-klimaat", "gas-boetes"}
    assert {slug for slug, s in services.items() if s.live_from == date(2025, 11, 3)} == (
        first | {"burgerzaken"}
    )
    assert {slug for slug, s in services.items() if s.live_from == date(2026, 2, 23)} == second
    for service in services.values():
        assert service.name["nl"] and service.name["en"]
        assert service.description["nl"] and service.description["en"]


def test_civil_affairs_knows_what_cannot_go_by_video(session: Session) -> None:
    load_demo_data(session)
    burgerzaken = session.exec(select(Service).where(Service.slug == "burgerzaken")).one()
    topics = {
        t.slug: t for t in session.exec(select(Topic).where(Topic.service_id == burgerzaken.id))
    }
    assert topics["algemene-vraag"].channel_rule == ChannelRule.VIDEO
    assert topics["identiteitskaart"].channel_rule == ChannelRule.IN_PERSON
    assert "vingerafdrukken" in topics["identiteitskaart"].channel_reason["nl"]
    assert "afhalen" in topics["rijbewijs"].channel_reason["nl"]
    assert topics["paspoort"].channel_reason["en"]


def test_gas_fines_topics(session: Session) -> None:
    load_demo_data(session)
    gas = session.exec(select(Service).where(Service.slug == "gas-boetes")).one()
    slugs = set(session.exec(select(Topic.slug).where(Topic.service_id == gas.id)))
    assert slugs == {"vraag-boete", "niet-akkoord"}


def test_every_service_has_staff_with_weekday_hours(session: Session) -> None:
    load_demo_data(session)
    for service in session.exec(select(Service)).all():
        staff = session.exec(
            select(StaffService.staff_id).where(StaffService.service_id == service.id)
        ).all()
        assert len(staff) >= 2
        weekdays = set(
            session.exec(select(OpeningHours.weekday).where(OpeningHours.service_id == service.id))
        )
        assert weekdays == {0, 1, 2, 3, 4}


def test_loading_twice_adds_nothing(session: Session) -> None:
    load_demo_data(session)
    before = _counts(session)
    report = load_demo_data(session)
    assert report.total() == 0
    assert _counts(session) == before
    assert not database_is_empty(session)


# --- the history of past calls -----------------------------------------------------------------

# Wednesday 4 November 2026, 13:00 in Ghent: a year of history, and "today" is a weekday.
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Brussels")
TODAY = NOW.astimezone(TZ).date()


def _history(session: Session) -> list[Appointment]:
    """Every demo appointment, oldest first (read fresh)."""
    session.expire_all()
    return list(
        session.exec(
            select(Appointment)
            .where(Appointment.is_demo)
            .order_by(Appointment.start_at, Appointment.reference)
        ).all()
    )


def _fingerprint(rows: list[Appointment]) -> list[tuple]:
    """What makes two histories the same (ids aside)."""
    columns = [c.name for c in Appointment.__table__.columns if c.name not in ("id",)]
    return [tuple(getattr(row, name) for name in columns) for row in rows]


@pytest.fixture
def history(session: Session) -> list[Appointment]:
    """The demo catalogue and its history up to NOW."""
    load_demo_data(session)
    added = load_demo_history(session, NOW, 30)
    rows = _history(session)
    assert added == len(rows) > 500
    return rows


def test_history_is_deterministic(session: Session, history: list[Appointment]) -> None:
    first = _fingerprint(history)
    session.exec(delete(Appointment))
    session.commit()
    assert load_demo_history(session, NOW, 30) == len(first)
    assert _fingerprint(_history(session)) == first


def test_history_loads_once(session: Session, history: list[Appointment]) -> None:
    assert load_demo_history(session, NOW, 30) == 0
    assert load_demo_history(session, NOW + timedelta(days=30), 30) == 0
    assert len(_history(session)) == len(history)
    assert session.exec(select(func.count()).select_from(Job)).one() == 0


def test_history_without_the_catalogue_adds_nothing(session: Session) -> None:
    assert load_demo_history(session, NOW, 30) == 0


def test_history_is_past_weekdays_within_opening_hours(
    session: Session, history: list[Appointment]
) -> None:
    closed = holidays.country_holidays("BE", years=[2025, 2026])
    hours = session.exec(select(OpeningHours)).all()
    total = session.exec(select(func.count()).select_from(Appointment)).one()
    assert total == len(history)  # every row is marked as demo data
    for row in history:
        start, end = row.start_at.astimezone(TZ), row.end_at.astimezone(TZ)
        assert FIRST_WAVE <= start.date() < TODAY
        assert start.weekday() < 5 and start.date() not in closed
        service = session.get(Service, row.service_id)
        assert service.live_from <= start.date()
        assert any(
            h.staff_id == row.staff_id
            and h.service_id == row.service_id
            and h.weekday == start.weekday()
            and h.start_time <= start.time()
            and end.time() <= h.end_time
            for h in hours
        ), row.reference
        assert session.get(Topic, row.topic_id).channel_rule == ChannelRule.VIDEO


def test_history_never_overlaps_for_a_counsellor(history: list[Appointment]) -> None:
    per_staff: dict[int, list[Appointment]] = {}
    for row in history:
        per_staff.setdefault(row.staff_id, []).append(row)
    for rows in per_staff.values():
        rows.sort(key=lambda row: row.start_at)
        for earlier, later in pairwise(rows):
            assert earlier.busy_until <= later.start_at, (earlier.reference, later.reference)


def _calls_per_week(rows: list[Appointment], first: date, last: date) -> float:
    """Average number of appointments per week with a start between first and last."""
    count = sum(1 for row in rows if first <= row.start_at.astimezone(TZ).date() <= last)
    return count / (((last - first).days + 1) / 7)


def test_history_grows_after_the_second_wave(session: Session, history: list[Appointment]) -> None:
    before = _calls_per_week(history, FIRST_WAVE, SECOND_WAVE - timedelta(days=1))
    after = _calls_per_week(history, SECOND_WAVE, TODAY - timedelta(days=1))
    assert 3 <= before <= 6.5
    assert 15 <= after <= 30
    assert after > 2.5 * before
    second_wave = set(session.exec(select(Service.id).where(Service.live_from == SECOND_WAVE)))
    assert {row.service_id for row in history} >= second_wave


def test_history_has_a_realistic_mix(history: list[Appointment]) -> None:
    statuses = Counter(row.status for row in history)
    total = len(history)
    assert set(statuses) == {"completed", "cancelled", "no_show"}
    assert 0.04 <= statuses["cancelled"] / total <= 0.13
    assert 0.02 <= statuses["no_show"] / total <= 0.09
    completed = [row for row in history if row.status == "completed"]
    outcomes = Counter(row.outcome for row in completed)
    assert set(outcomes) == {o.value for o in Outcome}
    assert outcomes.most_common(1)[0][0] == Outcome.RESOLVED
    assert all(row.completed_at and row.completed_at > row.end_at for row in completed)
    channels = Counter(row.channel for row in history)
    assert 0.12 <= channels["contact_centre"] / total <= 0.28
    assert channels["web"] + channels["contact_centre"] == total
    scored = [row for row in completed if row.feedback_score is not None]
    assert 0.3 <= len(scored) / len(completed) <= 0.5
    assert sum(1 for row in scored if row.feedback_score >= 4) / len(scored) > 0.7
    assert all(row.end_at < row.feedback_at <= NOW for row in scored)
    assert all(row.feedback_score is None for row in history if row.status != "completed")
    assert 0 < sum(1 for row in history if row.calendar_sequence > 0) < total / 3
    assert all(row.calendar_sequence > 0 for row in history if row.status == "cancelled")
    for row in history:
        lead = row.start_at - row.created_at
        assert timedelta(hours=2) <= lead <= timedelta(days=15), row.reference
        assert row.meeting_state == "ready" and row.join_url.startswith("https://meet.jit.si/")
    assert len({row.join_url for row in history}) == total
    assert len({row.reference for row in history}) == total


def test_old_history_has_its_personal_data_erased(history: list[Appointment]) -> None:
    cutoff = NOW - timedelta(days=30)
    old = [row for row in history if row.end_at < cutoff]
    recent = [row for row in history if row.end_at >= cutoff]
    assert old and recent
    for row in old:
        assert all(getattr(row, name) is None for name in ERASED_FIELDS), row.reference
        assert row.feedback_comment is None
    assert all(row.citizen_name and row.question for row in recent)
    assert all(row.citizen_email.endswith(".invalid") for row in recent)
    assert any(row.staff_note for row in recent if row.status == "completed")
    assert any(row.cancel_reason for row in history if row.status == "cancelled")
    # The retention task finds nothing left to erase in the old rows.
    session = Session.object_session(history[0])
    assert retention.erase_due(session, NOW, 30) == 0


def test_history_gives_the_dashboard_figures(session: Session, history: list[Appointment]) -> None:
    gent = session.exec(select(Organisation)).one()
    period = statistics.default_period(session, gent.id, TODAY)
    figures = statistics.headline(session, gent.id, period)
    assert figures.held > 400 and figures.cancelled > 0 and figures.no_shows > 0
    assert 0 < figures.no_show_rate < 0.1
    weeks = dict(statistics.held_per_week(session, gent.id, period))
    assert sum(weeks["2026-W20"].values()) > sum(weeks["2025-W46"].values()) > 0
    assert weeks["2026-W20"]["stedenbouw"] + weeks["2026-W20"]["gas-boetes"] > 0
    assert (
        sum(
            held
            for _label, month in statistics.held_per_month(session, gent.id, period)
            for held in month.values()
        )
        == figures.held
    )


def test_history_works_around_real_appointments(session: Session) -> None:
    load_demo_data(session)
    # Real calls fill every opening-hours slot of the first week (3-7 November 2025): the
    # history must leave those times alone (the database would refuse an overlap).
    topics = {t.service_id: t.id for t in session.exec(select(Topic))}
    real = 0
    for hours in session.exec(select(OpeningHours)).all():
        service = session.get(Service, hours.service_id)
        length = timedelta(minutes=service.appointment_minutes)
        step = length + timedelta(minutes=service.buffer_minutes)
        wall = datetime.combine(FIRST_WAVE + timedelta(days=hours.weekday), hours.start_time)
        while wall + length <= datetime.combine(wall.date(), hours.end_time):
            start = wall.replace(tzinfo=TZ).astimezone(UTC)
            real += 1
            session.add(
                Appointment(
                    reference=f"REAL-{real:04d}",
                    organisation_id=service.organisation_id,
                    service_id=service.id,
                    topic_id=topics[service.id],
                    staff_id=hours.staff_id,
                    start_at=start,
                    end_at=start + length,
                    busy_until=start + step,
                    status="completed",
                    manage_token_hash=f"real-{real}",
                )
            )
            wall += step
    session.commit()
    assert load_demo_history(session, NOW, 30) > 500
    rows = _history(session)
    assert rows[0].start_at.astimezone(TZ).date() >= FIRST_WAVE + timedelta(days=7)
    assert session.exec(select(func.count()).where(~Appointment.is_demo)).one() == real
