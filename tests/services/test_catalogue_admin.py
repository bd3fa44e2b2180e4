"""Administrators manage services, topics and staff; every change is checked and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AuditEntry,
    ChannelRule,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import catalogue_admin as admin_service
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.catalogue import get_organisation, live_services
from balie.services.catalogue_admin import AuditFilter, Invalid, NotFound
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data

TODAY = date(2026, 3, 25)
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def gent(session: Session) -> Organisation:
    """The demo data of Ghent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def member(session: Session, name: str) -> StaffMember:
    """A demo staff member by display name."""
    return session.exec(select(StaffMember).where(StaffMember.email == demo_email(name))).one()


@pytest.fixture
def els(gent: Organisation, session: Session) -> StaffMember:
    """The demo manager who is also an administrator."""
    return member(session, DEMO_MANAGER[0])


def service_named(session: Session, slug: str) -> Service:
    """A demo service by slug."""
    return session.exec(select(Service).where(Service.slug == slug)).one()


def topic_named(session: Session, service: Service, slug: str) -> Topic:
    """A topic of ``service`` by slug."""
    return session.exec(
        select(Topic).where(Topic.service_id == service.id, Topic.slug == slug)
    ).one()


def service_form(**changes: Any) -> dict[str, Any]:
    """A valid form for a new service, with ``changes``."""
    form = {
        "slug": "burgerbudget",
        "name_nl": "Burgerbudget",
        "name_en": "",
        "description_nl": "Vragen over het burgerbudget.",
        "description_en": "",
        "live_from": "2026-04-01",
        "appointment_minutes": "30",
        "buffer_minutes": "5",
        "min_notice_minutes": "120",
        "horizon_days": "42",
        "sort_order": "20",
        "active": "on",
    }
    form.update(changes)
    return form


def topic_form(**changes: Any) -> dict[str, Any]:
    """A valid form for a new video topic, with ``changes``."""
    form = {
        "slug": "aanvraag",
        "name_nl": "Een aanvraag indienen",
        "name_en": "Submitting an application",
        "channel_rule": "video",
        "reason_nl": "",
        "reason_en": "",
        "preparation_nl": "Houd je plan bij de hand.",
        "preparation_en": "",
        "sort_order": "0",
        "active": "on",
    }
    form.update(changes)
    return form


def entries(session: Session, action: str) -> list[AuditEntry]:
    """The audit entries with this action, oldest first."""
    return list(
        session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    )


def book(session: Session, service: Service, topic: Topic, staff: StaffMember) -> Appointment:
    """An appointment for ``topic`` with ``staff`` next week."""
    reference = new_reference()
    start = NOW + timedelta(days=7)
    appointment = Appointment(
        reference=reference,
        organisation_id=service.organisation_id,
        service_id=service.id,
        topic_id=topic.id,
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        busy_until=start + timedelta(minutes=40),
        citizen_name="Burger",
        manage_token_hash=token_hash(manage_token_for(reference, "s")),
    )
    session.add(appointment)
    session.commit()
    return appointment


def other_city(session: Session) -> tuple[Organisation, Service, Topic, StaffMember]:
    """A second organisation with a service, a topic and a staff member."""
    city = Organisation(slug="aalst", name="Stad Aalst")
    session.add(city)
    session.flush()
    service = Service(
        organisation_id=city.id,
        slug="burgerzaken",
        name={"nl": "Burgerzaken"},
        description={},
        live_from=TODAY,
    )
    session.add(service)
    session.flush()
    topic = Topic(service_id=service.id, slug="vraag", name={"nl": "Vraag"})
    person = StaffMember(organisation_id=city.id, display_name="Ann", email="ann@aalst.invalid")
    session.add_all([topic, person])
    session.commit()
    return city, service, topic, person


# --- services -------------------------------------------------------------------------------


