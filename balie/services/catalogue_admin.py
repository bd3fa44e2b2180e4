"""What administrators manage: services, topics, staff members, and the audit log they read.

Every change is checked here (the pages and the API only pass what was typed), limited to the
administrator's own organisation, and written to the audit log with the values before and after.
Problems come back as per-field error keys (texts in balie.texts.admin), so forms can show
each message next to its field and keep everything that was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from balie.models import (
    CITY_ROLES,
    Appointment,
    AppointmentStatus,
    AuditEntry,
    ChannelRule,
    IdentificationLevel,
    OpeningHours,
    Role,
    Service,
    StaffMember,
    StaffService,
    Topic,
)
from balie.services import catalogue_cache
from balie.services.identity.levels import LEVEL_VALUES
from balie.services.staff.staff_auth import audit, find_staff_by_email, require_role
from balie.services.validation import check_email, check_name, positive_id, whole_number

ADMIN = Role.ADMIN.value
ROLES: tuple[str, ...] = CITY_ROLES  # the platform role is never handed out here
CHANNEL_RULES: tuple[str, ...] = tuple(rule.value for rule in ChannelRule)

SLUG_MAX = 64
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 200
DESCRIPTION_MAX = 1000
REASON_MAX = 500
PREPARATION_MAX = 1000
EARLIEST_LIVE_FROM = date(2000, 1, 1)
LIVE_FROM_AHEAD = timedelta(days=2 * 366)  # a go-live date further ahead is a typing mistake

# Inclusive bounds of the numbers on the service form (the model's, plus sane upper limits).
SERVICE_NUMBERS: dict[str, tuple[int, int]] = {
    "appointment_minutes": (5, 480),
    "buffer_minutes": (0, 240),
    "min_notice_minutes": (0, 30 * 24 * 60),
    "horizon_days": (1, 366),
    "sort_order": (0, 9999),
}
SORT_ORDER = SERVICE_NUMBERS["sort_order"]

SERVICE_FIELDS: tuple[str, ...] = (
    "slug",
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "live_from",
    *SERVICE_NUMBERS,
    "active",
)
TOPIC_FIELDS: tuple[str, ...] = (
    "slug",
    "name_nl",
    "name_en",
    "channel_rule",
    "identification_level",
    "reason_nl",
    "reason_en",
    "preparation_nl",
    "preparation_en",
    "documents_nl",
    "documents_en",
    "sort_order",
    "active",
)

AUDIT_PAGE_SIZE = 50
AUDIT_PREFIX_MAX = 64
AUDIT_PREFIX_PATTERN = re.compile(r"^[a-z0-9_.-]*$")
SUMMARY_MAX = 300


class Invalid(ValueError):
    """What was typed is not acceptable: an error key per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {key}" for name, key in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """No such record in the administrator's organisation."""


# ---------------------------------------------------------------------------------------------
# Reading and cleaning what was typed


def _clean(value: Any, *, multiline: bool = False) -> str:
    """Text without control characters (newlines kept when ``multiline``), trimmed."""
    if not isinstance(value, str):
        return ""
    keep = "\n" if multiline else ""
    text = "".join(ch for ch in value if ch in keep or unicodedata.category(ch)[0] != "C")
    if multiline:
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    return " ".join(text.split())


