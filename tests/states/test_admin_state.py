"""The administrators' states: only a signed-in, active administrator changes anything, and
every argument from the browser is checked (types, bounds, own organisation)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import AuditEntry, Organisation, Service, StaffMember, StaffService, Topic
from balie.services import catalogue_admin as admin_service
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email, load_demo_data
from balie.services.staff import staff_auth
from balie.states.admin import AuditState, CatalogueAdminState, StaffAdminState

HOSTILE: list[Any] = [None, 0, -1, "999999", "x", {}, [], True, 1.5, 10**12, "1; DROP TABLE"]
STATES = (CatalogueAdminState, StaffAdminState, AuditState)


def member(session: Session, name: str) -> StaffMember:
    """A demo staff member by display name."""
    return session.exec(select(StaffMember).where(StaffMember.email == demo_email(name))).one()


def token_for(session: Session, staff: StaffMember) -> str:
    """A live session token for ``staff``."""
    return staff_auth.start_session(session, staff, utcnow())


def with_cookie(state_class: type, token: str) -> Any:
    """A state of ``state_class`` on a connection whose cookie carries ``token``."""
    state = state_class(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"cookie": f"balie_staff={token}"}})
    return state


@pytest.fixture
def demo(session: Session, app_database: Engine) -> Organisation:
    """The demo data of Ghent, in the database the app uses."""
    load_demo_data(session)
    return session.exec(select(Organisation).where(Organisation.slug == "gent")).one()


@pytest.fixture
def els(session: Session, demo: Organisation) -> StaffMember:
    """The demo manager and administrator."""
    return member(session, DEMO_MANAGER[0])


def manager_only(session: Session, demo: Organisation) -> StaffMember:
    """A manager who is not an administrator."""
    person = StaffMember(
        organisation_id=demo.id,
        display_name="Mia Manager",
        email="mia@x.invalid",
        roles=["manager"],
    )
    session.add(person)
    session.commit()
    return person


def snapshot(session: Session) -> tuple:
    """Everything an administrator could change, to compare before and after."""
    session.expire_all()
    return (
        [
            (s.id, s.slug, s.name, s.appointment_minutes, s.active)
            for s in session.exec(select(Service))
        ],
        [
            (t.id, t.slug, t.channel_rule, t.channel_reason, t.active)
            for t in session.exec(select(Topic))
        ],
        [(m.id, m.display_name, m.roles, m.active) for m in session.exec(select(StaffMember))],
        sorted((r.staff_id, r.service_id) for r in session.exec(select(StaffService))),
        len(session.exec(select(AuditEntry)).all()),
    )


def energie(session: Session) -> tuple[Service, Topic]:
    """The Energiecentrale and its first topic."""
    service = session.exec(select(Service).where(Service.slug == "energiecentrale")).one()
    topic = session.exec(
        select(Topic).where(Topic.service_id == service.id, Topic.slug == "renovatieadvies")
    ).one()
    return service, topic


def service_form(service: Service, **changes: str) -> dict[str, str]:
    """The service's own values as a form, with ``changes``."""
    return {**admin_service.service_values(service), **changes}


