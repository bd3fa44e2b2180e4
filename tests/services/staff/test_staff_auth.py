"""Staff sign-in: argon2id passwords, throttling without lock-out, sessions, roles and audit."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlmodel import Session, select

from balie.models import (
    AuditEntry,
    Organisation,
    Service,
    SignInAttempt,
    StaffMember,
    StaffSession,
)
from balie.services.catalogue import get_organisation
from balie.services.client_address import network_of
from balie.services.demo_data import load_demo_data
from balie.services.staff import staff_auth
from balie.services.staff.staff_auth import SignInRefused
from balie.services.staff.staff_day import service_ids_of

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
WRONG = "wrong horse battery!"
EMAIL = "Lies.Baert@stad.gent"
IP = "192.0.2.7"
PRODUCTION_HASHER = staff_auth._hasher


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2id parameters: the tests hash dozens of times on small CI machines."""
    monkeypatch.setattr(staff_auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


@pytest.fixture
def lies(session: Session, gent: Organisation) -> StaffMember:
    """A counsellor with a local password."""
    return staff_auth.create_local_account(
        session, gent.id, EMAIL, "Lies Baert", ["staff"], PASSWORD
    )


def attempts(session: Session) -> list[SignInAttempt]:
    """Every recorded sign-in attempt, oldest first."""
    return list(session.exec(select(SignInAttempt).order_by(SignInAttempt.id)))


def refusal(session: Session, email: str, password: str, now: datetime = NOW) -> str:
    """The reason a sign-in is refused (fails the test when it succeeds)."""
    with pytest.raises(SignInRefused) as refused:
        staff_auth.sign_in_local(session, email, password, IP, now)
    return refused.value.reason


def test_production_hasher_is_argon2id_with_library_defaults() -> None:
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.memory_cost == PasswordHasher().memory_cost >= 65536


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = staff_auth.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert staff_auth.verify_password(hashed, PASSWORD)
    assert not staff_auth.verify_password(hashed, WRONG)
    assert not staff_auth.verify_password(None, PASSWORD)
    assert not staff_auth.verify_password("not a hash", PASSWORD)
    assert not staff_auth.verify_password(hashed, None)  # type: ignore[arg-type]


def test_password_strength() -> None:
    assert staff_auth.check_password_strength("kort") == "error_password_too_short"
    assert staff_auth.check_password_strength("x" * 11) == "error_password_too_short"
    assert staff_auth.check_password_strength("x" * 12) is None
    assert staff_auth.check_password_strength("x" * 5000) == "error_password_too_long"
    assert staff_auth.check_password_strength(None) == "error_password_too_short"  # type: ignore[arg-type]


def test_create_local_account(session: Session, gent: Organisation) -> None:
    energie = session.exec(select(Service.id).where(Service.slug == "energiecentrale")).one()
    staff = staff_auth.create_local_account(
        session, gent.id, EMAIL, "  Lies   Baert ", ["staff", "manager", "staff"], PASSWORD,
        service_ids=[energie],
    )  # fmt: skip
    session.expire_all()
    stored = session.get(StaffMember, staff.id)
    assert stored.email == "Lies.Baert@stad.gent"
    assert stored.display_name == "Lies Baert"
    assert stored.roles == ["staff", "manager"]
    assert stored.password_hash.startswith("$argon2id$")
    assert service_ids_of(session, stored) == {energie}


@pytest.mark.parametrize(
    ("email", "name", "roles", "password", "message"),
    [
        ("lies.baert@STAD.gent", "Lies", ["staff"], PASSWORD, "already exists"),
        ("geen-adres", "Lies", ["staff"], PASSWORD, "Invalid e-mail"),
        ("x@stad.gent", "Lies", ["boss"], PASSWORD, "Unknown role"),
        ("x@stad.gent", "Lies", [], PASSWORD, "at least one role"),
        ("x@stad.gent", "Lies", ["staff"], "kort", "password"),
        ("x@stad.gent", "L", ["staff"], PASSWORD, "name"),
    ],
)
def test_create_refuses(
    session: Session,
    gent: Organisation,
    lies: StaffMember,
    email: str,
    name: str,
    roles: list[str],
    password: str,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        staff_auth.create_local_account(session, gent.id, email, name, roles, password)


def test_sign_in_gives_a_working_token(session: Session, lies: StaffMember) -> None:
    staff, token = staff_auth.sign_in_local(session, "  lies.baert@stad.GENT ", PASSWORD, IP, NOW)
    assert staff.id == lies.id
    assert staff_auth.staff_for_token(session, token, NOW + timedelta(minutes=29)).id == lies.id
    row = session.exec(select(StaffSession)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row.model_dump())
    assert row.expires_at == NOW + staff_auth.SESSION_LIFETIME
    [attempt] = attempts(session)
    assert (attempt.email, attempt.client_ip, attempt.succeeded) == (
        "lies.baert@stad.gent",
        IP,
        True,
    )


def test_wrong_password_is_refused_and_recorded_without_the_password(
    session: Session, lies: StaffMember, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="balie.services.staff.staff_auth"):
        assert refusal(session, EMAIL, WRONG) == "invalid"
    [attempt] = attempts(session)
    assert not attempt.succeeded
    assert WRONG not in repr(attempt.model_dump())
    assert WRONG not in caplog.text
    assert "lies.baert@stad.gent" in caplog.text
    assert IP in caplog.text
    assert session.exec(select(StaffSession)).first() is None


def test_unknown_email_is_refused_the_same_way(session: Session, lies: StaffMember) -> None:
    assert refusal(session, "niemand@stad.gent", PASSWORD) == "invalid"
    assert refusal(session, "", PASSWORD) == "invalid"
    assert refusal(session, None, PASSWORD) == "invalid"  # type: ignore[arg-type]
    with pytest.raises(SignInRefused):
        staff_auth.sign_in_local(session, "lies\x00@stad.gent", PASSWORD, "1.2.3.4\x00" * 20, NOW)
    assert attempts(session)[-1].email == "lies@stad.gent"
    assert len(attempts(session)[-1].client_ip) == staff_auth.IP_MAX
    assert [attempt.succeeded for attempt in attempts(session)] == [False] * 4


def test_accounts_without_password_cannot_sign_in(session: Session, gent: Organisation) -> None:
    demo = session.exec(select(StaffMember)).first()
    assert demo.password_hash is None
    assert refusal(session, demo.email, "") == "invalid"


def wait_of(session: Session, email: str, password: str, now: datetime, ip: str = IP) -> int:
    """The seconds a throttled sign-in is told to wait (fails the test when not throttled)."""
    with pytest.raises(SignInRefused) as refused:
        staff_auth.sign_in_local(session, email, password, ip, now)
    assert refused.value.reason == "rate_limited"
    return refused.value.wait_seconds


def fail(session: Session, email: str, now: datetime, ip: str = IP) -> None:
    """One failed (checked) attempt."""
    with pytest.raises(SignInRefused) as refused:
        staff_auth.sign_in_local(session, email, WRONG, ip, now)
    assert refused.value.reason == "invalid"


def test_owner_signs_in_after_the_delay_despite_an_attackers_failures(
    session: Session, lies: StaffMember
) -> None:
    attacker = "203.0.113.9"
    for second in range(staff_auth.FREE_FAILURES):
        fail(session, EMAIL, NOW + timedelta(seconds=second), attacker)
    last = NOW + timedelta(seconds=staff_auth.FREE_FAILURES - 1)
    delay = staff_auth.account_delay(staff_auth.FREE_FAILURES)
    # Inside the delay even the right password is not checked (from anywhere) ...
    assert wait_of(session, EMAIL, PASSWORD, last + timedelta(seconds=1)) == (
        delay.total_seconds() - 1
    )
    # ... and after it the owner's right password works: no lock-out.
    staff, token = staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, last + delay)
    assert staff.id == lies.id and token
    # Throttled attempts are recorded as such, never as failures.
    assert [(a.succeeded, a.throttled) for a in attempts(session)][-2:] == [
        (False, True),
        (True, False),
    ]


def test_the_delay_grows_with_each_failure_up_to_the_cap(
    session: Session, lies: StaffMember
) -> None:
    now = NOW
    waits = []
    for failures in range(1, 12):
        fail(session, EMAIL, now)
        delay = staff_auth.account_delay(failures)
        if delay:
            waits.append(wait_of(session, EMAIL, PASSWORD, now))
        now += delay
    assert waits == sorted(waits) and waits[0] == 8 and waits[-1] == 300
    assert len(set(waits)) > 3
    # A success resets the account's count.
    staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, now)
    fail(session, EMAIL, now + timedelta(seconds=1))
    staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, now + timedelta(seconds=2))