def _checked(value: Any) -> bool:
    """Whether a checkbox value means "on" (a form sends "on" or nothing)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in {"on", "true", "1", "yes"}


def _check_slug(value: Any, errors: dict[str, str]) -> str:
    """A slug: lower-case letters, digits and single hyphens."""
    slug = _clean(value).lower()
    if not slug:
        errors["slug"] = "admin_error_slug_required"
    elif len(slug) > SLUG_MAX or not SLUG_PATTERN.fullmatch(slug):
        errors["slug"] = "admin_error_slug_format"
    return slug


def _check_text(
    data: Mapping[str, Any],
    name: str,
    limit: int,
    errors: dict[str, str],
    *,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """An optional (or required) text field within ``limit`` characters."""
    text = _clean(data.get(name), multiline=multiline)
    if required and not text:
        errors[name] = f"admin_error_{name}_required"
    elif len(text) > limit:
        errors[name] = "admin_error_too_long"
    return text


def _check_number(data: Mapping[str, Any], name: str, errors: dict[str, str]) -> int:
    """A whole number within the bounds of ``name``."""
    low, high = SERVICE_NUMBERS[name]
    number = whole_number(data.get(name))
    if number is None or not low <= number <= high:
        errors[name] = f"admin_error_range_{name}"
        return low
    return number


def _check_live_from(value: Any, today: date, errors: dict[str, str]) -> date:
    """The go-live date (YYYY-MM-DD): from 2000 up to about two years ahead."""
    text = _clean(value)
    try:
        chosen = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        chosen = None
    if chosen is None:
        errors["live_from"] = "admin_error_date_format"
        return today
    if not EARLIEST_LIVE_FROM <= chosen <= today + LIVE_FROM_AHEAD:
        errors["live_from"] = "admin_error_date_range"
    return chosen


def _texts(nl: str, en: str) -> dict[str, str]:
    """Text per language, leaving out the empty ones (English is optional)."""
    return {code: text for code, text in (("nl", nl), ("en", en)) if text}


def _form_of(data: Any) -> Mapping[str, Any]:
    """The form data as a mapping (anything else counts as an empty form)."""
    return data if isinstance(data, Mapping) else {}


# ---------------------------------------------------------------------------------------------
# Services


@dataclass(frozen=True)
class ServiceSummary:
    """A service in the administrator's list."""

    id: int
    slug: str
    name: dict[str, str]
    live_from: date
    appointment_minutes: int
    active: bool
    topic_count: int


def list_services(session: Session, organisation_id: int) -> list[ServiceSummary]:
    """All services of the organisation (also inactive and not yet live), in menu order."""
    counts = dict(
        session.exec(
            select(Topic.service_id, func.count(Topic.id))
            .join(Service, Service.id == Topic.service_id)
            .where(Service.organisation_id == organisation_id)
            .group_by(Topic.service_id)
        ).all()
    )
    services = session.exec(
        select(Service)
        .where(Service.organisation_id == organisation_id)
        .order_by(Service.sort_order, Service.id)
    ).all()
    return [
        ServiceSummary(
            id=service.id,
            slug=service.slug,
            name=dict(service.name),
            live_from=service.live_from,
            appointment_minutes=service.appointment_minutes,
            active=service.active,
            topic_count=counts.get(service.id, 0),
        )
        for service in services
    ]


def get_service(session: Session, organisation_id: int, service_id: Any) -> Service:
    """The organisation's service with this id; NotFound for anything else."""
    wanted = positive_id(service_id)
    service = session.get(Service, wanted) if wanted is not None else None
    if service is None or service.organisation_id != organisation_id:
        raise NotFound(f"no service {service_id!r}")
    return service


def service_values(service: Service | None) -> dict[str, str]:
    """A service as form values (strings); a blank new service when None."""
    if service is None:
        return {
            **dict.fromkeys(SERVICE_FIELDS, ""),
            "appointment_minutes": "30",
            "buffer_minutes": "0",
            "min_notice_minutes": "120",
            "horizon_days": "42",
            "sort_order": "0",
            "active": "on",
        }
    return {
        "slug": service.slug,
        "name_nl": service.name.get("nl", ""),
        "name_en": service.name.get("en", ""),
        "description_nl": (service.description or {}).get("nl", ""),
        "description_en": (service.description or {}).get("en", ""),
        "live_from": service.live_from.isoformat(),
        **{name: str(getattr(service, name)) for name in SERVICE_NUMBERS},
        "active": "on" if service.active else "",
    }


def _service_record(service: Service) -> dict[str, Any]:
    """A service's editable fields as JSON values, for the audit log."""
    return {
        "slug": service.slug,
        "name": dict(service.name),
        "description": dict(service.description or {}),
        "live_from": service.live_from.isoformat(),
        **{name: getattr(service, name) for name in SERVICE_NUMBERS},
        "active": service.active,
    }