def call_every_handler(session: Session, token: str) -> list[Any]:
    """Call every public handler of the three states as the holder of ``token``."""
    service, topic = energie(session)
    lotte = member(session, "Lotte Claeys")
    catalogue = with_cookie(CatalogueAdminState, token)
    results = [CatalogueAdminState.load.fn(catalogue)]
    CatalogueAdminState.edit_service.fn(catalogue, service.id)
    CatalogueAdminState.new_service.fn(catalogue)
    CatalogueAdminState.close_service.fn(catalogue)
    # Pretend a form was open (as if the role was taken away meanwhile).
    catalogue._service_id, catalogue.service_mode = service.id, "edit"
    catalogue._topic_id, catalogue.topic_mode = topic.id, "edit"
    CatalogueAdminState.save_service.fn(catalogue, service_form(service, name_nl="Gehackt"))
    CatalogueAdminState.edit_topic.fn(catalogue, topic.id)
    CatalogueAdminState.new_topic.fn(catalogue)
    CatalogueAdminState.close_topic.fn(catalogue)
    catalogue._service_id, catalogue.service_mode = service.id, "edit"
    catalogue._topic_id, catalogue.topic_mode = topic.id, "edit"
    CatalogueAdminState.save_topic.fn(
        catalogue, {**admin_service.topic_values(topic), "channel_rule": "in_person"}
    )
    catalogue._service_id, catalogue._topic_id = service.id, topic.id
    catalogue.confirm_remove = "topic"  # as if a forged page had already asked
    CatalogueAdminState.remove_topic.fn(catalogue)
    catalogue._service_id, catalogue.confirm_remove = service.id, "service"
    CatalogueAdminState.remove_service.fn(catalogue)
    assert catalogue.services == [] and catalogue.topics == [] and catalogue.service_values == {}

    staff = with_cookie(StaffAdminState, token)
    results.append(StaffAdminState.load.fn(staff))
    StaffAdminState.edit_staff.fn(staff, lotte.id)
    StaffAdminState.new_staff.fn(staff)
    StaffAdminState.close_staff.fn(staff)
    staff._staff_id, staff.staff_mode = lotte.id, "edit"
    StaffAdminState.save_staff.fn(staff, {"display_name": "X", "role_admin": "on", "active": "on"})
    staff._staff_id, staff.staff_mode = 0, "new"
    StaffAdminState.save_staff.fn(
        staff, {"display_name": "Indringer", "email": "in@x.invalid", "role_admin": "on"}
    )
    assert staff.rows == [] and staff.staff_values == {}

    audit = with_cookie(AuditState, token)
    results.append(AuditState.load.fn(audit))
    AuditState.apply_filters.fn(audit, {"action_prefix": ""})
    AuditState.clear_filters.fn(audit)
    audit.has_next = True
    AuditState.next_page.fn(audit)
    AuditState.previous_page.fn(audit)
    assert audit.rows == [] and audit.staff_options == []
    return results


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(CatalogueAdminState.event_handlers) == [
        "close_service",
        "close_topic",
        "edit_service",
        "edit_topic",
        "keep",
        "load",
        "new_service",
        "new_topic",
        "remove_service",
        "remove_topic",
        "save_service",
        "save_topic",
        "setvar",
    ]
    assert sorted(StaffAdminState.event_handlers) == [
        "close_staff",
        "edit_staff",
        "load",
        "new_staff",
        "save_staff",
        "setvar",
    ]
    assert sorted(AuditState.event_handlers) == [
        "apply_filters",
        "clear_filters",
        "load",
        "next_page",
        "previous_page",
        "setvar",
    ]


@pytest.mark.parametrize("token", ["", "not-a-session", "x" * 5000])
def test_without_a_session_every_handler_is_refused(
    session: Session, demo: Organisation, token: str
) -> None:
    before = snapshot(session)
    results = call_every_handler(session, token)
    assert all(result is not None for result in results)  # each page sends you to sign in
    assert snapshot(session) == before


@pytest.mark.parametrize("who", ["Lotte Claeys", DEMO_AGENT[0], "manager"])
def test_other_roles_are_refused_everywhere(session: Session, demo: Organisation, who: str) -> None:
    person = manager_only(session, demo) if who == "manager" else member(session, who)
    token = token_for(session, person)
    before = snapshot(session)
    results = call_every_handler(session, token)
    assert results == [None, None, None]
    for state_class in STATES:
        state = with_cookie(state_class, token)
        state_class.load.fn(state)
        assert state.access_denied and state.display_name == person.display_name  # menu stays
    assert snapshot(session) == before


