"""Catalogue export and import: the round trip, refused documents with their path, idempotent
re-import, --replace, stranded appointments, the cache and the committed JSON Schema.

The world is the Ghent demo; "Aalst" is a fresh organisation that receives Ghent's catalogue.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import catalogue_cache, catalogue_io
from balie.services.booking import manage_token_for, token_hash
from balie.services.catalogue_io import CatalogueError
from balie.services.demo_data import load_demo_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # a Friday
MONDAY = date(2026, 3, 23)
TODAY = date(2026, 3, 20)


@pytest.fixture
def gent(session: Session) -> Organisation:
    """The Ghent demo organisation."""
    load_demo_data(session)
    return session.exec(select(Organisation).where(Organisation.slug == "gent")).one()


@pytest.fixture
def aalst(session: Session) -> Organisation:
    """A fresh organisation without a catalogue."""
    organisation = Organisation(slug="aalst", name="Stad Aalst")
    session.add(organisation)
    session.commit()
    return organisation


def _without_source(document: dict[str, Any]) -> dict[str, Any]:
    """The document minus where it came from (the one part that differs per organisation)."""
    return {key: value for key, value in document.items() if key != "exported_from"}


def _count(session: Session, table: type, *conditions: Any) -> int:
    """Rows of ``table`` matching the conditions."""
    return session.exec(select(func.count()).select_from(table).where(*conditions)).one()


def _service(session: Session, organisation: Organisation, slug: str) -> Service:
    """The organisation's service with this slug."""
    return session.exec(
        select(Service).where(Service.organisation_id == organisation.id, Service.slug == slug)
    ).one()


@pytest.mark.parametrize("with_staff", [False, True])
def test_ghents_catalogue_exported_and_imported_elsewhere_exports_the_same(
    session: Session, gent: Organisation, aalst: Organisation, with_staff: bool
) -> None:
    original = catalogue_io.export(session, gent, include_staff=with_staff)
    text = json.dumps(original, ensure_ascii=False)

    report = catalogue_io.import_catalogue(session, aalst, catalogue_io.parse(text))

    assert report.services_added == len(original["services"]) == 9
    assert report.topics_added == sum(len(s["topics"]) for s in original["services"])
    # What the identification and document exchange added to a topic travels too.
    topics = {t["slug"]: t for s in original["services"] for t in s["topics"]}
    assert topics["uittreksel-attest"]["identification_level"] == "high"
    assert topics["adreswijziging"]["documents_requested"][0]["nl"].startswith("Huurcontract")
    assert report.staff_added == (20 if with_staff else 0)
    copied = catalogue_io.export(session, aalst, include_staff=with_staff)
    assert _without_source(copied) == _without_source(original)
    assert copied["exported_from"] == {"slug": "aalst", "name": "Stad Aalst"}
    assert original["organisation"]["languages"] == ["nl", "en"]
    # Ghent itself is untouched, and Aalst's rows are its own.
    assert catalogue_io.export(session, gent, include_staff=with_staff) == original
    assert _count(session, Service, Service.organisation_id == aalst.id) == 9


def test_the_export_holds_rules_reasons_preparation_lengths_and_hours(
    session: Session, gent: Organisation
) -> None:
    document = catalogue_io.export(session, gent, include_staff=True)
    civil = next(s for s in document["services"] if s["slug"] == "burgerzaken")
    passport = next(t for t in civil["topics"] if t["slug"] == "paspoort")
    assert civil["appointment_minutes"] == 20 and civil["buffer_minutes"] == 5
    assert passport["channel_rule"] == "in_person"
    assert passport["channel_reason"]["nl"].startswith("Voor een paspoort")
    signing = next(t for t in civil["topics"] if t["slug"] == "attest-ondertekenen")
    assert signing["channel_rule"] == "needs_signature" and signing["channel_reason"] == {}
    energy = document["services"][0]
    assert energy["topics"][0]["preparation"]["en"].startswith("Have photos")
    sara = next(m for m in document["staff"] if m["display_name"] == "Sara De Smet")
    assert sara["roles"] == ["staff"]
    assert sara["services"] == [
        {
            "service": "energiecentrale",
            "hours": [
                {"day": day, "start": start, "end": end}
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
                for start, end in (("09:00", "12:00"), ("13:30", "16:30"))
            ],
        }
    ]
    assert "password" not in json.dumps(document)