def check_service(
    session: Session,
    organisation_id: int,
    data: Any,
    today: date,
    service_id: int | None = None,
) -> dict[str, Any]:
    """The checked values of a service form; Invalid with the per-field errors."""
    form = _form_of(data)
    errors: dict[str, str] = {}
    slug = _check_slug(form.get("slug"), errors)
    name_nl = _check_text(form, "name_nl", NAME_MAX, errors, required=True)
    name_en = _check_text(form, "name_en", NAME_MAX, errors)
    about_nl = _check_text(form, "description_nl", DESCRIPTION_MAX, errors, multiline=True)
    about_en = _check_text(form, "description_en", DESCRIPTION_MAX, errors, multiline=True)
    live_from = _check_live_from(form.get("live_from"), today, errors)
    numbers = {name: _check_number(form, name, errors) for name in SERVICE_NUMBERS}
    if (
        not errors.keys() & {"min_notice_minutes", "horizon_days"}
        and numbers["min_notice_minutes"] >= numbers["horizon_days"] * 24 * 60
    ):
        errors["min_notice_minutes"] = "admin_error_notice_beyond_horizon"
    if "slug" not in errors:
        taken = session.exec(
            select(Service.id).where(
                Service.organisation_id == organisation_id,
                Service.slug == slug,
                Service.id != (service_id or 0),
            )
        ).first()
        if taken is not None:
            errors["slug"] = "admin_error_slug_taken"
    if errors:
        raise Invalid(errors)
    return {
        "slug": slug,
        "name": _texts(name_nl, name_en),
        "description": _texts(about_nl, about_en),
        "live_from": live_from,
        **numbers,
        "active": _checked(form.get("active")),
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields that changed, as {"before": …, "after": …}."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {
        "before": {name: before.get(name) for name in changed},
        "after": {name: after[name] for name in changed},
    }


def _commit_or_slug_taken(session: Session) -> None:
    """Commit; a unique-slug race with another administrator becomes a field error."""
    try:
        _commit_catalogue(session)
    except IntegrityError as problem:
        session.rollback()
        raise Invalid({"slug": "admin_error_slug_taken"}) from problem


def _commit_catalogue(session: Session) -> None:
    """Commit a catalogue change with a new version number, so every process reloads it."""
    catalogue_cache.changed(session)
    session.commit()
    catalogue_cache.clear()


def create_service(session: Session, admin: StaffMember, data: Any, today: date) -> Service:
    """Add a service to the administrator's organisation; audited; commits."""
    require_role(admin, ADMIN)
    values = check_service(session, admin.organisation_id, data, today)
    service = Service(organisation_id=admin.organisation_id, **values)
    session.add(service)
    session.flush()
    audit(
        session,
        admin,
        "catalogue_service_create",
        "service",
        service.id,
        slug=service.slug,
        after=_service_record(service),
    )
    _commit_or_slug_taken(session)
    return service


def update_service(
    session: Session, admin: StaffMember, service_id: Any, data: Any, today: date, now: datetime
) -> Service:
    """Change a service of the administrator's organisation; audited (before/after); commits."""
    require_role(admin, ADMIN)
    service = get_service(session, admin.organisation_id, service_id)
    values = check_service(session, admin.organisation_id, data, today, service.id)
    before = _service_record(service)
    for name, value in values.items():
        setattr(service, name, value)
    service.updated_at = now
    session.add(service)
    changes = _changes(before, _service_record(service))
    if changes["after"]:
        audit(
            session,
            admin,
            "catalogue_service_update",
            "service",
            service.id,
            slug=service.slug,
            **changes,
        )
    _commit_or_slug_taken(session)
    return service


def _has_appointments(session: Session, condition: Any) -> bool:
    """Whether any appointment (in any state) matches ``condition``."""
    return session.exec(select(Appointment.id).where(condition).limit(1)).first() is not None


def remove_service(session: Session, admin: StaffMember, service_id: Any, now: datetime) -> str:
    """Delete a service, or only deactivate it when it has appointments; "deleted"/"deactivated".

    Appointments keep pointing at their service and topic (statistics, retention), so a
    service that was ever booked is switched off instead.
    """
    require_role(admin, ADMIN)
    service = get_service(session, admin.organisation_id, service_id)
    record, service_key = _service_record(service), service.id
    if _has_appointments(session, Appointment.service_id == service.id):
        service.active, service.updated_at = False, now
        session.add(service)
        outcome = "deactivated"
    else:
        for table in (Topic, StaffService, OpeningHours):
            session.exec(delete(table).where(table.service_id == service.id))
        session.delete(service)
        outcome = "deleted"
    audit(
        session,
        admin,
        f"catalogue_service_{'delete' if outcome == 'deleted' else 'deactivate'}",
        "service",
        service_key,
        slug=record["slug"],
        before=record,
    )
    _commit_catalogue(session)
    return outcome


