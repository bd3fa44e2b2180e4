"""A city's catalogue as a JSON document: export it, check it, import it (docs/catalogue-format.md).

The document holds what makes a city's offer: services (texts, go-live date, appointment length,
buffer, notice, horizon), their topics (channel rule, own reason, preparation) and, when asked
for, the counsellors with the services they serve and their weekly opening hours. Rows are
matched by their natural keys (service and topic slug, staff e-mail address), so importing the
same document twice changes nothing the second time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import delete
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.i18n import LANGUAGES
from balie.models import (
    CITY_ROLES,
    Appointment,
    ChannelRule,
    IdentificationLevel,
    OpeningHours,
    Organisation,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import catalogue_cache, schedule
from balie.services.catalogue_admin import DOCUMENT_LABEL_MAX, DOCUMENTS_MAX_LINES
from balie.services.staff.staff_auth import audit, find_staff_by_email

FORMAT = "digitale-balie-catalogue"
VERSION = 1
MAX_BYTES = 2_000_000
MAX_SERVICES = 200
MAX_TOPICS = 100
MAX_STAFF = 2000
MAX_STAFF_SERVICES = 50
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_PATTERN = rf"[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EARLIEST_LIVE_FROM = date(2000, 1, 1)
LATEST_LIVE_FROM = date(2100, 12, 31)
MINUTES_PER_DAY = 24 * 60

Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
CityRole = Literal[CITY_ROLES]  # type: ignore[valid-type]  # never the platform role

HOURS_MESSAGES = {
    "hours_error_too_many": f"at most {schedule.MAX_RANGES} time ranges per service",
    "hours_error_day": "unknown day",
    "hours_error_order": "the end must come after the start",
    "hours_error_bounds": f"hours must lie between {schedule.clock(schedule.EARLIEST)} and "
    f"{schedule.clock(schedule.LATEST)}",
    "hours_error_grid": f"times must be on a {schedule.GRID_MINUTES}-minute grid",
    "hours_error_too_short": "a range must be at least one appointment long",
    "hours_error_overlap": "overlaps another range of this service",
    "hours_error_other_service": "overlaps this person's hours for another service",
}


# --- the document ---------------------------------------------------------------------------


def _plain(multiline: bool) -> Callable[[str], str]:
    """A check that refuses control characters (a newline is allowed when ``multiline``)."""

    def check(value: str) -> str:
        """The text itself, when it has no control characters."""
        allowed = "\n" if multiline else ""
        if any(ch not in allowed and unicodedata.category(ch)[0] == "C" for ch in value):
            raise ValueError("contains control characters")
        return value

    return check


def _text(limit: int, *, multiline: bool = False) -> Any:
    """A non-empty text of at most ``limit`` characters, without outer spaces."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=limit),
        AfterValidator(_plain(multiline)),
    ]


def _needs_dutch(value: dict[str, str]) -> dict[str, str]:
    """A name must at least be given in Dutch (the site's first language)."""
    if "nl" not in value:
        raise ValueError("needs a Dutch text (key 'nl')")
    return value


Slug = Annotated[str, StringConstraints(max_length=64, pattern=SLUG_PATTERN)]
Name = Annotated[dict[Language, _text(200)], AfterValidator(_needs_dutch)]
Description = dict[Language, _text(1000, multiline=True)]
Reason = dict[Language, _text(500, multiline=True)]
Preparation = dict[Language, _text(1000, multiline=True)]
# As the catalogue page allows: at most 10 documents, each label at most 120 characters.
DocumentLabel = Annotated[dict[Language, _text(DOCUMENT_LABEL_MAX)], AfterValidator(_needs_dutch)]
Clock = Annotated[str, StringConstraints(pattern=CLOCK_PATTERN)]


class _Part(BaseModel):
    """A part of the document: unknown keys are refused, nothing is coerced between types."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationPart(_Part):
    """Settings of the organisation the catalogue's times are expressed in."""

    time_zone: Annotated[str, StringConstraints(max_length=64)] = Field(
        "Europe/Brussels", description="IANA time zone of the opening hours"
    )
    holiday_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "BE"
    holiday_subdivision: Annotated[str, StringConstraints(max_length=16)] | None = None
    languages: list[Language] = Field(
        default_factory=lambda: list(LANGUAGES),
        min_length=1,
        description="Languages the texts are written in; Dutch (nl) is required",
    )

    @model_validator(mode="after")
    def _known(self) -> OrganisationPart:
        """A real time zone, and Dutch among the languages, each once."""
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as problem:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from problem
        if "nl" not in self.languages or len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must name Dutch (nl), each language once")
        return self


