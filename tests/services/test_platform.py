"""The platform role: only the platform creates organisations; cities never hand the role out."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Organisation, StaffMember
from balie.services import catalogue_admin, entra, platform, tenancy
from balie.services.catalogue_admin import Invalid


@pytest.fixture
def gent(session: Session) -> Organisation:
    """A city."""
    organisation = Organisation(slug="gent", name="Stad Gent")
    session.add(organisation)
    session.commit()
    return organisation


def person(
    session: Session, organisation: Organisation, email: str, roles: list[str]
) -> StaffMember:
    """A staff member of ``organisation``."""
    staff = StaffMember(
        organisation_id=organisation.id, display_name=email, email=email, roles=roles
    )
    session.add(staff)
    session.commit()
    return staff


NEW = {
    "slug": "aalst",
    "name": "Stad Aalst",
    "host": "videoloket.aalst.be",
    "admin_email": "a@aalst.be",
}


def test_a_city_administrator_cannot_create_an_organisation(
    session: Session, gent: Organisation
) -> None:
    admin = person(session, gent, "admin@gent.be", ["admin"])
    new = platform.check_new(session, NEW)
    with pytest.raises(PermissionError):
        platform.create_organisation(session, new, actor=admin)
    session.rollback()
    assert session.exec(select(Organisation).where(Organisation.slug == "aalst")).first() is None


def test_the_platform_administrator_creates_one(
    session: Session, gent: Organisation, app_database: Engine
) -> None:
    operator = person(session, gent, "ops@platform.be", ["platform"])
    created = platform.create_organisation(
        session, platform.check_new(session, NEW), actor=operator
    )
    assert created.organisation.slug == "aalst" and created.host == "videoloket.aalst.be"
    assert created.admin.organisation_id == created.organisation.id
    # The new city answers at once on its host, and only there.
    assert tenancy.organisation_slug_for_host("videoloket.aalst.be") == "aalst"
    assert tenancy.primary_host("aalst") == "videoloket.aalst.be"


def test_a_host_in_use_is_refused(
    session: Session, gent: Organisation, app_database: Engine
) -> None:
    operator = person(session, gent, "ops@platform.be", ["platform"])
    platform.create_organisation(session, platform.check_new(session, NEW), actor=operator)
    other = {**NEW, "slug": "aalst2", "host": "VideoLoket.Aalst.be"}
    with pytest.raises(Invalid) as refused:
        platform.check_new(session, other)
    assert refused.value.errors == {"host": "admin_error_host_taken"}
    configured = {**NEW, "slug": "gent2", "host": "localhost"}
    with pytest.raises(Invalid) as refused:
        platform.check_new(session, configured)
    assert refused.value.errors["host"] in {"admin_error_host_taken", "admin_error_host"}


def test_a_city_administrator_cannot_hand_out_the_platform_role(
    session: Session, gent: Organisation
) -> None:
    admin = person(session, gent, "admin@gent.be", ["admin"])
    form = {"display_name": "Eve", "email": "eve@gent.be", "role_platform": "on", "active": "on"}
    with pytest.raises(Invalid) as refused:
        catalogue_admin.create_staff(session, admin, form)
    assert refused.value.errors["roles"] == "admin_error_role_unknown"


def test_editing_a_platform_operator_keeps_their_platform_role(
    session: Session, gent: Organisation
) -> None:
    admin = person(session, gent, "admin@gent.be", ["admin"])
    operator = person(session, gent, "ops@gent.be", ["staff", "platform"])
    form = {"display_name": "Ops", "role_manager": "on", "active": "on"}
    member = catalogue_admin.update_staff(session, admin, operator.id, form)
    assert member.roles == ["manager", "platform"]


def test_a_citys_entra_tenant_never_grants_the_platform_role() -> None:
    assert entra.roles_from_claims({"roles": ["platform", "admin"]}) == ["admin"]


def test_a_catalogue_file_cannot_grant_the_platform_role_and_keeps_it(
    session: Session, gent: Organisation
) -> None:
    from balie.services import catalogue_io

    operator = person(session, gent, "ops@gent.be", ["staff", "platform"])
    document = catalogue_io.export(session, gent)
    staff = {"email": "ops@gent.be", "display_name": "Ops", "roles": ["manager"], "services": []}
    with pytest.raises(catalogue_io.CatalogueError):
        catalogue_io.validate({**document, "staff": [{**staff, "roles": ["platform"]}]})
    catalogue_io.import_catalogue(session, gent, {**document, "staff": [staff]})
    session.refresh(operator)
    assert operator.roles == ["manager", "platform"]