def test_an_administrator_who_loses_the_role_meanwhile_changes_nothing(
    session: Session, demo: Organisation
) -> None:
    bea = StaffMember(
        organisation_id=demo.id, display_name="Bea Beheer", email="bea@x.invalid", roles=["admin"]
    )
    session.add(bea)
    session.commit()
    token = token_for(session, bea)
    service, topic = energie(session)
    state = with_cookie(CatalogueAdminState, token)
    CatalogueAdminState.load.fn(state)
    CatalogueAdminState.edit_service.fn(state, service.id)
    CatalogueAdminState.edit_topic.fn(state, topic.id)
    assert state.service_mode == "edit" and state.topic_mode == "edit"
    bea.roles = ["manager"]
    session.commit()
    before = snapshot(session)
    CatalogueAdminState.save_topic.fn(
        state, {**admin_service.topic_values(topic), "channel_rule": "in_person"}
    )
    CatalogueAdminState.save_service.fn(state, service_form(service, name_nl="Weg"))
    CatalogueAdminState.remove_service.fn(state)
    assert snapshot(session) == before
    assert state.services == [] and state.service_mode == "" and state.display_name == ""


def admin_catalogue(session: Session, els: StaffMember) -> CatalogueAdminState:
    """The catalogue state of the signed-in administrator, loaded."""
    state = with_cookie(CatalogueAdminState, token_for(session, els))
    assert CatalogueAdminState.load.fn(state) is None
    assert len(state.services) == 9 and not state.access_denied
    return state


def test_an_administrator_edits_a_service_and_a_topic(session: Session, els: StaffMember) -> None:
    state = admin_catalogue(session, els)
    service, topic = energie(session)
    CatalogueAdminState.edit_service.fn(state, str(service.id))
    assert state.service_values["slug"] == "energiecentrale"
    assert [row.slug for row in state.topics] == ["renovatieadvies", "energiepremies"]
    version = state.form_version
    CatalogueAdminState.save_service.fn(state, service_form(service, appointment_minutes="50"))
    assert state.message == "admin_service_saved" and state.message_at == "service"
    assert state.form_version > version
    CatalogueAdminState.edit_topic.fn(state, topic.id)
    CatalogueAdminState.save_topic.fn(
        state,
        {
            **admin_service.topic_values(topic),
            "channel_rule": "needs_signature",
            "reason_nl": "Je moet tekenen.",
            "unexpected": ["x"],
        },
    )
    assert state.message == "admin_topic_saved" and state.message_at == "topic"
    session.expire_all()
    assert session.get(Service, service.id).appointment_minutes == 50
    stored = session.get(Topic, topic.id)
    assert stored.channel_rule == "needs_signature" and stored.channel_reason == {
        "nl": "Je moet tekenen."
    }
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["catalogue_service_update", "catalogue_topic_update"]
    assert next(row for row in state.topics if row.id == topic.id).rule == "needs_signature"