class SourcePart(_Part):
    """Where the document was exported from (information only; never imported)."""

    slug: Annotated[str, StringConstraints(max_length=64)]
    name: Annotated[str, StringConstraints(max_length=200)]


class TopicPart(_Part):
    """A topic of a service: what a citizen wants to talk about, and whether video can do it."""

    slug: Slug
    name: Name
    channel_rule: ChannelRule = ChannelRule.VIDEO
    channel_reason: Reason = Field(
        default_factory=dict,
        description="Own reason why this topic cannot go by video (empty: the standard text)",
    )
    preparation: Preparation = Field(default_factory=dict)
    documents_requested: list[DocumentLabel] = Field(
        default_factory=list,
        max_length=DOCUMENTS_MAX_LINES,
        description="Documents the citizen is asked to share for the call",
    )
    identification_level: IdentificationLevel = Field(
        IdentificationLevel.NONE,
        description="How sure the city must be of who the citizen is (itsme/eID level)",
    )
    active: StrictBool = True
    sort_order: Annotated[StrictInt, Field(ge=0, le=9999)] = 0

    @model_validator(mode="after")
    def _reason_only_without_video(self) -> TopicPart:
        """Citizens never see a reason for a video topic."""
        if self.channel_rule is ChannelRule.VIDEO and self.channel_reason:
            raise ValueError("a video topic has no channel_reason")
        return self


class ServicePart(_Part):
    """A city service that holds video appointments, with its topics."""

    slug: Slug
    name: Name
    description: Description = Field(default_factory=dict)
    live_from: date = Field(description="First day citizens can have a call (YYYY-MM-DD)")
    appointment_minutes: Annotated[StrictInt, Field(ge=5, le=480)] = 30
    buffer_minutes: Annotated[StrictInt, Field(ge=0, le=240)] = 0
    min_notice_minutes: Annotated[StrictInt, Field(ge=0, le=30 * MINUTES_PER_DAY)] = 120
    horizon_days: Annotated[StrictInt, Field(ge=1, le=366)] = 42
    active: StrictBool = True
    sort_order: Annotated[StrictInt, Field(ge=0, le=9999)] = 0
    topics: list[TopicPart] = Field(default_factory=list, max_length=MAX_TOPICS)

    @model_validator(mode="after")
    def _consistent(self) -> ServicePart:
        """A sane go-live date, notice within the horizon, each topic slug once."""
        if not EARLIEST_LIVE_FROM <= self.live_from <= LATEST_LIVE_FROM:
            raise ValueError("live_from must lie between 2000-01-01 and 2100-12-31")
        if self.min_notice_minutes >= self.horizon_days * MINUTES_PER_DAY:
            raise ValueError("min_notice_minutes must be shorter than horizon_days")
        slugs = [topic.slug for topic in self.topics]
        twice = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if twice:
            raise ValueError(f"topic slug(s) used twice: {', '.join(twice)}")
        return self


class HoursPart(_Part):
    """One weekly time range, in the organisation's time zone."""

    day: Weekday
    start: Clock
    end: Clock


class StaffServicePart(_Part):
    """A service a counsellor serves, with their weekly hours for it."""

    service: Slug
    hours: list[HoursPart] = Field(default_factory=list, max_length=schedule.MAX_RANGES)


def _email(value: str) -> str:
    """An e-mail address of plain form (demo addresses end in .invalid, so no domain rules)."""
    if not re.fullmatch(EMAIL_PATTERN, value):
        raise ValueError("not a valid e-mail address")
    return value


class StaffPart(_Part):
    """A staff member (never a password or a Microsoft id)."""

    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)
    ]
    roles: list[CityRole] = Field(min_length=1, max_length=len(CITY_ROLES))
    active: StrictBool = True
    services: list[StaffServicePart] = Field(default_factory=list, max_length=MAX_STAFF_SERVICES)

    @model_validator(mode="after")
    def _once(self) -> StaffPart:
        """Each role and each service once."""
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("a role is named twice")
        slugs = [part.service for part in self.services]
        if len(set(slugs)) != len(slugs):
            raise ValueError("a service is named twice")
        return self