def test_importing_the_same_document_again_changes_nothing(
    session: Session, gent: Organisation, aalst: Organisation
) -> None:
    document = catalogue_io.export(session, gent, include_staff=True)
    catalogue_io.import_catalogue(session, aalst, document)
    version = catalogue_cache.read_version(session)
    rows = [_count(session, table) for table in (Service, Topic, StaffMember, OpeningHours)]

    again = catalogue_io.import_catalogue(session, aalst, document)
    replaced = catalogue_io.import_catalogue(session, aalst, document, replace=True)

    assert again.changes() == 0 and replaced.changes() == 0
    assert catalogue_cache.read_version(session) == version
    assert [_count(session, t) for t in (Service, Topic, StaffMember, OpeningHours)] == rows
    imports = AuditEntry.action == "catalogue_import"
    assert _count(session, AuditEntry, imports, AuditEntry.organisation_id == aalst.id) == 1


def test_a_changed_document_updates_by_slug_and_the_cache_sees_it_at_once(
    session: Session, gent: Organisation
) -> None:
    before = catalogue_cache.current(session, "gent")
    document = catalogue_io.export(session, gent)
    document["services"][0]["name"]["nl"] = "Energiecentrale Gent"
    document["services"][0]["topics"][1]["preparation"] = {"nl": "Breng je facturen mee."}
    document["services"][0]["topics"].append(
        {"slug": "zonnepanelen", "name": {"nl": "Zonnepanelen"}, "sort_order": 5}
    )

    report = catalogue_io.import_catalogue(session, gent, document)

    assert (report.services_updated, report.topics_updated, report.topics_added) == (1, 1, 1)
    after = catalogue_cache.current(session, "gent")
    assert after.version == before.version + 1
    energy = after.services["energiecentrale"]
    assert energy.name == {"nl": "Energiecentrale Gent", "en": "Energy Centre"}
    view = next(v for v in after.live_views(TODAY) if v.slug == "energiecentrale")
    assert [t.slug for t in view.topics] == ["renovatieadvies", "energiepremies", "zonnepanelen"]
    assert view.topics[1].preparation == {"nl": "Breng je facturen mee."}
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "catalogue_import")).one()
    assert audit.staff_id is None and audit.detail["services_updated"] == 1


def test_without_replace_other_services_stay_with_replace_they_go(
    session: Session, gent: Organisation
) -> None:
    document = catalogue_io.export(session, gent)
    document["services"] = [s for s in document["services"] if s["slug"] != "oog"]
    document["services"][0]["topics"] = document["services"][0]["topics"][:1]

    kept = catalogue_io.import_catalogue(session, gent, document)
    assert kept.changes() == 0
    assert _count(session, Service, Service.slug == "oog") == 1

    removed = catalogue_io.import_catalogue(session, gent, document, replace=True)
    assert (removed.services_deleted, removed.topics_deleted) == (1, 1)
    assert _count(session, Service, Service.slug == "oog") == 0
    assert _count(session, Topic, Topic.slug == "energiepremies") == 0
    assert "oog" not in catalogue_cache.current(session, "gent").services


def _book(session: Session, organisation: Organisation, slug: str, start: datetime) -> Appointment:
    """A booked appointment with the first counsellor and topic of the service."""
    service = _service(session, organisation, slug)
    staff_id = session.exec(
        select(StaffService.staff_id)
        .where(StaffService.service_id == service.id)
        .order_by(StaffService.staff_id)
    ).first()
    reference = f"IO-{slug[:6].upper()}"
    row = Appointment(
        reference=reference,
        organisation_id=organisation.id,
        service_id=service.id,
        topic_id=session.exec(select(Topic.id).where(Topic.service_id == service.id)).first(),
        staff_id=staff_id,
        start_at=start,
        end_at=start + timedelta(minutes=service.appointment_minutes),
        busy_until=start + timedelta(minutes=service.appointment_minutes),
        status=AppointmentStatus.BOOKED,
        citizen_name="Kaat Verbeke",
        citizen_email="kaat@example.be",
        manage_token_hash=token_hash(manage_token_for(reference, "secret")),
    )
    session.add(row)
    session.commit()
    return row


def test_replace_only_deactivates_a_service_that_was_booked(
    session: Session, gent: Organisation
) -> None:
    _book(session, gent, "oog", datetime.combine(MONDAY, time(9), TZ).astimezone(UTC))
    document = catalogue_io.export(session, gent)
    document["services"] = [s for s in document["services"] if s["slug"] != "oog"]

    report = catalogue_io.import_catalogue(session, gent, document, replace=True, now=NOW)

    assert (report.services_deleted, report.services_deactivated) == (0, 1)
    assert _service(session, gent, "oog").active is False
    assert _count(session, Appointment) == 1