# ---------------------------------------------------------------------------------------------
# Topics


def list_topics(session: Session, organisation_id: int, service_id: Any) -> list[Topic]:
    """All topics of one of the organisation's services (also inactive), in menu order."""
    service = get_service(session, organisation_id, service_id)
    return list(
        session.exec(
            select(Topic).where(Topic.service_id == service.id).order_by(Topic.sort_order, Topic.id)
        ).all()
    )


def get_topic(session: Session, organisation_id: int, topic_id: Any) -> Topic:
    """The topic with this id when its service belongs to the organisation; else NotFound."""
    wanted = positive_id(topic_id)
    topic = session.get(Topic, wanted) if wanted is not None else None
    if topic is None:
        raise NotFound(f"no topic {topic_id!r}")
    service = session.get(Service, topic.service_id)
    if service is None or service.organisation_id != organisation_id:
        raise NotFound(f"no topic {topic_id!r}")
    return topic


DOCUMENTS_MAX_LINES = 10
DOCUMENT_LABEL_MAX = 120
DOCUMENTS_FIELD_MAX = DOCUMENTS_MAX_LINES * (DOCUMENT_LABEL_MAX + 2)


def _document_lines(text: str) -> list[str]:
    """The non-empty lines of a list typed one document per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _check_documents(form: Mapping[str, Any], errors: dict[str, str]) -> list[dict[str, str]]:
    """The requested documents: one per line, Dutch and English lines paired by position."""
    lines = {}
    for language in ("nl", "en"):
        name = f"documents_{language}"
        text = _check_text(form, name, DOCUMENTS_FIELD_MAX, errors, multiline=True)
        lines[language] = _document_lines(text)
        too_long = any(len(line) > DOCUMENT_LABEL_MAX for line in lines[language])
        if name not in errors and (len(lines[language]) > DOCUMENTS_MAX_LINES or too_long):
            errors[name] = "admin_error_documents"
    if len(lines["en"]) > len(lines["nl"]) and "documents_en" not in errors:
        errors["documents_en"] = "admin_error_documents_pairs"
    english = lines["en"] + [""] * (len(lines["nl"]) - len(lines["en"]))
    return [_texts(nl, en) for nl, en in zip(lines["nl"], english, strict=False)]


def topic_values(topic: Topic | None) -> dict[str, str]:
    """A topic as form values (strings); a blank new video topic when None."""
    if topic is None:
        return {
            **dict.fromkeys(TOPIC_FIELDS, ""),
            "channel_rule": ChannelRule.VIDEO.value,
            "identification_level": IdentificationLevel.NONE.value,
            "sort_order": "0",
            "active": "on",
        }
    reason, preparation = topic.channel_reason or {}, topic.preparation or {}
    return {
        "slug": topic.slug,
        "name_nl": topic.name.get("nl", ""),
        "name_en": topic.name.get("en", ""),
        "channel_rule": ChannelRule(topic.channel_rule).value,
        "identification_level": IdentificationLevel(topic.identification_level).value,
        "reason_nl": reason.get("nl", ""),
        "reason_en": reason.get("en", ""),
        "preparation_nl": preparation.get("nl", ""),
        "preparation_en": preparation.get("en", ""),
        "documents_nl": "\n".join(d.get("nl", "") for d in topic.documents_requested or []),
        "documents_en": "\n".join(d.get("en", "") for d in topic.documents_requested or []),
        "sort_order": str(topic.sort_order),
        "active": "on" if topic.active else "",
    }


def _topic_record(topic: Topic) -> dict[str, Any]:
    """A topic's editable fields as JSON values, for the audit log."""
    return {
        "slug": topic.slug,
        "name": dict(topic.name),
        "channel_rule": ChannelRule(topic.channel_rule).value,
        "identification_level": IdentificationLevel(topic.identification_level).value,
        "channel_reason": dict(topic.channel_reason or {}),
        "preparation": dict(topic.preparation or {}),
        "documents_requested": [dict(d) for d in topic.documents_requested or []],
        "sort_order": topic.sort_order,
        "active": topic.active,
    }