class CatalogueDocument(_Part):
    """A city's catalogue: Digitale Balie's import and export format, version 1."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Digitale Balie catalogue",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Literal[FORMAT]  # type: ignore[valid-type]
    version: Literal[VERSION]  # type: ignore[valid-type]
    exported_from: SourcePart | None = None
    organisation: OrganisationPart = Field(default_factory=OrganisationPart)
    services: list[ServicePart] = Field(default_factory=list, max_length=MAX_SERVICES)
    staff: list[StaffPart] = Field(
        default_factory=list,
        max_length=MAX_STAFF,
        description="Counsellors and their weekly hours (optional; personal data of staff)",
    )

    @model_validator(mode="after")
    def _unique(self) -> CatalogueDocument:
        """Each service slug and each staff e-mail address once."""
        for label, keys in (
            ("service slug", [service.slug for service in self.services]),
            ("staff e-mail address", [member.email.lower() for member in self.staff]),
        ):
            twice = sorted({key for key in keys if keys.count(key) > 1})
            if twice:
                raise ValueError(f"{label}(s) used twice: {', '.join(twice)}")
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the document (docs/catalogue.schema.json)."""
    return CatalogueDocument.model_json_schema(mode="validation")


def schema_text() -> str:
    """The JSON Schema as the text committed in docs/catalogue.schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# --- problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where in the document (a JSON path such as ``$.services[2].slug``)."""

    path: str
    message: str

    def __str__(self) -> str:
        """``path: message``."""
        return f"{self.path}: {self.message}"


class CatalogueError(ValueError):
    """The document is refused; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def json_path(location: Iterable[int | str]) -> str:
    """``$.services[2].name.nl`` for pydantic's location ``("services", 2, "name", "nl")``."""
    path = "$"
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path


def _problems(error: ValidationError) -> list[Problem]:
    """One problem per pydantic error, with its path."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(json_path(item["loc"]), message))
    return problems


def parse(raw: str | bytes) -> CatalogueDocument:
    """Check a JSON text; CatalogueError with every problem and its path."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        raise CatalogueError([Problem("$", f"the file is larger than {MAX_BYTES} bytes")])
    try:
        return CatalogueDocument.model_validate_json(raw)
    except ValidationError as error:
        raise CatalogueError(_problems(error)) from None


def validate(data: Any) -> CatalogueDocument:
    """Check a document already read from JSON (a dict); CatalogueError with the paths."""
    if isinstance(data, CatalogueDocument):
        return data
    try:
        return CatalogueDocument.model_validate(data)
    except ValidationError as error:
        raise CatalogueError(_problems(error)) from None


# --- export ----------------------------------------------------------------------------------


def _texts(value: Mapping[str, str] | None) -> dict[str, str]:
    """Texts per language in the order of LANGUAGES, leaving out empty ones."""
    value = value or {}
    return {code: value[code] for code in LANGUAGES if value.get(code)}


def _languages(services: Iterable[Service], topics: Iterable[Topic]) -> list[str]:
    """The languages the catalogue's texts are written in (Dutch always)."""
    used = {"nl"}
    for service in services:
        used |= set(_texts(service.name)) | set(_texts(service.description))
    for topic in topics:
        for texts in (topic.name, topic.channel_reason, topic.preparation):
            used |= set(_texts(texts))
    return [code for code in LANGUAGES if code in used]


def _topic_part(topic: Topic) -> TopicPart:
    """A topic row as a part of the document."""
    return TopicPart(
        slug=topic.slug,
        name=_texts(topic.name),
        channel_rule=ChannelRule(topic.channel_rule),
        channel_reason=_texts(topic.channel_reason),
        preparation=_texts(topic.preparation),
        documents_requested=[_texts(label) for label in topic.documents_requested or []],
        identification_level=IdentificationLevel(topic.identification_level or "none"),
        active=topic.active,
        sort_order=topic.sort_order,
    )


def _service_part(service: Service, topics: list[Topic]) -> ServicePart:
    """A service row and its topics as a part of the document."""
    return ServicePart(
        slug=service.slug,
        name=_texts(service.name),
        description=_texts(service.description),
        live_from=service.live_from,
        appointment_minutes=service.appointment_minutes,
        buffer_minutes=service.buffer_minutes,
        min_notice_minutes=service.min_notice_minutes,
        horizon_days=service.horizon_days,
        active=service.active,
        sort_order=service.sort_order,
        topics=[_topic_part(topic) for topic in topics],
    )