def test_the_address_limit_refuses_the_21st_attempt_while_another_address_works(
    session: Session, lies: StaffMember
) -> None:
    flood, other = "198.51.100.20", "203.0.113.50"
    for number in range(20):
        fail(session, f"gok{number}@stad.gent", NOW + timedelta(seconds=number), flood)
    later = NOW + timedelta(seconds=30)
    assert 0 < wait_of(session, "nog.een@stad.gent", WRONG, later, flood) <= 600
    assert wait_of(session, EMAIL, PASSWORD, later, flood) > 0  # any account, even a right one
    assert staff_auth.sign_in_local(session, EMAIL, PASSWORD, other, later)[0].id == lies.id
    # The window slides: ten minutes after the first failure one attempt is free again.
    free = NOW + staff_auth.LIMIT_WINDOW
    assert staff_auth.sign_in_local(session, EMAIL, PASSWORD, flood, free)[0].id == lies.id


def test_the_network_limit_covers_neighbouring_addresses(
    session: Session, lies: StaffMember
) -> None:
    limits = staff_auth.SignInLimits(per_address=20, per_network=30)
    for number in range(30):
        with pytest.raises(SignInRefused):
            staff_auth.sign_in_local(
                session, f"gok{number}@stad.gent", WRONG, f"198.51.100.{number}", NOW, limits=limits
            )
    with pytest.raises(SignInRefused) as refused:
        staff_auth.sign_in_local(session, EMAIL, PASSWORD, "198.51.100.200", NOW, limits=limits)
    assert refused.value.reason == "rate_limited"
    assert staff_auth.sign_in_local(session, EMAIL, PASSWORD, "198.51.101.1", NOW, limits=limits)
    v6 = [f"2001:db8:0:1{n:02x}::1" for n in range(30)]  # one /56
    assert len({network_of(address) for address in v6}) == 1
    for number, address in enumerate(v6):
        with pytest.raises(SignInRefused):
            staff_auth.sign_in_local(
                session, f"v6{number}@stad.gent", WRONG, address, NOW, limits=limits
            )
    with pytest.raises(SignInRefused):
        staff_auth.sign_in_local(session, EMAIL, PASSWORD, "2001:db8:0:1ff::9", NOW, limits=limits)