def check_topic(
    session: Session, service_id: int, data: Any, topic_id: int | None = None
) -> dict[str, Any]:
    """The checked values of a topic form; Invalid with the per-field errors."""
    form = _form_of(data)
    errors: dict[str, str] = {}
    slug = _check_slug(form.get("slug"), errors)
    name_nl = _check_text(form, "name_nl", NAME_MAX, errors, required=True)
    name_en = _check_text(form, "name_en", NAME_MAX, errors)
    rule = form.get("channel_rule")
    if rule not in CHANNEL_RULES:
        errors["channel_rule"] = "admin_error_channel_rule"
        rule = ChannelRule.VIDEO.value
    # A form without the field (an older page) keeps no level: "none".
    level = form.get("identification_level") or IdentificationLevel.NONE.value
    if level not in LEVEL_VALUES:
        errors["identification_level"] = "admin_error_identification_level"
        level = IdentificationLevel.NONE.value
    reason_nl = _check_text(form, "reason_nl", REASON_MAX, errors, multiline=True)
    reason_en = _check_text(form, "reason_en", REASON_MAX, errors, multiline=True)
    if rule == ChannelRule.VIDEO.value:
        # Citizens never see a reason for a video topic; saying so beats storing it unseen.
        for name, text in (("reason_nl", reason_nl), ("reason_en", reason_en)):
            if text and name not in errors:
                errors[name] = "admin_error_reason_with_video"
    prep_nl = _check_text(form, "preparation_nl", PREPARATION_MAX, errors, multiline=True)
    prep_en = _check_text(form, "preparation_en", PREPARATION_MAX, errors, multiline=True)
    requested = _check_documents(form, errors)
    sort_order = whole_number(form.get("sort_order"))
    if sort_order is None or not SORT_ORDER[0] <= sort_order <= SORT_ORDER[1]:
        errors["sort_order"] = "admin_error_range_sort_order"
    if "slug" not in errors:
        taken = session.exec(
            select(Topic.id).where(
                Topic.service_id == service_id, Topic.slug == slug, Topic.id != (topic_id or 0)
            )
        ).first()
        if taken is not None:
            errors["slug"] = "admin_error_topic_slug_taken"
    if errors:
        raise Invalid(errors)
    return {
        "slug": slug,
        "name": _texts(name_nl, name_en),
        "channel_rule": ChannelRule(rule),
        "identification_level": IdentificationLevel(level),
        "channel_reason": _texts(reason_nl, reason_en),
        "preparation": _texts(prep_nl, prep_en),
        "documents_requested": requested,
        "sort_order": sort_order,
        "active": _checked(form.get("active")),
    }


def create_topic(session: Session, admin: StaffMember, service_id: Any, data: Any) -> Topic:
    """Add a topic to one of the organisation's services; audited; commits."""
    require_role(admin, ADMIN)
    service = get_service(session, admin.organisation_id, service_id)
    topic = Topic(service_id=service.id, **check_topic(session, service.id, data))
    session.add(topic)
    session.flush()
    audit(
        session,
        admin,
        "catalogue_topic_create",
        "topic",
        topic.id,
        service=service.slug,
        slug=topic.slug,
        after=_topic_record(topic),
    )
    _commit_or_slug_taken(session)
    return topic


def update_topic(session: Session, admin: StaffMember, topic_id: Any, data: Any) -> Topic:
    """Change a topic of the organisation; audited (before/after); commits."""
    require_role(admin, ADMIN)
    topic = get_topic(session, admin.organisation_id, topic_id)
    values = check_topic(session, topic.service_id, data, topic.id)
    before = _topic_record(topic)
    for name, value in values.items():
        setattr(topic, name, value)
    session.add(topic)
    changes = _changes(before, _topic_record(topic))
    if changes["after"]:
        service = session.get(Service, topic.service_id)
        audit(
            session,
            admin,
            "catalogue_topic_update",
            "topic",
            topic.id,
            service=service.slug,
            slug=topic.slug,
            **changes,
        )
    _commit_or_slug_taken(session)
    return topic