def _staff_parts(
    session: Session, organisation_id: int, slugs: Mapping[int, str]
) -> list[StaffPart]:
    """The organisation's staff with their services and standing weekly hours."""
    members = session.exec(
        select(StaffMember)
        .where(StaffMember.organisation_id == organisation_id)
        .order_by(StaffMember.email)
    ).all()
    memberships: dict[int, list[int]] = {}
    for row in session.exec(select(StaffService).where(StaffService.service_id.in_(slugs))):
        memberships.setdefault(row.staff_id, []).append(row.service_id)
    parts = []
    for member in members:
        roles = [role for role in member.roles if role in CITY_ROLES]
        if not roles:
            continue  # a platform operator only: not part of a city's catalogue
        services = sorted(memberships.get(member.id, []), key=lambda sid: slugs[sid])
        parts.append(
            StaffPart(
                email=member.email,
                display_name=member.display_name,
                roles=roles,
                active=member.active,
                services=[
                    StaffServicePart(
                        service=slugs[service_id],
                        hours=[
                            HoursPart(
                                day=WEEKDAYS[item.weekday],
                                start=schedule.clock(item.start),
                                end=schedule.clock(item.end),
                            )
                            for item in schedule.weekly_hours(session, member.id, service_id)
                        ],
                    )
                    for service_id in services
                ],
            )
        )
    return parts


def export(
    session: Session, organisation: Organisation, *, include_staff: bool = False
) -> dict[str, Any]:
    """The organisation's catalogue as a JSON-ready document (staff only when asked for)."""
    services = session.exec(
        select(Service)
        .where(Service.organisation_id == organisation.id)
        .order_by(Service.sort_order, Service.id)
    ).all()
    topics: dict[int, list[Topic]] = {service.id: [] for service in services}
    if services:
        for topic in session.exec(
            select(Topic).where(Topic.service_id.in_(topics)).order_by(Topic.sort_order, Topic.id)
        ):
            topics[topic.service_id].append(topic)
    document = CatalogueDocument(
        format=FORMAT,
        version=VERSION,
        exported_from=SourcePart(slug=organisation.slug, name=organisation.name),
        organisation=OrganisationPart(
            time_zone=organisation.time_zone,
            holiday_country=organisation.holiday_country,
            holiday_subdivision=organisation.holiday_subdivision,
            languages=_languages(services, [t for group in topics.values() for t in group]),
        ),
        services=[_service_part(service, topics[service.id]) for service in services],
        staff=_staff_parts(session, organisation.id, {s.id: s.slug for s in services})
        if include_staff
        else [],
    )
    return document.model_dump(mode="json")


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import changed (all zero when the catalogue was already like the document)."""

    services_added: int = 0
    services_updated: int = 0
    services_deleted: int = 0
    services_deactivated: int = 0
    topics_added: int = 0
    topics_updated: int = 0
    topics_deleted: int = 0
    topics_deactivated: int = 0
    staff_added: int = 0
    staff_updated: int = 0
    hours_replaced: int = 0

    def changes(self) -> int:
        """Number of rows (or hour sets) changed."""
        return sum(getattr(self, item.name) for item in fields(self))

    def as_dict(self) -> dict[str, int]:
        """The counts by name, for the audit log and the command's report."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


def _check_languages(document: CatalogueDocument) -> list[Problem]:
    """Every text is in one of the document's declared languages."""
    declared = set(document.organisation.languages)
    problems = []

    def look(path: str, texts: Mapping[str, str]) -> None:
        """Note each language of ``texts`` that was not declared."""
        for code in texts:
            if code not in declared:
                problems.append(Problem(f"{path}.{code}", "language not in organisation.languages"))

    for s, service in enumerate(document.services):
        look(f"$.services[{s}].name", service.name)
        look(f"$.services[{s}].description", service.description)
        for t, topic in enumerate(service.topics):
            base = f"$.services[{s}].topics[{t}]"
            for name in ("name", "channel_reason", "preparation"):
                look(f"{base}.{name}", getattr(topic, name))
            for d, label in enumerate(topic.documents_requested):
                look(f"{base}.documents_requested[{d}]", label)
    return problems


def _service_values(part: ServicePart) -> dict[str, Any]:
    """The service columns the document sets."""
    return part.model_dump(exclude={"topics"})


def _topic_values(part: TopicPart) -> dict[str, Any]:
    """The topic columns the document sets."""
    values = part.model_dump()
    values["channel_rule"] = ChannelRule(part.channel_rule).value
    values["identification_level"] = IdentificationLevel(part.identification_level).value
    return values


def _apply(row: Any, values: Mapping[str, Any]) -> bool:
    """Set the values on the row; whether anything was different."""
    changed = False
    for name, value in values.items():
        current = getattr(row, name)
        if isinstance(current, dict):
            current = dict(current)
        if current != value:
            setattr(row, name, value)
            changed = True
    return changed