def test_hours_that_would_strand_a_booked_appointment_are_refused(
    session: Session, gent: Organisation
) -> None:
    booked = _book(
        session, gent, "verhuurderspunt", datetime.combine(MONDAY, time(9), TZ).astimezone(UTC)
    )
    document = catalogue_io.export(session, gent, include_staff=True)
    member = next(
        m
        for m in document["staff"]
        if m["services"]
        and m["services"][0]["service"] == "verhuurderspunt"
        and session.get(StaffMember, booked.staff_id).email == m["email"]
    )
    index = document["staff"].index(member)
    member["services"][0]["hours"] = member["services"][0]["hours"][1:]  # no Monday morning

    with pytest.raises(CatalogueError) as refused:
        catalogue_io.import_catalogue(session, gent, document, now=NOW)

    [problem] = refused.value.problems
    assert problem.path == f"$.staff[{index}].services[0].hours"
    assert booked.reference in problem.message
    staff_id = booked.staff_id
    assert _count(session, OpeningHours, OpeningHours.staff_id == staff_id) == 10


Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    """A change of one value of the document."""

    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _too_many_services(document: dict[str, Any]) -> None:
    """More services than the limit."""
    first = document["services"][0]
    document["services"] = [
        {**first, "slug": f"dienst-{n}"} for n in range(catalogue_io.MAX_SERVICES + 1)
    ]


def _same_slug_twice(document: dict[str, Any]) -> None:
    """Two services with one slug."""
    document["services"][1]["slug"] = document["services"][0]["slug"]