def test_errors_keep_what_was_typed(session: Session, els: StaffMember) -> None:
    state = admin_catalogue(session, els)
    service, topic = energie(session)
    CatalogueAdminState.edit_service.fn(state, service.id)
    version = state.form_version
    typed = service_form(service, slug="Niet Goed", name_en="Energy", horizon_days="999")
    result = CatalogueAdminState.save_service.fn(state, typed)
    assert result is not None  # focus moves to the first field with an error
    assert state.service_errors == {
        "slug": "admin_error_slug_format",
        "horizon_days": "admin_error_range_horizon_days",
    }
    assert state.service_values["slug"] == "Niet Goed"
    assert state.service_values["name_en"] == "Energy"
    assert state.problem == "admin_form_has_errors" and state.message == ""
    assert state.form_version == version  # the form is not re-drawn: the typing stays
    CatalogueAdminState.edit_topic.fn(state, topic.id)
    CatalogueAdminState.save_topic.fn(
        state, {**admin_service.topic_values(topic), "reason_nl": "Waarom"}
    )
    assert state.topic_errors == {"reason_nl": "admin_error_reason_with_video"}
    assert state.topic_values["reason_nl"] == "Waarom"
    session.expire_all()
    assert session.get(Service, service.id).slug == "energiecentrale"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_find_nothing(session: Session, els: StaffMember, value: Any) -> None:
    state = admin_catalogue(session, els)
    before = snapshot(session)
    CatalogueAdminState.edit_service.fn(state, value)
    assert state.service_mode == "" and state.problem == "admin_not_found"
    service, _topic = energie(session)
    CatalogueAdminState.edit_service.fn(state, service.id)
    CatalogueAdminState.edit_topic.fn(state, value)
    assert state.topic_mode == "" and state.problem == "admin_not_found"
    for form in (value, "x" * 10, {f"f{i}": "" for i in range(1000)}, {1: "x"}):
        CatalogueAdminState.edit_service.fn(state, service.id)
        CatalogueAdminState.save_service.fn(state, form)
        CatalogueAdminState.new_topic.fn(state)
        CatalogueAdminState.save_topic.fn(state, form)
    staff_state = with_cookie(StaffAdminState, token_for(session, els))
    StaffAdminState.load.fn(staff_state)
    StaffAdminState.edit_staff.fn(staff_state, value)
    assert staff_state.staff_mode == "" and staff_state.problem == "admin_not_found"
    audit_state = with_cookie(AuditState, token_for(session, els))
    AuditState.load.fn(audit_state)
    AuditState.apply_filters.fn(audit_state, value)
    AuditState.apply_filters.fn(audit_state, {"staff_id": value, "date_from": value})
    after = snapshot(session)
    assert after[:4] == before[:4]
    assert after[4] == before[4]  # nothing was written to the audit log either


def test_records_of_another_organisation_are_not_found(session: Session, els: StaffMember) -> None:
    city = Organisation(slug="aalst", name="Stad Aalst")
    session.add(city)
    session.flush()
    theirs = Service(
        organisation_id=city.id,
        slug="x",
        name={"nl": "X"},
        description={},
        live_from=utcnow().date(),
    )
    session.add(theirs)
    session.flush()
    their_topic = Topic(service_id=theirs.id, slug="y", name={"nl": "Y"})
    their_staff = StaffMember(organisation_id=city.id, display_name="Ann", email="a@x.invalid")
    session.add_all([their_topic, their_staff])
    session.commit()
    state = admin_catalogue(session, els)
    CatalogueAdminState.edit_service.fn(state, theirs.id)
    assert state.service_mode == "" and [s.slug for s in state.services].count("x") == 0
    service, _topic = energie(session)
    CatalogueAdminState.edit_service.fn(state, service.id)
    CatalogueAdminState.edit_topic.fn(state, their_topic.id)
    assert state.topic_mode == "" and state.problem == "admin_not_found"
    # A topic of another service of the same organisation is not edited under this one.
    woon = session.exec(select(Service).where(Service.slug == "woonwijzer")).one()
    woon_topic = session.exec(select(Topic).where(Topic.service_id == woon.id)).first()
    CatalogueAdminState.edit_service.fn(state, service.id)
    CatalogueAdminState.edit_topic.fn(state, woon_topic.id)
    assert state.topic_mode == ""
    staff_state = with_cookie(StaffAdminState, token_for(session, els))
    StaffAdminState.load.fn(staff_state)
    assert "a@x.invalid" not in [row.email for row in staff_state.rows]
    StaffAdminState.edit_staff.fn(staff_state, their_staff.id)
    assert staff_state.staff_mode == ""


