"""Entra ID claims to a staff member: keyed on tid + oid, roles from the token, refusals."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from balie.models import AuditEntry, Organisation, SignInFlow, StaffMember, StaffSession
from balie.services import entra
from balie.services.entra import EntraRefused
from balie.services.staff import staff_auth
from balie.settings import Settings

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
TENANT = "7f3c9a52-5b1e-4d8a-9c0f-2a6b1d3e4f50"
OTHER_TENANT = "0a1b2c3d-0000-4000-8000-00000000beef"
OID = "4d1f7c2a-90b3-4e68-8a15-c3e2b7d90a11"


@pytest.fixture
def gent(session: Session) -> Organisation:
    """The organisation the site serves."""
    organisation = Organisation(slug="gent", name="Stad Gent")
    session.add(organisation)
    session.commit()
    return organisation


@pytest.fixture
def settings() -> Settings:
    """Entra sign-in configured for TENANT (no network is used by these tests)."""
    return Settings(
        _env_file=None,
        organisation="gent",
        entra_tenant_id=TENANT,
        entra_client_id="client",
        entra_client_secret="secret",
    )


def claims(**changes: Any) -> dict[str, Any]:
    """ID-token claims of Eva in TENANT with the app role staff, with changes."""
    base: dict[str, Any] = {
        "tid": TENANT,
        "oid": OID,
        "name": "Eva Entra",
        "preferred_username": "Eva.Entra@stad-gent.example",
        "roles": ["staff"],
    }
    base.update(changes)
    return base


def only_staff(session: Session) -> StaffMember:
    """The single staff member in the database."""
    return session.exec(select(StaffMember)).one()


def test_a_first_sign_in_creates_the_staff_member_with_the_tokens_roles(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    staff, token = entra.sign_in_with_claims(
        session, settings, claims(roles=["staff", "agent", "Approver"]), NOW
    )
    stored = only_staff(session)
    assert stored.id == staff.id
    assert (stored.entra_tenant_id, stored.entra_object_id) == (TENANT, OID)
    assert stored.display_name == "Eva Entra"
    assert stored.email == "Eva.Entra@stad-gent.example"
    assert stored.roles == ["staff", "agent"]  # unknown role values are ignored
    assert stored.password_hash is None and stored.organisation_id == gent.id
    assert staff_auth.staff_for_token(session, token, NOW + timedelta(minutes=1)).id == staff.id
    entry = session.exec(select(AuditEntry)).one()
    assert entry.action == "staff.sign_in" and entry.staff_id == staff.id
    assert entry.detail == {"method": "entra", "roles": ["staff", "agent"], "created": True}


def test_roles_are_replaced_at_every_sign_in(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    entra.sign_in_with_claims(session, settings, claims(roles=["staff", "admin"]), NOW)
    entra.sign_in_with_claims(session, settings, claims(roles=["manager"], name="Eva Renamed"), NOW)
    stored = only_staff(session)
    assert stored.roles == ["manager"]
    assert stored.display_name == "Eva Entra"  # found by tid + oid, not created again
    details = [e.detail for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert [d["created"] for d in details] == [True, False]


def test_an_account_of_another_tenant_is_refused(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(tid=OTHER_TENANT), NOW)
    assert refused.value.reason == "wrong_tenant"
    assert session.exec(select(StaffMember)).all() == []
    assert session.exec(select(StaffSession)).all() == []
    entry = session.exec(select(AuditEntry)).one()
    assert entry.action == "staff.sign_in_refused" and entry.detail["reason"] == "wrong_tenant"


@pytest.mark.parametrize("roles", [None, [], ["Approver"], "staff"])
def test_without_a_known_app_role_sign_in_is_refused(
    session: Session, gent: Organisation, settings: Settings, roles: Any
) -> None:
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(roles=roles), NOW)
    assert refused.value.reason == "no_role"
    assert session.exec(select(StaffMember)).all() == []


def test_an_inactive_staff_member_is_refused_and_keeps_their_roles(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    staff, _token = entra.sign_in_with_claims(session, settings, claims(), NOW)
    staff.active = False
    session.add(staff)
    session.commit()
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(roles=["admin"]), NOW)
    assert refused.value.reason == "inactive"
    session.expire_all()
    assert only_staff(session).roles == ["staff"]
    assert len(session.exec(select(StaffSession)).all()) == 1  # only the first sign-in's


def test_the_same_object_id_in_another_tenant_does_not_match(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    elsewhere = StaffMember(
        organisation_id=gent.id,
        display_name="Someone Else",
        email="someone@elsewhere.example",
        roles=["admin"],
        entra_tenant_id=OTHER_TENANT,
        entra_object_id=OID,
    )
    session.add(elsewhere)
    session.commit()
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(), NOW)
    assert refused.value.reason == "account_conflict"
    assert session.exec(select(StaffSession)).all() == []
    assert only_staff(session).display_name == "Someone Else"


def test_an_existing_local_account_is_never_linked_by_e_mail_address(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    local = StaffMember(
        organisation_id=gent.id,
        display_name="Eva Lokaal",
        email="Eva.Entra@stad-gent.example",
        roles=["admin"],
        password_hash="x",
    )
    session.add(local)
    session.commit()
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(), NOW)
    assert refused.value.reason == "account_conflict"
    stored = only_staff(session)
    assert stored.entra_object_id is None and stored.roles == ["admin"]
    assert session.exec(select(StaffSession)).all() == []


def test_an_account_without_an_object_id_is_refused(
    session: Session, gent: Organisation, settings: Settings
) -> None:
    with pytest.raises(EntraRefused) as refused:
        entra.sign_in_with_claims(session, settings, claims(oid=None), NOW)
    assert refused.value.reason == "entra_failed"


def test_a_flow_is_single_use_and_expires_after_ten_minutes(session: Session) -> None:
    def stored(cookie: str, created: datetime) -> None:
        session.add(
            SignInFlow(
                cookie_hash=entra._cookie_hash(cookie),
                flow={"msal": {"state": "s"}, "return_origin": "http://localhost:3000"},
                created_at=created,
                expires_at=created + entra.FLOW_LIFETIME,
            )
        )
        session.commit()

    stored("fresh", NOW)
    assert entra.take_flow(session, "fresh", NOW + timedelta(minutes=9))["msal"] == {"state": "s"}
    with pytest.raises(EntraRefused) as again:
        entra.take_flow(session, "fresh", NOW + timedelta(minutes=9))
    assert again.value.reason == "entra_expired"
    stored("old", NOW)
    with pytest.raises(EntraRefused) as old:
        entra.take_flow(session, "old", NOW + timedelta(minutes=10))
    assert old.value.reason == "entra_expired"
    assert old.value.return_origin == "http://localhost:3000"
    assert session.exec(select(SignInFlow)).all() == []  # the old one is gone as well
    for hostile in (None, "", 5, "x" * 500, "unknown"):
        with pytest.raises(EntraRefused):
            entra.take_flow(session, hostile, NOW)


def test_sign_in_is_off_without_tenant_client_and_secret() -> None:
    assert Settings(
        _env_file=None, entra_tenant_id="t", entra_client_id="c", entra_client_secret="s"
    ).entra_sign_in_configured
    for missing in ("entra_tenant_id", "entra_client_id", "entra_client_secret"):
        values = {"entra_tenant_id": "t", "entra_client_id": "c", "entra_client_secret": "s"}
        values[missing] = ""
        settings = Settings(_env_file=None, **values)
        assert not settings.entra_sign_in_configured
        with pytest.raises(EntraRefused) as refused:
            entra.build_application(settings)
        assert refused.value.reason == "entra_off"


def test_id_token_claims_must_match_app_nonce_and_lifetime(settings: Settings) -> None:
    flow = {"nonce": "raw-nonce"}
    good = {
        "aud": "client",
        "nonce": hashlib.sha256(b"raw-nonce").hexdigest(),
        "exp": (NOW + timedelta(hours=1)).timestamp(),
    }
    assert entra._claims_belong_to(good, settings, flow, NOW)
    for changes in (
        {"aud": "another-client"},
        {"aud": None},
        {"nonce": "raw-nonce"},  # the unhashed value is never what Entra echoes
        {"nonce": None},
        {"exp": (NOW - timedelta(minutes=6)).timestamp()},
        {"exp": "tomorrow"},
    ):
        assert not entra._claims_belong_to({**good, **changes}, settings, flow, NOW), changes
    assert entra._claims_belong_to({**good, "aud": ["x", "client"]}, settings, flow, NOW)