def test_a_new_service_is_stored_and_audited(session: Session, els: StaffMember) -> None:
    service = admin_service.create_service(
        session, els, service_form(slug=" Burger-Budget "), TODAY
    )
    assert service.slug == "burger-budget"
    assert service.name == {"nl": "Burgerbudget"}  # English is optional and left out when empty
    assert (service.appointment_minutes, service.buffer_minutes) == (30, 5)
    assert service.live_from == date(2026, 4, 1) and service.active
    [entry] = entries(session, "catalogue_service_create")
    assert entry.staff_id == els.id and entry.target_id == service.id
    assert entry.detail["after"]["slug"] == "burger-budget"
    assert entry.detail["after"]["live_from"] == "2026-04-01"
    assert [s.slug for s in live_services(session, els.organisation_id, date(2026, 4, 1))][
        -1
    ] == "burger-budget"


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"slug": ""}, "slug", "admin_error_slug_required"),
        ({"slug": "Energie Centrale!"}, "slug", "admin_error_slug_format"),
        ({"slug": "a--b"}, "slug", "admin_error_slug_format"),
        ({"slug": "-a"}, "slug", "admin_error_slug_format"),
        ({"slug": "a" * 65}, "slug", "admin_error_slug_format"),
        ({"slug": "energiecentrale"}, "slug", "admin_error_slug_taken"),
        ({"name_nl": "   "}, "name_nl", "admin_error_name_nl_required"),
        ({"name_en": "x" * 201}, "name_en", "admin_error_too_long"),
        ({"description_nl": "x" * 1001}, "description_nl", "admin_error_too_long"),
        ({"live_from": "2026-02-30"}, "live_from", "admin_error_date_format"),
        ({"live_from": "30-03-2026"}, "live_from", "admin_error_date_format"),
        ({"live_from": None}, "live_from", "admin_error_date_format"),
        ({"live_from": "1999-12-31"}, "live_from", "admin_error_date_range"),
        ({"live_from": "2030-01-01"}, "live_from", "admin_error_date_range"),
        (
            {"appointment_minutes": "4"},
            "appointment_minutes",
            "admin_error_range_appointment_minutes",
        ),
        (
            {"appointment_minutes": "481"},
            "appointment_minutes",
            "admin_error_range_appointment_minutes",
        ),
        (
            {"appointment_minutes": "1.5"},
            "appointment_minutes",
            "admin_error_range_appointment_minutes",
        ),
        (
            {"appointment_minutes": True},
            "appointment_minutes",
            "admin_error_range_appointment_minutes",
        ),
        ({"buffer_minutes": "-1"}, "buffer_minutes", "admin_error_range_buffer_minutes"),
        ({"buffer_minutes": "241"}, "buffer_minutes", "admin_error_range_buffer_minutes"),
        (
            {"min_notice_minutes": "abc"},
            "min_notice_minutes",
            "admin_error_range_min_notice_minutes",
        ),
        ({"horizon_days": "0"}, "horizon_days", "admin_error_range_horizon_days"),
        ({"horizon_days": "367"}, "horizon_days", "admin_error_range_horizon_days"),
        ({"sort_order": [1]}, "sort_order", "admin_error_range_sort_order"),
        (
            {"horizon_days": "1", "min_notice_minutes": "1440"},
            "min_notice_minutes",
            "admin_error_notice_beyond_horizon",
        ),
    ],
)
def test_service_form_errors_name_the_field(
    session: Session, els: StaffMember, changes: dict[str, Any], field: str, key: str
) -> None:
    before = session.exec(select(Service.id)).all()
    with pytest.raises(Invalid) as problem:
        admin_service.create_service(session, els, service_form(**changes), TODAY)
    assert problem.value.errors == {field: key}
    assert session.exec(select(Service.id)).all() == before
    assert entries(session, "catalogue_service_create") == []


def test_bounds_themselves_are_accepted(session: Session, els: StaffMember) -> None:
    service = admin_service.create_service(
        session,
        els,
        service_form(
            appointment_minutes="480",
            buffer_minutes="0",
            min_notice_minutes="0",
            horizon_days="366",
            live_from="2000-01-01",
        ),
        TODAY,
    )
    assert (service.appointment_minutes, service.horizon_days) == (480, 366)
    other = admin_service.create_service(
        session, els, service_form(slug="twee", appointment_minutes="5", horizon_days="1"), TODAY
    )
    assert other.appointment_minutes == 5