def _has_appointments(session: Session, condition: Any) -> bool:
    """Whether any appointment (in any state) matches ``condition``."""
    return session.exec(select(Appointment.id).where(condition).limit(1)).first() is not None


def _remove_service(
    session: Session, service: Service, now: datetime, report: ImportReport
) -> None:
    """Delete a service left out of a replacing document; only deactivate it when booked."""
    if _has_appointments(session, Appointment.service_id == service.id):
        if service.active:
            service.active, service.updated_at = False, now
            session.add(service)
            report.services_deactivated += 1
        return
    for table in (Topic, StaffService, OpeningHours):
        session.exec(delete(table).where(table.service_id == service.id))
    session.delete(service)
    report.services_deleted += 1


def _remove_topic(session: Session, topic: Topic, report: ImportReport) -> None:
    """Delete a topic left out of a replacing document; only deactivate it when booked."""
    if _has_appointments(session, Appointment.topic_id == topic.id):
        if topic.active:
            topic.active = False
            session.add(topic)
            report.topics_deactivated += 1
        return
    session.delete(topic)
    report.topics_deleted += 1


def _import_services(
    session: Session,
    organisation: Organisation,
    document: CatalogueDocument,
    replace: bool,
    now: datetime,
    report: ImportReport,
) -> dict[str, Service]:
    """Add or update the document's services and topics; the organisation's services by slug."""
    existing = {
        service.slug: service
        for service in session.exec(
            select(Service).where(Service.organisation_id == organisation.id)
        )
    }
    for part in document.services:
        service = existing.get(part.slug)
        if service is None:
            service = Service(organisation_id=organisation.id, **_service_values(part))
            session.add(service)
            session.flush()
            existing[part.slug] = service
            report.services_added += 1
        elif _apply(service, _service_values(part)):
            service.updated_at = now
            session.add(service)
            report.services_updated += 1
        topics = {
            topic.slug: topic
            for topic in session.exec(select(Topic).where(Topic.service_id == service.id))
        }
        for topic_part in part.topics:
            topic = topics.pop(topic_part.slug, None)
            if topic is None:
                session.add(Topic(service_id=service.id, **_topic_values(topic_part)))
                report.topics_added += 1
            elif _apply(topic, _topic_values(topic_part)):
                session.add(topic)
                report.topics_updated += 1
        if replace:
            for topic in topics.values():
                _remove_topic(session, topic, report)
    if replace:
        wanted = {part.slug for part in document.services}
        for slug in [slug for slug in existing if slug not in wanted]:
            _remove_service(session, existing.pop(slug), now, report)
    session.flush()
    return existing


def _ranges(part: StaffServicePart) -> list[schedule.Range]:
    """The weekly ranges of one staff service part, in the document's order."""
    return [
        schedule.Range(
            WEEKDAYS.index(item.day),
            time.fromisoformat(item.start),
            time.fromisoformat(item.end),
        )
        for item in part.hours
    ]


def _check_staff(
    document: CatalogueDocument, services: Mapping[str, Service]
) -> tuple[list[Problem], dict[tuple[int, int], list[schedule.Range]]]:
    """Unknown services and bad hours, per path; the checked ranges per (staff, service) index."""
    problems: list[Problem] = []
    checked: dict[tuple[int, int], list[schedule.Range]] = {}
    for m, member in enumerate(document.staff):
        per_service: dict[int, tuple[Service, list[schedule.Range]]] = {}
        for p, part in enumerate(member.services):
            service = services.get(part.service)
            if service is None:
                path = f"$.staff[{m}].services[{p}].service"
                problems.append(Problem(path, f"no service {part.service!r}"))
                continue
            per_service[p] = (service, _ranges(part))
        for p, (service, ranges) in per_service.items():
            others = [r for q, (_, other) in per_service.items() if q != p for r in other]
            errors = schedule.check_ranges(ranges, service.appointment_minutes, others)
            for index, key in errors.items():
                where = f"$.staff[{m}].services[{p}].hours"
                if index.isdigit():
                    where += f"[{index}]"
                problems.append(Problem(where, HOURS_MESSAGES.get(key, key)))
            checked[(m, p)] = sorted(ranges)
    return problems, checked