REFUSED: list[tuple[str, Mutation, str, str]] = [
    ("wrong format", _set(["format"], "other"), "$.format", "digitale-balie-catalogue"),
    ("newer version", _set(["version"], 2), "$.version", "1"),
    ("unknown key", _set(["colour"], "red"), "$.colour", "Extra inputs"),
    ("bad slug", _set(["services", 2, "slug"], "Woon Wijzer"), "$.services[2].slug", "pattern"),
    ("no Dutch", _set(["services", 1, "name"], {"en": "x"}), "$.services[1].name", "Dutch"),
    (
        "unknown language",
        _set(["services", 1, "name", "fr"], "Conseil"),
        "$.services[1].name.fr",
        "'nl' or 'en'",
    ),
    (
        "too long",
        _set(["services", 0, "topics", 0, "preparation", "nl"], "x" * 1001),
        "$.services[0].topics[0].preparation.nl",
        "at most 1000",
    ),
    (
        "control character",
        _set(["services", 0, "name", "nl"], "Energie\x00centrale"),
        "$.services[0].name.nl",
        "control characters",
    ),
    (
        "number as text",
        _set(["services", 3, "appointment_minutes"], "30"),
        "$.services[3].appointment_minutes",
        "integer",
    ),
    (
        "too short",
        _set(["services", 3, "appointment_minutes"], 2),
        "$.services[3].appointment_minutes",
        "greater than or equal to 5",
    ),
    ("bad date", _set(["services", 0, "live_from"], "3 november"), "$.services[0].live_from", ""),
    (
        "unknown rule",
        _set(["services", 8, "topics", 1, "channel_rule"], "by_pigeon"),
        "$.services[8].topics[1].channel_rule",
        "",
    ),
    (
        "reason on video topic",
        _set(["services", 0, "topics", 0, "channel_reason"], {"nl": "Niet per video."}),
        "$.services[0].topics[0]",
        "video topic",
    ),
    ("slug twice", _same_slug_twice, "$", "used twice: energiecentrale"),
    ("too many", _too_many_services, "$.services", f"at most {catalogue_io.MAX_SERVICES}"),
    (
        "unknown time zone",
        _set(["organisation", "time_zone"], "Europe/Gent"),
        "$.organisation",
        "time zone",
    ),
    (
        "staff: bad e-mail",
        _set(["staff", 0, "email"], "an mertens"),
        "$.staff[0].email",
        "e-mail",
    ),
    ("staff: unknown role", _set(["staff", 0, "roles"], ["boss"]), "$.staff[0].roles[0]", ""),
    (
        "staff: unknown service",
        _set(["staff", 0, "services", 0, "service"], "zwembad"),
        "$.staff[0].services[0].service",
        "no service 'zwembad'",
    ),
    (
        "staff: night hours",
        _set(["staff", 0, "services", 0, "hours", 1, "end"], "23:00"),
        "$.staff[0].services[0].hours[1]",
        "between 07:00 and 20:00",
    ),
    (
        "staff: bad clock",
        _set(["staff", 0, "services", 0, "hours", 1, "end"], "4 pm"),
        "$.staff[0].services[0].hours[1].end",
        "pattern",
    ),
    (
        "staff: hours in another zone",
        _set(["organisation", "time_zone"], "Europe/Amsterdam"),
        "$.organisation.time_zone",
        "Europe/Brussels",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_wrong_document_is_refused_with_its_path_and_nothing_changes(
    session: Session,
    gent: Organisation,
    aalst: Organisation,
    mutate: Mutation,
    path: str,
    message: str,
) -> None:
    document = copy.deepcopy(catalogue_io.export(session, gent, include_staff=True))
    mutate(document)
    version = catalogue_cache.read_version(session)

    with pytest.raises(CatalogueError) as refused:
        catalogue_io.import_catalogue(session, aalst, json.loads(json.dumps(document)))

    assert any(p.path == path and message in p.message for p in refused.value.problems), [
        str(p) for p in refused.value.problems
    ]
    assert _count(session, Service, Service.organisation_id == aalst.id) == 0
    assert _count(session, StaffMember, StaffMember.organisation_id == aalst.id) == 0
    assert catalogue_cache.read_version(session) == version


def test_a_text_that_is_not_json_or_too_large_is_refused() -> None:
    with pytest.raises(CatalogueError) as broken:
        catalogue_io.parse('{"format": ')
    assert broken.value.problems[0].path == "$"
    with pytest.raises(CatalogueError) as large:
        catalogue_io.parse(" " * (catalogue_io.MAX_BYTES + 1))
    assert "larger than" in large.value.problems[0].message


def test_json_paths_quote_keys_that_are_not_names() -> None:
    assert catalogue_io.json_path(("services", 2, "name", "nl")) == "$.services[2].name.nl"
    assert catalogue_io.json_path(("name", "f r", "[key]")) == '$.name["f r"]'


def test_the_committed_json_schema_is_the_generated_one() -> None:
    committed = (PROJECT_ROOT / "docs" / "catalogue.schema.json").read_text(encoding="utf-8")
    assert committed == catalogue_io.schema_text(), "run: python -m balie.catalogue schema"
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"format", "version"}


def test_the_example_in_the_format_document_is_a_valid_document() -> None:
    text = (PROJECT_ROOT / "docs" / "catalogue-format.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    document = catalogue_io.parse(example)
    assert [topic.slug for topic in document.services[0].topics] == ["algemene-vraag", "paspoort"]
    assert document.staff[0].services[0].hours[1].start == "13:30"


def test_replace_takes_away_a_listed_persons_other_services_and_leaves_others_alone(
    session: Session, gent: Organisation
) -> None:
    document = catalogue_io.export(session, gent, include_staff=True)
    sara = next(m for m in document["staff"] if m["display_name"] == "Sara De Smet")
    oog = _service(session, gent, "oog")
    sara_id = session.exec(select(StaffMember.id).where(StaffMember.email == sara["email"])).one()
    session.add(StaffService(staff_id=sara_id, service_id=oog.id))
    session.add(
        OpeningHours(
            staff_id=sara_id, service_id=oog.id, weekday=5, start_time=time(9), end_time=time(12)
        )
    )
    session.commit()
    document["staff"] = [sara]  # everyone else left out
    others = _count(session, OpeningHours, OpeningHours.staff_id != sara_id)

    kept = catalogue_io.import_catalogue(session, gent, document, now=NOW)
    assert kept.changes() == 0
    assert _count(session, StaffService, StaffService.staff_id == sara_id) == 2

    replaced = catalogue_io.import_catalogue(session, gent, document, replace=True, now=NOW)
    assert replaced.hours_replaced == 1
    memberships = session.exec(
        select(StaffService.service_id).where(StaffService.staff_id == sara_id)
    )
    assert list(memberships) == [_service(session, gent, "energiecentrale").id]
    assert (
        _count(
            session,
            OpeningHours,
            OpeningHours.service_id == oog.id,
            OpeningHours.staff_id == sara_id,
        )
        == 0
    )
    assert _count(session, OpeningHours, OpeningHours.staff_id != sara_id) == others
