"""Two cities in one database for the isolation tests: Ghent (A, the demo data) and Kleinegem (B).

Every row of B carries text found nowhere else ("Zwaluw", "Kleinegem"), so a test can search a
state or an HTTP answer for B's private data. Hosts are bound to organisations through
``add_host`` only: the one place to adapt when the host table changes.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any

import pytest
from sqlmodel import Session, select

from balie import models
from balie.db_types import utcnow
from balie.models import (
    CITY_ROLES,
    Appointment,
    AppointmentStatus,
    AuditEntry,
    AvailabilityException,
    Document,
    DocumentStatus,
    Job,
    OpeningHours,
    Organisation,
    Role,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import demo_look, org_settings, tenancy
from balie.services.abuse import api_keys
from balie.services.booking import manage_token_for, new_reference, token_hash
from balie.services.demo_data import load_demo_data
from balie.services.documents import vault
from balie.services.staff import staff_auth
from balie.settings import get_settings

HOST_A = "balie.gent.test"
HOST_B = "videoloket.kleinegem.test"
UNKNOWN_HOST = "balie.nergensdorp.test"
PASSWORD = "een-lang-wachtwoord-2026"
SHARED_EMAIL = "dubbel.zwaluw@beide-steden.test"  # a person employed by both cities
ROLE_NAMES = {
    Role.STAFF: "counsellor",
    Role.AGENT: "agent",
    Role.MANAGER: "manager",
    Role.ADMIN: "admin",
}


@dataclass
class City:
    """One organisation's rows, ids and secrets as the tests need them."""

    organisation: Organisation
    host: str
    services: list[Service] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # staff session token per role name
    appointments: list[Appointment] = field(default_factory=list)
    manage_tokens: dict[str, str] = field(default_factory=dict)  # reference -> token
    closures: list[AvailabilityException] = field(default_factory=list)
    leaves: list[AvailabilityException] = field(default_factory=list)
    hours: list[OpeningHours] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    api_keys: list[models.ApiKey] = field(default_factory=list)
    api_key_secret: str = ""
    secrets: dict[str, str] = field(default_factory=dict)  # plain SMTP password, client secret
    private: set[str] = field(default_factory=set)  # text of this city nobody else may see
    catalogue: set[str] = field(default_factory=set)  # of those, what its own host shows anyone

    @property
    def slug(self) -> str:
        """The organisation's slug."""
        return self.organisation.slug


@dataclass
class TwoCities:
    """City A (where the caller works and connects) and city B (the target)."""

    a: City
    b: City


def add_host(session: Session, organisation: Organisation, host: str) -> None:
    """Serve ``organisation`` at ``host`` (the only place that knows how hosts are stored).

    Without the host table (main before multi-organisation) the host can only be allowed in
    the settings, where it serves the one configured organisation: the tests then fail.
    """
    host_model = getattr(models, "OrganisationHost", None)
    if host_model is None:
        allowed = json.loads(_UNBOUND.get("hosts", "[]"))
        _UNBOUND["hosts"] = json.dumps([*allowed, host])
        return
    is_primary = session.exec(
        select(host_model).where(host_model.organisation_id == organisation.id)
    ).first()
    session.add(
        host_model(organisation_id=organisation.id, host=host, is_primary=is_primary is None)
    )
    session.commit()
    forget = getattr(tenancy, "forget_hosts", None)  # a cached host map must see the new row
    if forget is not None:
        forget()


# Hosts that could not be stored in a table (see add_host); the fixture allows them by setting.
_UNBOUND: dict[str, str] = {}