def test_a_form_that_is_not_a_mapping_is_an_empty_form(session: Session, els: StaffMember) -> None:
    with pytest.raises(Invalid) as problem:
        admin_service.create_service(session, els, ["slug", "x"], TODAY)
    assert problem.value.errors["slug"] == "admin_error_slug_required"
    assert problem.value.errors["name_nl"] == "admin_error_name_nl_required"


def test_slugs_are_unique_per_organisation_only(session: Session, els: StaffMember) -> None:
    other_city(session)  # Aalst also has "burgerzaken"
    service = admin_service.create_service(session, els, service_form(slug="nieuw"), TODAY)
    with pytest.raises(Invalid) as problem:
        admin_service.update_service(
            session, els, service.id, service_form(slug="burgerzaken"), TODAY, NOW
        )
    assert problem.value.errors == {"slug": "admin_error_slug_taken"}
    same = admin_service.update_service(
        session, els, service.id, service_form(slug="nieuw", name_nl="Nieuw"), TODAY, NOW
    )
    assert same.slug == "nieuw" and same.name == {"nl": "Nieuw"}


def test_an_update_audits_only_what_changed(session: Session, els: StaffMember) -> None:
    service = service_named(session, "energiecentrale")
    form = admin_service.service_values(service)
    form.update(appointment_minutes="60", name_en="Energy Centre Ghent")
    admin_service.update_service(session, els, str(service.id), form, TODAY, NOW)
    session.expire_all()
    stored = session.get(Service, service.id)
    assert stored.appointment_minutes == 60 and stored.updated_at == NOW
    [entry] = entries(session, "catalogue_service_update")
    assert entry.detail["before"] == {
        "name": {"nl": "Energiecentrale", "en": "Energy Centre"},
        "appointment_minutes": 45,
    }
    assert entry.detail["after"] == {
        "name": {"nl": "Energiecentrale", "en": "Energy Centre Ghent"},
        "appointment_minutes": 60,
    }
    assert entry.detail["slug"] == "energiecentrale"
    summary = admin_service.summarise(entry.detail)
    assert "appointment_minutes: 45 → 60" in summary
    # Saving the same values again changes nothing, so nothing is written to the log.
    admin_service.update_service(
        session, els, service.id, admin_service.service_values(stored), TODAY, NOW
    )
    assert len(entries(session, "catalogue_service_update")) == 1


def test_services_of_another_organisation_cannot_be_reached(
    session: Session, els: StaffMember
) -> None:
    _city, service, topic, person = other_city(session)
    for wrong in (service.id, str(service.id), 0, -1, "x", None, 10**12, True):
        with pytest.raises(NotFound):
            admin_service.update_service(session, els, wrong, service_form(), TODAY, NOW)
        with pytest.raises(NotFound):
            admin_service.remove_service(session, els, wrong, NOW)
        with pytest.raises(NotFound):
            admin_service.create_topic(session, els, wrong, topic_form())
    for wrong in (topic.id, "x", None):
        with pytest.raises(NotFound):
            admin_service.update_topic(session, els, wrong, topic_form())
        with pytest.raises(NotFound):
            admin_service.remove_topic(session, els, wrong)
    with pytest.raises(NotFound):
        admin_service.update_staff(session, els, person.id, {"role_staff": "on"})
    session.expire_all()
    assert session.get(Service, service.id).slug == "burgerzaken"
    assert session.get(Topic, topic.id) is not None


