"""The platform: creating an organisation (slug, name, first host, first administrator).

Used by ``python -m balie.org create`` and by the platform page; the new organisation starts
with the platform's default settings and, when given, a catalogue (another organisation's
export or a JSON file in the documented format).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from balie.models import Organisation, OrganisationHost, Role, StaffMember
from balie.services import catalogue_io, org_settings, tenancy
from balie.services.catalogue_admin import Invalid, _clean
from balie.services.org_settings import HOST_PATTERN
from balie.services.staff.staff_auth import audit, find_staff_by_email, require_role
from balie.services.tenancy import normalised_host
from balie.services.validation import check_email

SLUG_MAX = 64
NAME_MIN, NAME_MAX = 2, 200


@dataclass(frozen=True)
class NewOrganisation:
    """What a new organisation needs; checked by ``check_new``."""

    slug: str
    name: str
    host: str
    admin_email: str
    admin_name: str


@dataclass(frozen=True)
class Created:
    """The organisation made, its first administrator and what its catalogue import did."""

    organisation: Organisation
    admin: StaffMember
    host: str
    imported: catalogue_io.ImportReport | None


def check_new(session: Session, form: dict[str, Any]) -> NewOrganisation:
    """The checked fields of a new organisation; Invalid with an error key per field."""
    errors: dict[str, str] = {}
    slug = _clean(form.get("slug")).lower()
    if len(slug) > SLUG_MAX or not re.fullmatch(catalogue_io.SLUG_PATTERN, slug):
        errors["slug"] = "admin_error_slug_format"
    elif session.exec(select(Organisation.id).where(Organisation.slug == slug)).first():
        errors["slug"] = "admin_error_slug_taken"
    name = _clean(form.get("name"))
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = "admin_error_display_name"
    host = normalised_host(_clean(form.get("host")))
    if not HOST_PATTERN.fullmatch(host) or "." not in host:
        errors["host"] = "admin_error_host"
    elif host in tenancy.allowed_host_names():
        # Taken by another organisation, or by the configured one (BALIE_ALLOWED_HOSTS).
        errors["host"] = "admin_error_host_taken"
    email, problem = check_email(form.get("admin_email"))
    if problem:
        errors["admin_email"] = "admin_error_email_invalid"
    admin_name = _clean(form.get("admin_name")) or email
    if errors:
        raise Invalid(errors)
    return NewOrganisation(slug, name, host, email, admin_name[:NAME_MAX])


def add_host(session: Session, organisation: Organisation, host: str) -> str:
    """Record that ``organisation`` is served at ``host`` (its primary host if it has none yet);
    returns the host as stored. No commit."""
    stored = normalised_host(host)
    has_primary = session.exec(
        select(OrganisationHost.id).where(
            OrganisationHost.organisation_id == organisation.id, OrganisationHost.is_primary
        )
    ).first()
    session.add(
        OrganisationHost(
            organisation_id=organisation.id, host=stored, is_primary=has_primary is None
        )
    )
    return stored


def create_organisation(
    session: Session,
    new: NewOrganisation,
    *,
    catalogue: Any = None,
    actor: StaffMember | None = None,
) -> Created:
    """Make the organisation, its settings, host and first administrator; commits once.

    ``catalogue`` is a catalogue document (parsed JSON); its import commits the whole, and any
    problem in it (CatalogueError) leaves nothing behind.
    """
    if actor is not None:
        require_role(actor, Role.PLATFORM)
    document = catalogue_io.validate(catalogue) if catalogue is not None else None
    settings = document.organisation if document else catalogue_io.OrganisationPart()
    organisation = Organisation(
        slug=new.slug,
        name=new.name,
        time_zone=settings.time_zone,
        holiday_country=settings.holiday_country,
        holiday_subdivision=settings.holiday_subdivision,
    )
    session.add(organisation)
    session.flush()
    org_settings.settings_row(session, organisation)
    host = add_host(session, organisation, new.host)
    admin = find_staff_by_email(session, organisation.id, new.admin_email) or StaffMember(
        organisation_id=organisation.id,
        display_name=new.admin_name,
        email=new.admin_email,
        roles=[Role.ADMIN.value],
    )
    session.add(admin)
    session.flush()
    audit(
        session,
        actor,
        "organisation.created",
        "organisation",
        organisation.id,
        organisation_id=organisation.id,
        slug=organisation.slug,
        host=host,
        by_platform_staff=actor.id if actor else None,
    )
    imported = None
    try:
        if document is not None:
            imported = catalogue_io.import_catalogue(session, organisation, document)
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    tenancy.forget_hosts()
    return Created(organisation, admin, host, imported)


def catalogue_of(session: Session, slug: str) -> dict[str, Any]:
    """Organisation ``slug``'s catalogue (without staff) as a document; LookupError if none."""
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise LookupError(slug)
    return catalogue_io.export(session, organisation)