def remove_topic(session: Session, admin: StaffMember, topic_id: Any) -> str:
    """Delete a topic, or only deactivate it when it has appointments; "deleted"/"deactivated"."""
    require_role(admin, ADMIN)
    topic = get_topic(session, admin.organisation_id, topic_id)
    record, topic_key = _topic_record(topic), topic.id
    service = session.get(Service, topic.service_id)
    if _has_appointments(session, Appointment.topic_id == topic.id):
        topic.active = False
        session.add(topic)
        outcome = "deactivated"
    else:
        session.delete(topic)
        outcome = "deleted"
    audit(
        session,
        admin,
        f"catalogue_topic_{'delete' if outcome == 'deleted' else 'deactivate'}",
        "topic",
        topic_key,
        service=service.slug,
        slug=record["slug"],
        before=record,
    )
    _commit_catalogue(session)
    return outcome


# ---------------------------------------------------------------------------------------------
# Staff members


@dataclass(frozen=True)
class StaffSummary:
    """A staff member in the administrator's list (never the password hash)."""

    id: int
    display_name: str
    email: str
    roles: tuple[str, ...]
    service_ids: tuple[int, ...]
    active: bool
    has_password: bool
    has_entra: bool


def _memberships(session: Session, staff_ids: Iterable[int]) -> dict[int, list[int]]:
    """Per staff member, the ids of the services they serve."""
    found: dict[int, list[int]] = {staff_id: [] for staff_id in staff_ids}
    if found:
        for staff_id, service_id in session.exec(
            select(StaffService.staff_id, StaffService.service_id)
            .where(StaffService.staff_id.in_(found))
            .order_by(StaffService.service_id)
        ):
            found[staff_id].append(service_id)
    return found


def list_staff(session: Session, organisation_id: int) -> list[StaffSummary]:
    """All staff members of the organisation, active first, by name."""
    members = session.exec(
        select(StaffMember)
        .where(StaffMember.organisation_id == organisation_id)
        .order_by(StaffMember.active.desc(), func.lower(StaffMember.display_name), StaffMember.id)
    ).all()
    services = _memberships(session, [member.id for member in members])
    return [
        StaffSummary(
            id=member.id,
            display_name=member.display_name,
            email=member.email,
            roles=tuple(role for role in ROLES if role in member.roles),
            service_ids=tuple(services[member.id]),
            active=member.active,
            has_password=bool(member.password_hash),
            has_entra=bool(member.entra_object_id),
        )
        for member in members
    ]


def get_staff(session: Session, organisation_id: int, staff_id: Any) -> StaffMember:
    """The organisation's staff member with this id; NotFound for anything else."""
    wanted = positive_id(staff_id)
    member = session.get(StaffMember, wanted) if wanted is not None else None
    if member is None or member.organisation_id != organisation_id:
        raise NotFound(f"no staff member {staff_id!r}")
    return member


def staff_values(session: Session, member: StaffMember | None) -> dict[str, str]:
    """A staff member as form values: name, e-mail, "role_<role>" and "service_<id>" boxes."""
    if member is None:
        return {"display_name": "", "email": "", "active": "on", "role_staff": "on"}
    values = {
        "display_name": member.display_name,
        "email": member.email,
        "active": "on" if member.active else "",
    }
    values.update({f"role_{role}": "on" for role in member.roles if role in ROLES})
    for service_id in _memberships(session, [member.id])[member.id]:
        values[f"service_{service_id}"] = "on"
    return values


def _chosen(form: Mapping[str, Any], prefix: str) -> list[str]:
    """The suffixes of the ticked checkboxes named ``prefix`` + suffix."""
    return [
        name[len(prefix) :]
        for name, value in form.items()
        if isinstance(name, str) and name.startswith(prefix) and _checked(value)
    ]


def _check_memberships(
    session: Session, organisation_id: int, form: Mapping[str, Any], errors: dict[str, str]
) -> tuple[list[str], list[int]]:
    """The ticked roles and the ticked services (which must be the organisation's)."""
    roles = [role for role in ROLES if role in _chosen(form, "role_")]
    if set(_chosen(form, "role_")) - set(ROLES):
        errors["roles"] = "admin_error_role_unknown"
    elif not roles:
        errors["roles"] = "admin_error_roles_required"
    wanted = [positive_id(suffix) for suffix in _chosen(form, "service_")]
    own = set(
        session.exec(select(Service.id).where(Service.organisation_id == organisation_id)).all()
    )
    if any(service_id not in own for service_id in wanted):
        errors["services"] = "admin_error_service_unknown"
    return roles, sorted({service_id for service_id in wanted if service_id in own})