def test_a_service_without_appointments_is_deleted_with_its_topics(
    session: Session, els: StaffMember
) -> None:
    service = service_named(session, "milieu-klimaat")
    topic_ids = [t.id for t in admin_service.list_topics(session, els.organisation_id, service.id)]
    assert admin_service.remove_service(session, els, service.id, NOW) == "deleted"
    session.expire_all()
    assert session.get(Service, service.id) is None
    assert all(session.get(Topic, topic_id) is None for topic_id in topic_ids)
    assert (
        session.exec(select(OpeningHours).where(OpeningHours.service_id == service.id)).all() == []
    )
    assert (
        session.exec(select(StaffService).where(StaffService.service_id == service.id)).all() == []
    )
    [entry] = entries(session, "catalogue_service_delete")
    assert entry.target_id == service.id and entry.detail["before"]["slug"] == "milieu-klimaat"


def test_a_service_with_appointments_is_only_switched_off(
    session: Session, els: StaffMember
) -> None:
    service = service_named(session, "woonwijzer")
    topic = topic_named(session, service, "huurvragen")
    book(session, service, topic, member(session, "Tom Verstraete"))
    assert admin_service.remove_service(session, els, service.id, NOW) == "deactivated"
    session.expire_all()
    assert session.get(Service, service.id).active is False
    assert "woonwijzer" not in [s.slug for s in live_services(session, els.organisation_id, TODAY)]
    assert len(entries(session, "catalogue_service_deactivate")) == 1
    assert admin_service.remove_topic(session, els, topic.id) == "deactivated"
    session.expire_all()
    assert session.get(Topic, topic.id).active is False


def test_list_services_shows_inactive_ones_with_topic_counts(
    session: Session, els: StaffMember
) -> None:
    service = service_named(session, "oog")
    service.active = False
    session.commit()
    rows = admin_service.list_services(session, els.organisation_id)
    assert len(rows) == 9
    oog = next(row for row in rows if row.slug == "oog")
    assert oog.active is False and oog.topic_count == 2
    assert next(row for row in rows if row.slug == "burgerzaken").topic_count == 8


# --- topics ---------------------------------------------------------------------------------