def allow_unbound_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow the hosts add_host could not bind (a no-op once the host table exists)."""
    hosts = _UNBOUND.pop("hosts", None)
    if hosts is not None:
        monkeypatch.setenv("BALIE_ALLOWED_HOSTS", hosts)
        get_settings.cache_clear()


@lru_cache(maxsize=4)
def _password_hash(password: str) -> str:
    """The stored form of ``password``, computed once (hashing is slow on purpose)."""
    return staff_auth.hash_password(password)


def _staff(
    session: Session, city: City, roles: list[str], name: str, email: str, password: bool = False
) -> StaffMember:
    """A staff member of ``city`` with a live session (token kept under its first role)."""
    member = StaffMember(
        organisation_id=city.organisation.id,
        display_name=name,
        email=email,
        roles=roles,
        password_hash=_password_hash(PASSWORD) if password else None,
    )
    session.add(member)
    session.commit()
    return member


def _sign_in(session: Session, city: City, key: str, member: StaffMember) -> None:
    """Give ``member`` a live session and remember it under ``key``."""
    city.staff[key] = member
    city.tokens[key] = staff_auth.start_session(session, member, utcnow())
    session.commit()
    city.private.add(city.tokens[key])


def _service(session: Session, city: City, slug: str, name: str, topic: str) -> Service:
    """A live video service with one video topic and one that needs identification."""
    service = Service(
        organisation_id=city.organisation.id,
        slug=slug,
        name={"nl": name, "en": f"{name} (EN)"},
        description={"nl": f"Uitleg {name}", "en": f"About {name}"},
        live_from=date.today() - timedelta(days=60),
        min_notice_minutes=0,
        appointment_minutes=15,
    )
    session.add(service)
    session.commit()
    city.services.append(service)
    for order, (topic_slug, level) in enumerate(((topic, "none"), (f"{topic}-id", "substantial"))):
        row = Topic(
            service_id=service.id,
            slug=topic_slug,
            name={"nl": f"{name} onderwerp {order}", "en": f"{name} topic {order}"},
            channel_reason={},
            preparation={"nl": f"Voorbereiding {name}", "en": f"Preparation {name}"},
            identification_level=level,
            sort_order=order,
        )
        session.add(row)
        session.commit()
        city.topics.append(row)
    texts = {name, f"Uitleg {name}", f"Voorbereiding {name}"}
    city.private |= texts
    city.catalogue |= texts | {"Kleinegem Zwaluwstad"}
    return service


def _appointment(
    session: Session, city: City, service: Service, staff: StaffMember, minutes: int, who: str
) -> Appointment:
    """An appointment ``minutes`` from now with a citizen whose details are all unique."""
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    reference = new_reference()
    token = manage_token_for(reference, get_settings().secret_key.get_secret_value())
    email = f"{who.lower().replace(' ', '.')}@burger.test"
    phone = f"+32 470 {zlib.crc32(who.encode()) % 900000 + 100000}"
    appointment = Appointment(
        reference=reference,
        organisation_id=city.organisation.id,
        service_id=service.id,
        topic_id=next(t.id for t in city.topics if t.service_id == service.id),
        staff_id=staff.id,
        start_at=start,
        end_at=start + timedelta(minutes=15),
        busy_until=start + timedelta(minutes=15),
        status=AppointmentStatus.COMPLETED if minutes < -60 else AppointmentStatus.BOOKED,
        citizen_name=who,
        citizen_email=email,
        citizen_phone=phone,
        question=f"Vraag van {who}",
        staff_note=f"Notitie over {who}" if minutes < -60 else None,
        consent_at=utcnow(),
        manage_token_hash=token_hash(token),
        join_url=f"https://meet.jit.si/{reference}",
    )
    session.add(appointment)
    session.commit()
    city.appointments.append(appointment)
    city.manage_tokens[reference] = token
    city.private |= {who, email, phone, f"Vraag van {who}", f"Notitie over {who}", reference, token}
    return appointment


def _hours(session: Session, city: City, staff: StaffMember, service: Service) -> None:
    """Hours the whole day, every day, so that slots always exist."""
    for weekday in range(7):
        row = OpeningHours(
            staff_id=staff.id,
            service_id=service.id,
            weekday=weekday,
            start_time=time(0, 0),
            end_time=time(23, 45),
        )
        session.add(row)
        city.hours.append(row)
    session.add(StaffService(staff_id=staff.id, service_id=service.id))
    session.commit()


def _absences(session: Session, city: City, counsellor: StaffMember, word: str) -> None:
    """A closure of the organisation and a leave of the counsellor, next month."""
    start = utcnow().replace(microsecond=0) + timedelta(days=30)
    closure = AvailabilityException(
        organisation_id=city.organisation.id,
        start_at=start,
        end_at=start + timedelta(days=1),
        reason=f"Kermis {word}",
    )
    leave = AvailabilityException(
        organisation_id=city.organisation.id,
        staff_id=counsellor.id,
        start_at=start + timedelta(days=3),
        end_at=start + timedelta(days=4),
        reason=f"Verlof {word}",
    )
    session.add_all([closure, leave])
    session.commit()
    city.closures.append(closure)
    city.leaves.append(leave)
    city.private |= {f"Kermis {word}", f"Verlof {word}"}


def _extras(session: Session, city: City, word: str) -> None:
    """A clean document, an audit row, a job and a partner key of the city."""
    appointment = city.appointments[0]
    settings = get_settings()
    storage = vault.new_storage_name()
    vault.store(settings.documents_dir, vault.key_from_settings(settings), storage, b"%PDF-1.4\n")
    document = Document(
        appointment_id=appointment.id,
        storage_name=storage,
        filename=f"attest-{word}.pdf",
        content_type="application/pdf",
        size=9,
        status=DocumentStatus.CLEAN,
    )
    audit = AuditEntry(
        organisation_id=city.organisation.id,
        staff_id=city.staff["admin"].id,
        action="catalogue.save",
        target_type="service",
        target_id=city.services[0].id,
        detail={"note": f"Audit {word}"},
    )
    job = Job(kind="mail_confirmation", appointment_id=appointment.id, dedupe_key=f"iso-{word}")
    session.add_all([document, audit, job])
    session.commit()
    new_key = api_keys.create_key(
        session, city.organisation.id, f"Sleutel {word}", f"Partner {word}", 60, utcnow()
    )
    city.documents.append(document)
    city.audit.append(audit)
    city.api_keys.append(new_key.row)
    city.api_key_secret = new_key.secret
    city.private.add(new_key.secret)
    city.private |= {f"attest-{word}.pdf", f"Audit {word}", f"Sleutel {word}", f"Partner {word}"}


def _own_settings(session: Session, city: City, word: str, logo: bytes) -> None:
    """The city's own settings row: look, logo, sender, privacy contact, SMTP and Teams secrets.

    Sealed secrets, sender, SMTP account and Entra ids are private; the look, the display name
    and the privacy contact are what the city's own host shows anyone (privacy notice).
    """
    organisation = city.organisation
    row = org_settings.settings_row(session, organisation)
    key = org_settings.secrets_key(get_settings())
    low = word.lower()
    city.secrets = {
        "smtp_password": f"smtp-wachtwoord-{low}-geheim",
        "entra_client_secret": f"entra-geheim-{low}-sleutel",
    }
    row.display_name = f"Balie {word}stad"
    row.logo, row.logo_type = logo, "image/png"
    row.privacy_contact = f"privacy@{low}.privacy.test"
    row.mail_from_address = f"afzender@{low}.post.test"
    row.mail_from_name = f"Afzender {word}"
    row.mail_transport = models.MailTransport.SMTP
    row.smtp_host = f"smtp.{low}.post.test"
    row.smtp_username = f"smtp-{low}-gebruiker"
    row.meeting_provider = models.MeetingChoice.TEAMS
    row.entra_tenant_id = f"tenant-{low}-0000"
    row.entra_client_id = f"client-{low}-0000"
    for name, plain in city.secrets.items():
        setattr(row, f"{name}_sealed", org_settings.seal_secret(key, organisation.id, name, plain))
    session.add(row)
    session.commit()
    logo_text = org_settings.logo_data_url(row).split(",", 1)[1]  # PNGs share head and tail
    middle = len(logo_text) // 2
    public = {row.display_name, logo_text[middle : middle + 40]}
    public.add(row.privacy_contact)
    city.private |= public | set(city.secrets.values())
    city.private |= {row.smtp_password_sealed, row.entra_client_secret_sealed}
    city.private |= {row.mail_from_address, row.mail_from_name, row.smtp_host, row.smtp_username}
    city.private |= {row.entra_tenant_id, row.entra_client_id}
    city.catalogue |= public


def _people(session: Session, city: City, word: str, domain: str) -> None:
    """One staff member per role, signed in; the counsellor serves every service of the city."""
    for role, role_name in ROLE_NAMES.items():
        name = f"{role_name.title()} {word}"
        email = f"{role_name}@{domain}"
        member = _staff(session, city, [role.value], name, email, password=role == Role.ADMIN)
        _sign_in(session, city, role_name, member)
        city.private |= {name, email}
    for service in city.services:
        _hours(session, city, city.staff["counsellor"], service)


def _fill(session: Session, city: City, word: str, domain: str) -> None:
    """Staff, hours, appointments, absences and extras of a city whose services exist."""
    _people(session, city, word, domain)
    counsellor = city.staff["counsellor"]
    service = city.services[0]
    for minutes, who in ((-5, "Nu"), (90, "Straks"), (2 * 24 * 60, "Later"), (-26 * 60, "Gister")):
        _appointment(session, city, service, counsellor, minutes, f"{who} {word}burger")
    _absences(session, city, counsellor, word)
    _extras(session, city, word)
    logo = (
        demo_look.ghent_logo() if city.organisation.slug == "gent" else demo_look.merelbeke_logo()
    )
    _own_settings(session, city, word, logo)


def city_a(session: Session) -> City:
    """Ghent: the demo data, plus one signed-in staff member per role and one with every role."""
    load_demo_data(session)
    organisation = session.exec(select(Organisation).where(Organisation.slug == "gent")).one()
    city = City(organisation=organisation, host=HOST_A)
    demo_services = session.exec(
        select(Service).where(Service.organisation_id == organisation.id)
    ).all()
    city.services.extend(demo_services)
    ids = [service.id for service in demo_services]
    city.topics.extend(session.exec(select(Topic).where(Topic.service_id.in_(ids))).all())
    _service(session, city, "gent-zwaluwtest", "Gentse Testdienst", "gent-onderwerp")
    city.services.insert(0, city.services.pop())  # the own test service first
    _fill(session, city, "Gent", "gent.test")
    every_role = list(CITY_ROLES)  # the platform role: its own tests
    member = _staff(session, city, every_role, "Alle Rollen Gent", SHARED_EMAIL, password=True)
    _sign_in(session, city, "all", member)
    add_host(session, organisation, HOST_A)
    return city


def city_b(session: Session, shared_slug: str) -> City:
    """Kleinegem: small, with a service whose slug is also one of Ghent's (``shared_slug``)."""
    organisation = Organisation(slug="kleinegem", name="Kleinegem Zwaluwstad")
    session.add(organisation)
    session.commit()
    city = City(organisation=organisation, host=HOST_B)
    city.private.add("Kleinegem Zwaluwstad")
    _service(session, city, "zwaluwloket", "Zwaluwloket Kleinegem", "nestkast")
    _service(session, city, shared_slug, "Dubbelganger Kleinegem", "dubbel")
    _fill(session, city, "Zwaluw", "kleinegem.test")
    member = _staff(session, city, list(CITY_ROLES), "Dubbel Zwaluw", SHARED_EMAIL)
    member.password_hash = _password_hash(PASSWORD + "-kleinegem")
    session.add(member)
    session.commit()
    _sign_in(session, city, "all", member)
    city.private.add("Dubbel Zwaluw")
    add_host(session, organisation, HOST_B)
    return city