def _staff_record(session: Session, member: StaffMember) -> dict[str, Any]:
    """A staff member's managed fields for the audit log (no password hash)."""
    return {
        "display_name": member.display_name,
        "email": member.email,
        "roles": [role for role in ROLES if role in member.roles],
        "services": _memberships(session, [member.id])[member.id],
        "active": member.active,
    }


def check_new_staff(session: Session, organisation_id: int, data: Any) -> dict[str, Any]:
    """The checked values of the form for a new staff member; Invalid with per-field errors."""
    form = _form_of(data)
    errors: dict[str, str] = {}
    name, name_error = check_name(form.get("display_name"))
    if name_error:
        errors["display_name"] = "admin_error_display_name"
    email, email_error = check_email(form.get("email"))
    if email_error:
        errors["email"] = (
            "admin_error_email_required"
            if email_error == "error_email_required"
            else "admin_error_email_invalid"
        )
    elif find_staff_by_email(session, organisation_id, email) is not None:
        errors["email"] = "admin_error_email_taken"
    roles, service_ids = _check_memberships(session, organisation_id, form, errors)
    if errors:
        raise Invalid(errors)
    return {"display_name": name, "email": email, "roles": roles, "service_ids": service_ids}


def create_staff(session: Session, admin: StaffMember, data: Any) -> StaffMember:
    """Add a staff member without a password (set with the staff command); audited; commits."""
    require_role(admin, ADMIN)
    values = check_new_staff(session, admin.organisation_id, data)
    member = StaffMember(
        organisation_id=admin.organisation_id,
        display_name=values["display_name"],
        email=values["email"],
        roles=values["roles"],
    )
    session.add(member)
    try:
        session.flush()
    except IntegrityError as problem:  # another administrator added the same address just now
        session.rollback()
        raise Invalid({"email": "admin_error_email_taken"}) from problem
    for service_id in values["service_ids"]:
        session.add(StaffService(staff_id=member.id, service_id=service_id))
    session.flush()
    audit(
        session,
        admin,
        "staff_member_create",
        "staff",
        member.id,
        after=_staff_record(session, member),
    )
    session.commit()
    return member


def update_staff(session: Session, admin: StaffMember, staff_id: Any, data: Any) -> StaffMember:
    """Change a staff member's name, roles, services and whether they are active; audited.

    Administrators cannot take away their own admin role or switch themselves off, so an
    organisation always keeps at least the administrator who made the last change.
    """
    require_role(admin, ADMIN)
    member = get_staff(session, admin.organisation_id, staff_id)
    form = _form_of(data)
    errors: dict[str, str] = {}
    name, name_error = check_name(form.get("display_name"))
    if name_error:
        errors["display_name"] = "admin_error_display_name"
    roles, service_ids = _check_memberships(session, admin.organisation_id, form, errors)
    active = _checked(form.get("active"))
    if member.id == admin.id:
        if "roles" not in errors and ADMIN not in roles:
            errors["roles"] = "admin_error_own_admin_role"
        if not active:
            errors["active"] = "admin_error_deactivate_self"
    if errors:
        raise Invalid(errors)
    before = _staff_record(session, member)
    kept = [role for role in member.roles if role not in ROLES]  # e.g. platform: not ours
    member.display_name, member.roles, member.active = name, roles + kept, active
    session.add(member)
    session.exec(delete(StaffService).where(StaffService.staff_id == member.id))
    for service_id in service_ids:
        session.add(StaffService(staff_id=member.id, service_id=service_id))
    session.flush()
    changes = _changes(before, _staff_record(session, member))
    if changes["after"]:
        audit(session, admin, "staff_member_update", "staff", member.id, **changes)
    session.commit()
    return member


def future_appointments(session: Session, staff_id: int, now: datetime) -> int:
    """How many booked appointments a staff member still has from ``now`` on."""
    return session.exec(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.staff_id == staff_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.start_at >= now,
        )
    ).one()