def test_a_topic_that_needs_a_signature_shows_its_own_reason(
    session: Session, els: StaffMember
) -> None:
    service = service_named(session, "energiecentrale")
    topic = topic_named(session, service, "energiepremies")
    form = admin_service.topic_values(topic)
    form.update(channel_rule="needs_signature", reason_nl="Je moet het formulier tekenen.")
    admin_service.update_topic(session, els, topic.id, form)
    [view] = [
        s for s in live_services(session, els.organisation_id, TODAY) if s.slug == service.slug
    ]
    shown = next(t for t in view.topics if t.slug == "energiepremies")
    assert not shown.video_allowed
    assert shown.reason["nl"] == "Je moet het formulier tekenen."
    assert shown.reason["en"].startswith("You need to sign")  # the standard sentence
    [entry] = entries(session, "catalogue_topic_update")
    assert entry.detail["before"] == {"channel_rule": "video", "channel_reason": {}}
    assert entry.detail["after"] == {
        "channel_rule": "needs_signature",
        "channel_reason": {"nl": "Je moet het formulier tekenen."},
    }
    assert entry.detail["service"] == "energiecentrale"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"reason_nl": "Waarom niet"}, {"reason_nl": "admin_error_reason_with_video"}),
        (
            {"reason_nl": "a", "reason_en": "b"},
            {
                "reason_nl": "admin_error_reason_with_video",
                "reason_en": "admin_error_reason_with_video",
            },
        ),
        ({"channel_rule": "carrier pigeon"}, {"channel_rule": "admin_error_channel_rule"}),
        ({"channel_rule": None}, {"channel_rule": "admin_error_channel_rule"}),
        ({"slug": "renovatieadvies"}, {"slug": "admin_error_topic_slug_taken"}),
        ({"slug": "Nee!"}, {"slug": "admin_error_slug_format"}),
        ({"name_nl": ""}, {"name_nl": "admin_error_name_nl_required"}),
        ({"preparation_en": "x" * 1001}, {"preparation_en": "admin_error_too_long"}),
        (
            {"channel_rule": "in_person", "reason_nl": "x" * 501},
            {"reason_nl": "admin_error_too_long"},
        ),
        ({"sort_order": "10000"}, {"sort_order": "admin_error_range_sort_order"}),
        (
            {"identification_level": "very"},
            {"identification_level": "admin_error_identification_level"},
        ),
    ],
)
def test_topic_form_errors_name_the_field(
    session: Session, els: StaffMember, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    service = service_named(session, "energiecentrale")
    with pytest.raises(Invalid) as problem:
        admin_service.create_topic(session, els, service.id, topic_form(**changes))
    assert problem.value.errors == errors
    assert len(admin_service.list_topics(session, els.organisation_id, service.id)) == 2


def test_a_topic_gets_the_identification_level_it_needs(session: Session, els: StaffMember) -> None:
    service = service_named(session, "energiecentrale")
    form = topic_form(channel_rule="needs_identification", identification_level="high")
    topic = admin_service.create_topic(session, els, service.id, form)
    assert topic.identification_level == "high"
    assert admin_service.topic_values(topic)["identification_level"] == "high"
    [entry] = entries(session, "catalogue_topic_create")
    assert entry.detail["after"]["identification_level"] == "high"


def test_a_topic_slug_may_repeat_in_another_service(session: Session, els: StaffMember) -> None:
    service = service_named(session, "woonwijzer")
    topic = admin_service.create_topic(
        session, els, service.id, topic_form(slug="renovatieadvies", active="")
    )
    assert topic.slug == "renovatieadvies" and topic.active is False
    assert topic.name == {"nl": "Een aanvraag indienen", "en": "Submitting an application"}
    [entry] = entries(session, "catalogue_topic_create")
    assert entry.detail["after"]["channel_rule"] == "video"
    assert admin_service.remove_topic(session, els, topic.id) == "deleted"
    assert session.get(Topic, topic.id) is None
    assert (
        entries(session, "catalogue_topic_delete")[0].detail["before"]["slug"] == "renovatieadvies"
    )


# --- staff ----------------------------------------------------------------------------------


def staff_form(**changes: Any) -> dict[str, Any]:
    """A valid form for a new counsellor."""
    form = {"display_name": "An Peeters", "email": "An.Peeters@stad.gent", "role_staff": "on"}
    form.update(changes)
    return form


def test_a_new_staff_member_is_stored_without_password(session: Session, els: StaffMember) -> None:
    energie = service_named(session, "energiecentrale")
    created = admin_service.create_staff(
        session, els, staff_form(**{f"service_{energie.id}": "on", "role_agent": "on"})
    )
    assert created.roles == ["staff", "agent"] and created.password_hash is None
    assert created.email == "An.Peeters@stad.gent"
    assert session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == created.id)
    ).all() == [energie.id]
    [entry] = entries(session, "staff_member_create")
    assert entry.detail["after"]["services"] == [energie.id]
    assert "password" not in str(entry.detail)
    listed = next(
        row
        for row in admin_service.list_staff(session, els.organisation_id)
        if row.id == created.id
    )
    assert listed.has_password is False and listed.service_ids == (energie.id,)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        # The address is taken, whatever its case.
        ({"email": "an.peeters@STAD.gent"}, {"email": "admin_error_email_taken"}),
        ({"email": ""}, {"email": "admin_error_email_required"}),
        ({"email": "an@stad"}, {"email": "admin_error_email_invalid"}),
        ({"display_name": "A"}, {"display_name": "admin_error_display_name"}),
        ({"role_staff": ""}, {"roles": "admin_error_roles_required"}),
        ({"role_root": "on"}, {"roles": "admin_error_role_unknown"}),
        ({"service_999999": "on"}, {"services": "admin_error_service_unknown"}),
        ({"service_abc": "on"}, {"services": "admin_error_service_unknown"}),
    ],
)
def test_staff_form_errors_name_the_field(
    session: Session, els: StaffMember, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    admin_service.create_staff(session, els, staff_form())
    count = len(admin_service.list_staff(session, els.organisation_id))
    form = staff_form(email="ander@stad.gent")
    form.update(changes)
    with pytest.raises(Invalid) as problem:
        admin_service.create_staff(session, els, form)
    assert problem.value.errors == errors
    assert len(admin_service.list_staff(session, els.organisation_id)) == count


def test_a_service_of_another_organisation_cannot_be_given(
    session: Session, els: StaffMember
) -> None:
    _city, service, _topic, _person = other_city(session)
    lotte = member(session, "Lotte Claeys")
    form = admin_service.staff_values(session, lotte)
    form[f"service_{service.id}"] = "on"
    with pytest.raises(Invalid) as problem:
        admin_service.update_staff(session, els, lotte.id, form)
    assert problem.value.errors == {"services": "admin_error_service_unknown"}


def test_roles_and_services_are_changed_with_before_and_after(
    session: Session, els: StaffMember
) -> None:
    lotte = member(session, "Lotte Claeys")
    verhuur, woon = service_named(session, "verhuurderspunt"), service_named(session, "woonwijzer")
    form = admin_service.staff_values(session, lotte)
    assert form[f"service_{verhuur.id}"] == "on" and form["role_staff"] == "on"
    form.update({"role_manager": "on", f"service_{woon.id}": "on"})
    admin_service.update_staff(session, els, lotte.id, form)
    session.expire_all()
    assert session.get(StaffMember, lotte.id).roles == ["staff", "manager"]
    [entry] = entries(session, "staff_member_update")
    assert entry.detail["before"] == {"roles": ["staff"], "services": [verhuur.id]}
    assert entry.detail["after"] == {
        "roles": ["staff", "manager"],
        "services": sorted([verhuur.id, woon.id]),
    }


def test_an_admin_cannot_lock_themselves_out(session: Session, els: StaffMember) -> None:
    form = admin_service.staff_values(session, els)
    assert form["role_admin"] == "on"
    with pytest.raises(Invalid) as problem:
        admin_service.update_staff(session, els, els.id, {**form, "role_admin": ""})
    assert problem.value.errors == {"roles": "admin_error_own_admin_role"}
    with pytest.raises(Invalid) as problem:
        admin_service.update_staff(session, els, els.id, {**form, "active": ""})
    assert problem.value.errors == {"active": "admin_error_deactivate_self"}
    session.expire_all()
    stored = session.get(StaffMember, els.id)
    assert stored.active and "admin" in stored.roles
    assert entries(session, "staff_member_update") == []
    # Dropping another role of their own is fine.
    admin_service.update_staff(session, els, els.id, {**form, "role_manager": ""})
    assert session.get(StaffMember, els.id).roles == ["admin"]


def test_another_admin_can_be_switched_off(session: Session, els: StaffMember) -> None:
    lotte = member(session, "Lotte Claeys")
    service = service_named(session, "verhuurderspunt")
    book(session, service, topic_named(session, service, "verhuren"), lotte)
    form = admin_service.staff_values(session, lotte)
    admin_service.update_staff(session, els, lotte.id, {**form, "active": ""})
    session.expire_all()
    assert session.get(StaffMember, lotte.id).active is False
    assert admin_service.future_appointments(session, lotte.id, NOW) == 1
    [entry] = entries(session, "staff_member_update")
    assert entry.detail == {"before": {"active": True}, "after": {"active": False}}


def test_only_active_admins_may_change_anything(session: Session, els: StaffMember) -> None:
    lotte = member(session, "Lotte Claeys")
    manager = StaffMember(
        organisation_id=els.organisation_id,
        display_name="Mia",
        email="mia@x.invalid",
        roles=["manager"],
    )
    session.add(manager)
    session.commit()
    service = service_named(session, "energiecentrale")
    topic = topic_named(session, service, "renovatieadvies")
    calls = [
        lambda who: admin_service.create_service(session, who, service_form(), TODAY),
        lambda who: admin_service.update_service(
            session, who, service.id, service_form(), TODAY, NOW
        ),
        lambda who: admin_service.remove_service(session, who, service.id, NOW),
        lambda who: admin_service.create_topic(session, who, service.id, topic_form()),
        lambda who: admin_service.update_topic(session, who, topic.id, topic_form()),
        lambda who: admin_service.remove_topic(session, who, topic.id),
        lambda who: admin_service.create_staff(session, who, staff_form()),
        lambda who: admin_service.update_staff(session, who, lotte.id, staff_form()),
    ]
    els.active = False
    session.commit()
    for who in (manager, lotte, els, None):
        for call in calls:
            with pytest.raises(PermissionError):
                call(who)
    assert session.exec(select(AuditEntry)).all() == []


# --- the audit log --------------------------------------------------------------------------


def log(
    session: Session, staff: StaffMember | None, action: str, at: datetime, **detail: Any
) -> None:
    """An audit entry at ``at``."""
    session.add(
        AuditEntry(
            organisation_id=staff.organisation_id if staff else 1,
            staff_id=staff.id if staff else None,
            action=action,
            target_type="x",
            target_id=1,
            detail=detail,
            at=at,
        )
    )
    session.commit()


def test_the_audit_log_is_newest_first_with_names_and_paging(
    session: Session, els: StaffMember
) -> None:
    lotte = member(session, "Lotte Claeys")
    for minute in range(5):
        log(
            session,
            lotte if minute % 2 else els,
            f"read_day_list_{minute}",
            NOW + timedelta(minutes=minute),
        )
    first = admin_service.read_audit(session, els.organisation_id, AuditFilter(), BRUSSELS, 0, 2)
    assert [row.action for row in first.rows] == ["read_day_list_4", "read_day_list_3"]
    assert [row.staff_name for row in first.rows] == ["Els Van Acker", "Lotte Claeys"]
    assert (first.has_previous, first.has_next) == (False, True)
    last = admin_service.read_audit(session, els.organisation_id, AuditFilter(), BRUSSELS, 2, 2)
    assert [row.action for row in last.rows] == ["read_day_list_0"]
    assert (last.has_previous, last.has_next) == (True, False)
    by_lotte = admin_service.read_audit(
        session, els.organisation_id, AuditFilter(staff_id=lotte.id), BRUSSELS
    )
    assert [row.action for row in by_lotte.rows] == ["read_day_list_3", "read_day_list_1"]


def test_the_audit_log_filters_by_prefix_and_local_dates(
    session: Session, els: StaffMember
) -> None:
    # 23:30 UTC on 24 March is already 25 March in Brussels.
    log(session, els, "catalogue_topic_update", datetime(2026, 3, 24, 23, 30, tzinfo=UTC))
    log(session, els, "catalogueXtopic", datetime(2026, 3, 24, 22, 30, tzinfo=UTC))
    log(session, els, "staff_member_update", datetime(2026, 3, 26, 9, 0, tzinfo=UTC))
    _city, _service, _topic, ann = other_city(session)
    log(session, ann, "catalogue_topic_update", NOW)  # another organisation: never shown

    def actions(**filters: Any) -> list[str]:
        page = admin_service.read_audit(
            session, els.organisation_id, AuditFilter(**filters), BRUSSELS
        )
        return [row.action for row in page.rows]

    assert actions(action_prefix="catalogue_") == ["catalogue_topic_update"]  # "_" is literal
    assert actions(date_from=date(2026, 3, 25), date_to=date(2026, 3, 25)) == [
        "catalogue_topic_update"
    ]
    assert actions(date_to=date(2026, 3, 24)) == ["catalogueXtopic"]
    assert actions(date_from=date(2026, 3, 26)) == ["staff_member_update"]
    assert len(actions()) == 3


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"action_prefix": "DROP TABLE;"}, {"action_prefix": "admin_error_action_prefix"}),
        ({"action_prefix": "a" * 65}, {"action_prefix": "admin_error_action_prefix"}),
        ({"staff_id": "999999"}, {"staff_id": "admin_error_staff_unknown"}),
        ({"staff_id": "abc"}, {"staff_id": "admin_error_staff_unknown"}),
        ({"date_from": "2026-13-01"}, {"date_from": "admin_error_date_format"}),
        ({"date_to": "gisteren"}, {"date_to": "admin_error_date_format"}),
        (
            {"date_from": "2026-03-26", "date_to": "2026-03-25"},
            {"date_to": "admin_error_date_order"},
        ),
    ],
)
def test_audit_filters_are_checked(
    session: Session, els: StaffMember, form: dict[str, Any], errors: dict[str, str]
) -> None:
    with pytest.raises(Invalid) as problem:
        admin_service.check_audit_filter(session, els.organisation_id, form)
    assert problem.value.errors == errors