def test_new_service_then_its_first_topic_then_removal(session: Session, els: StaffMember) -> None:
    state = admin_catalogue(session, els)
    CatalogueAdminState.new_service.fn(state)
    form = {
        **state.service_values,
        "slug": "burgerbudget",
        "name_nl": "Burgerbudget",
        "live_from": utcnow().date().isoformat(),
    }
    CatalogueAdminState.save_service.fn(state, form)
    assert state.message == "admin_service_created" and state.service_mode == "edit"
    assert len(state.services) == 10 and state.topics == []
    CatalogueAdminState.new_topic.fn(state)
    CatalogueAdminState.save_topic.fn(
        state, {**state.topic_values, "slug": "vraag", "name_nl": "Een vraag"}
    )
    assert state.message == "admin_topic_created" and [t.slug for t in state.topics] == ["vraag"]
    CatalogueAdminState.remove_topic.fn(state)  # asks first: nothing deleted yet
    assert state.confirm_remove == "topic" and [t.slug for t in state.topics] == ["vraag"]
    CatalogueAdminState.keep.fn(state)
    CatalogueAdminState.remove_topic.fn(state)
    assert state.confirm_remove == "topic" and [t.slug for t in state.topics] == ["vraag"]
    CatalogueAdminState.remove_topic.fn(state)  # "Ja, verwijderen"
    assert state.message == "admin_topic_deleted" and state.topics == []
    CatalogueAdminState.remove_service.fn(state)
    assert state.confirm_remove == "service" and len(state.services) == 10
    CatalogueAdminState.remove_service.fn(state)
    assert state.message == "admin_service_deleted" and state.message_at == "page"
    assert state.service_mode == "" and len(state.services) == 9


def admin_staff(session: Session, els: StaffMember) -> StaffAdminState:
    """The staff state of the signed-in administrator, loaded."""
    state = with_cookie(StaffAdminState, token_for(session, els))
    assert StaffAdminState.load.fn(state) is None
    return state


def test_an_administrator_adds_and_changes_staff(session: Session, els: StaffMember) -> None:
    state = admin_staff(session, els)
    lotte = next(row for row in state.rows if row.display_name == "Lotte Claeys")
    assert lotte.roles == {"nl": "Medewerker (gesprekken)", "en": "Counsellor (calls)"}
    assert lotte.services["nl"] == "Verhuurderspunt" and lotte.sign_in == "admin_sign_in_none"
    StaffAdminState.new_staff.fn(state)
    service, _topic = energie(session)
    StaffAdminState.save_staff.fn(
        state,
        {
            "display_name": "An Peeters",
            "email": "an@stad.gent",
            "role_staff": "on",
            f"service_{service.id}": "on",
            "active": "on",
        },
    )
    assert state.message == "admin_staff_created" and state.editing_email == "an@stad.gent"
    assert next(c for c in state.service_choices if c.id == service.id).checked
    StaffAdminState.edit_staff.fn(state, lotte.id)
    values = dict(state.staff_values)
    StaffAdminState.save_staff.fn(state, {**values, "role_agent": "on", "active": ""})
    assert state.message == "admin_staff_saved"
    session.expire_all()
    stored = session.get(StaffMember, lotte.id)
    assert stored.roles == ["staff", "agent"] and not stored.active


def test_a_staff_form_error_keeps_the_ticks(session: Session, els: StaffMember) -> None:
    state = admin_staff(session, els)
    service, _topic = energie(session)
    StaffAdminState.new_staff.fn(state)
    StaffAdminState.save_staff.fn(
        state,
        {"display_name": "An", "email": "an@", "role_agent": "on", f"service_{service.id}": "on"},
    )
    assert state.staff_errors == {"email": "admin_error_email_invalid"}
    assert state.staff_values["email"] == "an@" and state.staff_values["role_agent"] == "on"
    assert next(c for c in state.service_choices if c.id == service.id).checked
    assert state.problem == "admin_form_has_errors"