# ---------------------------------------------------------------------------------------------
# The audit log


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator wants to see in the audit log (local dates, inclusive)."""

    action_prefix: str = ""
    staff_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit entry, with the name of who did it."""

    id: int
    at: datetime
    staff_id: int | None
    staff_name: str
    action: str
    target_type: str
    target_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, newest first."""

    rows: list[AuditRow]
    page: int
    has_previous: bool
    has_next: bool
    filters: AuditFilter = field(default_factory=AuditFilter)


def check_audit_filter(session: Session, organisation_id: int, data: Any) -> AuditFilter:
    """The checked filters of the audit page; Invalid with per-field errors."""
    form = _form_of(data)
    errors: dict[str, str] = {}
    prefix = _clean(form.get("action_prefix")).lower()
    if len(prefix) > AUDIT_PREFIX_MAX or not AUDIT_PREFIX_PATTERN.fullmatch(prefix):
        errors["action_prefix"] = "admin_error_action_prefix"
    staff_id = None
    raw_staff = form.get("staff_id")
    if raw_staff not in (None, ""):
        staff_id = positive_id(raw_staff)
        try:
            get_staff(session, organisation_id, staff_id)
        except NotFound:
            errors["staff_id"] = "admin_error_staff_unknown"
    dates: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        text = _clean(form.get(name))
        dates[name] = None
        if text:
            try:
                dates[name] = date.fromisoformat(text) if len(text) == 10 else None
            except ValueError:
                dates[name] = None
            if dates[name] is None or dates[name].year < 2000:
                errors[name] = "admin_error_date_format"
    start, end = dates["date_from"], dates["date_to"]
    if not errors and start and end and start > end:
        errors["date_to"] = "admin_error_date_order"
    if errors:
        raise Invalid(errors)
    return AuditFilter(prefix, staff_id, dates["date_from"], dates["date_to"])


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts in ``tz``."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def _escape_like(text: str) -> str:
    """``text`` for a LIKE pattern, with its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def read_audit(
    session: Session,
    organisation_id: int,
    filters: AuditFilter,
    tz: ZoneInfo,
    page: int = 0,
    page_size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of the organisation's audit log, newest first, with the staff names."""
    page = max(0, min(page, 10**6))
    conditions = [AuditEntry.organisation_id == organisation_id]
    if filters.action_prefix:
        conditions.append(AuditEntry.action.like(_escape_like(filters.action_prefix) + "%", "\\"))
    if filters.staff_id is not None:
        conditions.append(AuditEntry.staff_id == filters.staff_id)
    if filters.date_from is not None:
        conditions.append(AuditEntry.at >= _local_midnight(filters.date_from, tz))
    if filters.date_to is not None:
        next_day = filters.date_to + timedelta(days=1)
        conditions.append(AuditEntry.at < _local_midnight(next_day, tz))
    found = session.exec(
        select(AuditEntry, StaffMember.display_name)
        .join(StaffMember, StaffMember.id == AuditEntry.staff_id, isouter=True)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(page * page_size)
        .limit(page_size + 1)
    ).all()
    rows = [
        AuditRow(
            id=entry.id,
            at=entry.at,
            staff_id=entry.staff_id,
            staff_name=name or "",
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            detail=dict(entry.detail or {}),
        )
        for entry, name in found[:page_size]
    ]
    return AuditPage(rows, page, page > 0, len(found) > page_size, filters)


def _short(value: Any) -> str:
    """A JSON value in a few characters."""
    if isinstance(value, dict):
        return "/".join(str(text) for text in value.values()) if value else "–"
    if isinstance(value, list):
        return ",".join(map(str, value)) if value else "–"
    if value is None or value == "":
        return "–"
    return str(value)


def summarise(detail: Mapping[str, Any]) -> str:
    """A one-line summary of an audit entry's detail: changes as "field: old → new"."""
    parts: list[str] = []
    before, after = detail.get("before"), detail.get("after")
    for name, value in detail.items():
        if name not in {"before", "after"}:
            parts.append(f"{name}: {_short(value)}")
    if isinstance(before, dict) and isinstance(after, dict):
        for name in after:
            parts.append(f"{name}: {_short(before.get(name))} → {_short(after[name])}")
    elif isinstance(after, dict):
        parts.extend(f"{name}: {_short(value)}" for name, value in after.items())
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"
