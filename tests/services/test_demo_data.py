"""The Ghent demo data: complete, in both languages, and idempotent."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from balie.models import ChannelRule, OpeningHours, Service, StaffMember, StaffService, Topic
from balie.services.demo_data import database_is_empty, load_demo_data


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