def test_an_administrator_cannot_lock_themselves_out(session: Session, els: StaffMember) -> None:
    state = admin_staff(session, els)
    StaffAdminState.edit_staff.fn(state, els.id)
    values = dict(state.staff_values)
    StaffAdminState.save_staff.fn(state, {**values, "role_admin": ""})
    assert state.staff_errors == {"roles": "admin_error_own_admin_role"}
    StaffAdminState.save_staff.fn(state, {**values, "active": ""})
    assert state.staff_errors == {"active": "admin_error_deactivate_self"}
    session.expire_all()
    assert session.get(StaffMember, els.id).roles == ["manager", "admin"]
    # Dropping the manager role is allowed, and the menu follows at once.
    StaffAdminState.save_staff.fn(state, {**values, "role_manager": ""})
    assert state.message == "admin_staff_saved" and state.roles == ["admin"]


def test_the_audit_page_lists_filters_and_pages(session: Session, els: StaffMember) -> None:
    now = utcnow()
    for minute in range(55):
        session.add(
            AuditEntry(
                organisation_id=els.organisation_id,
                staff_id=els.id,
                action="read_day_list" if minute % 5 else "catalogue_topic_update",
                target_type="day",
                detail={"count": minute},
                at=now - timedelta(minutes=minute),
            )
        )
    session.commit()
    state = with_cookie(AuditState, token_for(session, els))
    AuditState.load.fn(state)
    assert len(state.rows) == 50 and state.rows[0].who == "Els Van Acker"
    assert state.rows[0].summary == "count: 0" and state.has_next and not state.has_previous
    assert "Els Van Acker" in [option.name for option in state.staff_options]
    AuditState.next_page.fn(state)
    assert len(state.rows) == 5 and state.page_number == 2 and not state.has_next
    AuditState.next_page.fn(state)
    assert state.page_number == 2
    AuditState.previous_page.fn(state)
    AuditState.previous_page.fn(state)
    assert state.page_number == 1
    AuditState.apply_filters.fn(state, {"action_prefix": "catalogue_", "staff_id": str(els.id)})
    assert len(state.rows) == 11 and state.page_number == 1
    assert {row.action for row in state.rows} == {"catalogue_topic_update"}
    AuditState.apply_filters.fn(state, {"action_prefix": "<script>", "date_from": "2026-02-30"})
    assert state.filter_errors == {
        "action_prefix": "admin_error_action_prefix",
        "date_from": "admin_error_date_format",
    }
    assert state.filter_values["action_prefix"] == "<script>"
    assert len(state.rows) == 11  # the last good filter still applies
    AuditState.clear_filters.fn(state)
    assert len(state.rows) == 50 and state.filter_errors == {}


@pytest.mark.parametrize("who", ["admin", "manager", "counsellor", "nobody"])
def test_only_administrators_see_sign_in_sprays_and_throttled_addresses(
    session: Session, demo: Organisation, els: StaffMember, who: str
) -> None:
    for number in range(staff_auth.SPRAY_ACCOUNTS + 20):
        with pytest.raises(staff_auth.SignInRefused):
            staff_auth.sign_in_local(
                session, f"gok{number}@x.invalid", "fout", "198.51.100.66", utcnow(),
                organisation_id=demo.id,
            )  # fmt: skip
    people = {
        "admin": els,
        "manager": manager_only(session, demo),
        "counsellor": member(session, "Lotte Claeys"),
    }
    token = token_for(session, people[who]) if who in people else "geen-sessie"
    audit = with_cookie(AuditState, token)
    AuditState.load.fn(audit)
    if who != "admin":
        assert audit.sign_in_alerts == [] and audit.rows == []
        return
    kinds = {(alert.kind, alert.source) for alert in audit.sign_in_alerts}
    assert kinds == {
        ("spray", "198.51.100.66"),
        ("spray", "198.51.100.0/24"),
        ("throttled", "198.51.100.66"),
    }
    throttled = next(alert for alert in audit.sign_in_alerts if alert.kind == "throttled")
    assert throttled.count == staff_auth.SPRAY_ACCOUNTS