def test_audit_filter_of_another_organisations_staff_is_refused(
    session: Session, els: StaffMember
) -> None:
    _city, _service, _topic, ann = other_city(session)
    with pytest.raises(Invalid):
        admin_service.check_audit_filter(session, els.organisation_id, {"staff_id": str(ann.id)})
    chosen = admin_service.check_audit_filter(
        session,
        els.organisation_id,
        {"action_prefix": " Catalogue_ ", "staff_id": str(els.id), "date_from": "2026-03-01"},
    )
    assert chosen == AuditFilter("catalogue_", els.id, date(2026, 3, 1), None)


def test_summaries_are_short_and_readable() -> None:
    assert admin_service.summarise({"day": "2026-03-25", "count": 3}) == "day: 2026-03-25; count: 3"
    assert (
        admin_service.summarise({"before": {"active": True}, "after": {"active": False}})
        == "active: True → False"
    )
    assert admin_service.summarise({"after": {"roles": ["staff"], "name": {}}}) == (
        "roles: staff; name: –"
    )
    assert len(admin_service.summarise({"x": "y" * 1000})) == admin_service.SUMMARY_MAX


def test_topic_and_service_values_round_trip(session: Session, els: StaffMember) -> None:
    burger = service_named(session, "burgerzaken")
    topic = topic_named(session, burger, "identiteitskaart")
    values = admin_service.topic_values(topic)
    assert values["channel_rule"] == ChannelRule.IN_PERSON.value
    assert values["reason_nl"].startswith("Voor een identiteitskaart")
    admin_service.update_topic(session, els, topic.id, values)
    assert entries(session, "catalogue_topic_update") == []  # nothing changed
    assert admin_service.service_values(None)["appointment_minutes"] == "30"
    assert admin_service.topic_values(None)["channel_rule"] == "video"