def two_cities(session: Session, monkeypatch: pytest.MonkeyPatch) -> TwoCities:
    """Both cities, each on its own host."""
    a = city_a(session)
    shared = next(service.slug for service in a.services if service.slug != "gent-zwaluwtest")
    b = city_b(session, shared)
    allow_unbound_hosts(monkeypatch)
    return TwoCities(a=a, b=b)


def rows_of(session: Session, city: City) -> dict[str, list[str]]:
    """Every row that belongs to ``city`` (by organisation, service, staff, topic, appointment)."""
    session.expire_all()
    owners = _owner_ids(session, city.organisation.id)
    connection = session.connection()
    found: dict[str, list[str]] = {}
    for table in models.SQLModel.metadata.sorted_tables:
        columns = [column.name for column in table.columns]
        if table.name not in OWNER_TABLES and not set(columns) & set(owners):
            continue  # no column that could tie a row to an organisation
        result = connection.execute(table.select())
        rows = [dict(zip(columns, row, strict=True)) for row in result]
        mine = [repr(sorted(row.items())) for row in rows if _owned(table.name, row, owners)]
        found[table.name] = sorted(mine)
    session.rollback()
    return found


OWNER_TABLES = {"organisation", "service", "topic", "staffmember", "appointment"}


def _owner_ids(session: Session, organisation_id: int) -> dict[str, set[Any]]:
    """Ids of the organisation's services, topics, staff and appointments."""
    services = set(
        session.exec(select(Service.id).where(Service.organisation_id == organisation_id)).all()
    )
    return {
        "organisation_id": {organisation_id},
        "service_id": services,
        "topic_id": set(session.exec(select(Topic.id).where(Topic.service_id.in_(services))).all()),
        "staff_id": set(
            session.exec(
                select(StaffMember.id).where(StaffMember.organisation_id == organisation_id)
            ).all()
        ),
        "appointment_id": set(
            session.exec(
                select(Appointment.id).where(Appointment.organisation_id == organisation_id)
            ).all()
        ),
    }


def _owned(table: str, row: dict[str, Any], owners: dict[str, set[Any]]) -> bool:
    """Whether a row belongs to the organisation whose ``owners`` ids are given."""
    if table == "organisation":
        return row["id"] in owners["organisation_id"]
    own_id = {"service": "service_id", "topic": "topic_id", "staffmember": "staff_id"}.get(table)
    if table == "appointment":
        own_id = "appointment_id"
    if own_id and row.get("id") in owners[own_id]:
        return True
    return any(row.get(column) in ids for column, ids in owners.items() if column in row)