def _set_hours(
    session: Session,
    member: StaffMember,
    service: Service,
    ranges: list[schedule.Range],
    now: datetime,
    path: str,
    problems: list[Problem],
) -> bool:
    """Make the standing weekly hours of (member, service) ``ranges``; whether they changed.

    A change that would leave booked future appointments outside the hours is refused (the
    staff page's rule; cancelling them is an administrator's explicit choice there).
    """
    if member.id is not None and schedule.weekly_hours(session, member.id, service.id) == ranges:
        return False
    if member.id is not None:
        stranded = schedule.stranded_by_hours(session, member, service, ranges, now)
        if stranded:
            references = ", ".join(appointment.reference for appointment in stranded)
            problems.append(
                Problem(path, f"would leave booked appointments outside the hours: {references}")
            )
            return False
    session.exec(
        delete(OpeningHours).where(
            OpeningHours.staff_id == member.id,
            OpeningHours.service_id == service.id,
            OpeningHours.valid_from.is_(None),
            OpeningHours.valid_until.is_(None),
        )
    )
    for item in ranges:
        session.add(
            OpeningHours(
                staff_id=member.id,
                service_id=service.id,
                weekday=item.weekday,
                start_time=item.start,
                end_time=item.end,
            )
        )
    return True


def _import_staff(
    session: Session,
    organisation: Organisation,
    document: CatalogueDocument,
    services: Mapping[str, Service],
    checked: Mapping[tuple[int, int], list[schedule.Range]],
    replace: bool,
    now: datetime,
    report: ImportReport,
) -> list[Problem]:
    """Add or update the document's staff, their services and hours; problems found."""
    problems: list[Problem] = []
    by_id = {service.id: service for service in services.values()}
    for m, part in enumerate(document.staff):
        values = {
            "display_name": part.display_name,
            "roles": list(part.roles),
            "active": part.active,
        }
        member = find_staff_by_email(session, organisation.id, part.email)
        if member is None:
            member = StaffMember(organisation_id=organisation.id, email=part.email, **values)
            session.add(member)
            session.flush()
            report.staff_added += 1
        else:
            # Roles the file cannot hold (the platform role) stay as they are.
            values["roles"] += [role for role in member.roles if role not in CITY_ROLES]
            if _apply(member, values):
                session.add(member)
                report.staff_updated += 1
        current = set(
            session.exec(select(StaffService.service_id).where(StaffService.staff_id == member.id))
        )
        for p, service_part in enumerate(part.services):
            service = services[service_part.service]
            if service.id not in current:
                session.add(StaffService(staff_id=member.id, service_id=service.id))
            path = f"$.staff[{m}].services[{p}].hours"
            if _set_hours(session, member, service, checked[(m, p)], now, path, problems):
                report.hours_replaced += 1
        if replace:
            listed = {services[item.service].id for item in part.services}
            for service_id in current - listed:
                if service_id in by_id and _set_hours(
                    session, member, by_id[service_id], [], now, f"$.staff[{m}].services", problems
                ):
                    report.hours_replaced += 1
                session.exec(
                    delete(StaffService).where(
                        StaffService.staff_id == member.id, StaffService.service_id == service_id
                    )
                )
        session.flush()
    return problems


def import_catalogue(
    session: Session,
    organisation: Organisation,
    data: Any,
    replace: bool = False,
    *,
    now: datetime | None = None,
) -> ImportReport:
    """Bring the organisation's catalogue in line with the document; commits once.

    Services and topics are matched by slug and staff by e-mail address: new ones are added,
    existing ones updated. With ``replace``, the organisation's services and topics that the
    document leaves out are removed (only deactivated when they were ever booked), and so are
    the listed staff members' other services. Staff members the document leaves out are never
    touched. Any problem raises CatalogueError and changes nothing.
    """
    document = validate(data)
    now = now or utcnow()
    problems = _check_languages(document)
    if document.staff and document.organisation.time_zone != organisation.time_zone:
        problems.append(
            Problem(
                "$.organisation.time_zone",
                f"the hours are in {document.organisation.time_zone}, the organisation uses "
                f"{organisation.time_zone}",
            )
        )
    if problems:
        raise CatalogueError(problems)
    report = ImportReport()
    try:
        services = _import_services(session, organisation, document, replace, now, report)
        problems, checked = _check_staff(document, services)
        if not problems:
            problems = _import_staff(
                session, organisation, document, services, checked, replace, now, report
            )
        if problems:
            raise CatalogueError(problems)
        if report.changes():
            audit(
                session,
                None,
                "catalogue_import",
                "organisation",
                organisation.id,
                organisation_id=organisation.id,
                at=now,
                replace=replace,
                **report.as_dict(),
            )
            catalogue_cache.changed(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        catalogue_cache.clear()
    return report