def test_a_topic_lists_the_documents_it_asks_for(session: Session, els: StaffMember) -> None:
    service = service_named(session, "energiecentrale")
    topic = topic_named(session, service, "energiepremies")
    assert [d["nl"] for d in topic.documents_requested] == [
        "Facturen van de werken",
        "Energieprestatiecertificaat (EPC)",
    ]
    form = admin_service.topic_values(topic)
    form.update(documents_nl="Loonfiche\n\n  Attest van de bank  \n", documents_en="Payslip")
    admin_service.update_topic(session, els, topic.id, form)
    session.expire_all()
    assert session.get(Topic, topic.id).documents_requested == [
        {"nl": "Loonfiche", "en": "Payslip"},
        {"nl": "Attest van de bank"},
    ]
    [entry] = entries(session, "catalogue_topic_update")
    assert entry.detail["after"]["documents_requested"][0] == {"nl": "Loonfiche", "en": "Payslip"}
    assert admin_service.topic_values(session.get(Topic, topic.id))["documents_nl"] == (
        "Loonfiche\nAttest van de bank"
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"documents_nl": "\n".join(f"Doc {n}" for n in range(11))}, "documents_nl"),
        ({"documents_nl": "x" * 121}, "documents_nl"),
        ({"documents_nl": "Eén", "documents_en": "One\nTwo"}, "documents_en"),
    ],
)
def test_the_documents_list_is_checked(
    session: Session, els: StaffMember, changes: dict, errors: str
) -> None:
    service = service_named(session, "energiecentrale")
    topic = topic_named(session, service, "energiepremies")
    form = {**admin_service.topic_values(topic), **changes}
    with pytest.raises(admin_service.Invalid) as invalid:
        admin_service.update_topic(session, els, topic.id, form)
    assert errors in invalid.value.errors