def test_a_spray_is_audited_once_per_window(
    session: Session, gent: Organisation, lies: StaffMember
) -> None:
    spray = "198.51.100.77"
    for number in range(staff_auth.SPRAY_ACCOUNTS + 3):
        with pytest.raises(SignInRefused):
            staff_auth.sign_in_local(
                session, f"gok{number}@stad.gent", WRONG, spray, NOW, organisation_id=gent.id
            )
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.action == staff_auth.SPRAY_ACTION)
    ).all()
    assert len(entries) == 1
    assert entries[0].detail["address"] == spray
    assert entries[0].detail["accounts"] == staff_auth.SPRAY_ACCOUNTS
    # The same failures on one account are no spray.
    for second in range(staff_auth.SPRAY_ACCOUNTS + 3):
        fail(session, EMAIL, NOW + timedelta(hours=2, seconds=second * 600), "198.51.100.78")
    assert len(session.exec(select(AuditEntry)).all()) == 1
    sprays, throttled = staff_auth.throttle_report(session, gent.id, NOW + timedelta(minutes=1))
    assert [entry.detail["address"] for entry in sprays] == [spray]
    assert throttled == []


def test_throttled_addresses_are_reported(
    session: Session, gent: Organisation, lies: StaffMember
) -> None:
    for number in range(22):
        with pytest.raises(SignInRefused):
            staff_auth.sign_in_local(session, f"gok{number}@stad.gent", WRONG, "198.51.100.5", NOW)
    _sprays, throttled = staff_auth.throttle_report(session, gent.id, NOW)
    assert [(ip, count) for ip, count, _last in throttled] == [("198.51.100.5", 2)]


def test_failures_of_another_address_do_not_count(session: Session, lies: StaffMember) -> None:
    for _ in range(staff_auth.FREE_FAILURES + 2):
        refusal(session, "iemand.anders@stad.gent", WRONG)
    assert staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)[0].id == lies.id


def test_idle_sessions_end_and_activity_is_written_at_most_once_a_minute(
    session: Session, lies: StaffMember
) -> None:
    _, token = staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)
    idle = timedelta(minutes=30)
    row = session.exec(select(StaffSession)).one()
    assert row.last_seen_at == NOW
    assert staff_auth.check_session(session, token, NOW + timedelta(seconds=30), idle, touch=True)
    assert session.exec(select(StaffSession)).one().last_seen_at == NOW  # throttled
    moment = NOW + timedelta(minutes=20)
    assert staff_auth.check_session(session, token, moment, idle, touch=False)
    assert session.exec(select(StaffSession)).one().last_seen_at == NOW  # passive: no write
    assert staff_auth.check_session(session, token, moment, idle, touch=True)
    assert session.exec(select(StaffSession)).one().last_seen_at == moment
    assert staff_auth.staff_for_token(session, token, moment + idle - timedelta(seconds=1), idle)
    assert staff_auth.staff_for_token(session, token, moment + idle, idle) is None
    assert not staff_auth.check_session(session, token, moment + idle, idle, touch=True)


def test_expired_and_ended_sessions(session: Session, lies: StaffMember) -> None:
    _, token = staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)
    expiry, busy = NOW + staff_auth.SESSION_LIFETIME, staff_auth.SESSION_LIFETIME
    assert staff_auth.staff_for_token(session, token, expiry - timedelta(seconds=1), busy)
    assert staff_auth.staff_for_token(session, token, expiry, busy) is None
    staff_auth.end_session(session, token, NOW + timedelta(minutes=5))
    assert staff_auth.staff_for_token(session, token, NOW + timedelta(minutes=6)) is None
    assert session.exec(select(StaffSession)).one().revoked_at == NOW + timedelta(minutes=5)
    staff_auth.end_session(session, "onbekend", NOW)
    staff_auth.end_session(session, None, NOW)


@pytest.mark.parametrize("token", [None, "", "onbekend", "x" * 5000, 42, b"bytes", "\x00"])
def test_odd_tokens_give_nobody(session: Session, lies: StaffMember, token: object) -> None:
    staff_auth.start_session(session, lies, NOW)
    assert staff_auth.staff_for_token(session, token, NOW) is None  # type: ignore[arg-type]


def test_inactive_staff_lose_their_session_and_cannot_sign_in(
    session: Session, lies: StaffMember
) -> None:
    _, token = staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)
    lies.active = False
    session.add(lies)
    session.commit()
    assert staff_auth.staff_for_token(session, token, NOW) is None
    assert refusal(session, EMAIL, PASSWORD) == "invalid"
    assert [attempt.succeeded for attempt in attempts(session)] == [True, False]


def test_outdated_hash_is_replaced_on_sign_in(session: Session, lies: StaffMember) -> None:
    weak_hasher = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    lies.password_hash = weak_hasher.hash(PASSWORD)
    session.add(lies)
    session.commit()
    staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)
    session.expire_all()
    renewed = session.get(StaffMember, lies.id).password_hash
    assert renewed.startswith("$argon2id$")
    assert extract_parameters(renewed) == extract_parameters(staff_auth.hash_password("x"))
    assert staff_auth.verify_password(renewed, PASSWORD)


def test_set_password_ends_open_sessions(session: Session, lies: StaffMember) -> None:
    _, token = staff_auth.sign_in_local(session, EMAIL, PASSWORD, IP, NOW)
    assert staff_auth.set_password(session, lies, "a brand new passphrase", NOW) == 1
    assert staff_auth.staff_for_token(session, token, NOW) is None
    assert refusal(session, EMAIL, PASSWORD) == "invalid"
    assert staff_auth.sign_in_local(session, EMAIL, "a brand new passphrase", IP, NOW)
    with pytest.raises(ValueError, match="password"):
        staff_auth.set_password(session, lies, "kort", NOW)


def test_roles(session: Session, gent: Organisation, lies: StaffMember) -> None:
    assert staff_auth.has_role(lies, "staff")
    assert staff_auth.has_role(lies, "manager", "staff")
    assert not staff_auth.has_role(lies, "manager", "admin")
    assert not staff_auth.has_role(None, "staff")
    assert staff_auth.require_role(lies, "staff") is lies
    with pytest.raises(PermissionError):
        staff_auth.require_role(lies, "admin")
    with pytest.raises(PermissionError):
        staff_auth.require_role(None, "staff")
    lies.active = False
    assert not staff_auth.has_role(lies, "staff")


def test_audit_joins_the_callers_transaction(
    session: Session, gent: Organisation, lies: StaffMember
) -> None:
    staff_auth.audit(session, lies, "edit_hours", "openinghours", 7, at=NOW, weekday=2)
    staff_auth.audit(session, None, "system_cleanup", organisation_id=gent.id, at=NOW)
    assert session.exec(select(AuditEntry)).first() is not None  # autoflush, not yet committed
    session.rollback()
    assert session.exec(select(AuditEntry)).first() is None
    staff_auth.audit(session, lies, "edit_hours", "openinghours", 7, at=NOW, weekday=2)
    session.commit()
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.organisation_id, entry.staff_id, entry.action) == (gent.id, lies.id, "edit_hours")
    assert (entry.target_type, entry.target_id, entry.detail, entry.at) == (
        "openinghours",
        7,
        {"weekday": 2},
        NOW,
    )
    with pytest.raises(ValueError, match="organisation_id"):
        staff_auth.audit(session, None, "nothing")
