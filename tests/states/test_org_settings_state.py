"""The organisation's settings page: only its own administrators, on its own host, change it;
secrets never reach the browser."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import AuditEntry, Organisation, OrganisationSettings, StaffMember
from balie.services import org_settings
from balie.services.demo_data import DEMO_MANAGER, demo_email, load_demo_data
from balie.services.demo_look import GHENT_PRIMARY, ghent_logo
from balie.services.staff import staff_auth
from balie.states import org_settings as state_module
from balie.states.org_settings import OrgSettingsState
from tests.samples import png_image

HOSTILE: list[Any] = [
    None,
    0,
    "x",
    [],
    True,
    1.5,
    {"a" * 200: "x"},
    {str(i): "" for i in range(600)},
]


@pytest.fixture
def demo(session: Session, app_database: Engine) -> Organisation:
    """Ghent's demo data, in the database the app uses."""
    load_demo_data(session)
    gent = session.exec(select(Organisation).where(Organisation.slug == "gent")).one()
    org_settings.settings_row(session, gent)
    session.commit()
    return gent


def person(session: Session, email: str) -> StaffMember:
    """A staff member by e-mail."""
    return session.exec(select(StaffMember).where(StaffMember.email == email)).one()


def signed_in(session: Session, staff: StaffMember, host: str = "localhost") -> OrgSettingsState:
    """The page's state for ``staff`` on ``host``."""
    token = staff_auth.start_session(session, staff, utcnow())
    state = OrgSettingsState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {"headers": {"cookie": f"balie_staff={token}", "host": host}}
    )
    return state


def form(state: OrgSettingsState, **changes: str) -> dict[str, str]:
    """The loaded form values with ``changes``."""
    return {**state.values, **changes}


def stored(session: Session, demo: Organisation) -> OrganisationSettings:
    """Ghent's stored settings, read again."""
    session.expire_all()
    return session.exec(
        select(OrganisationSettings).where(OrganisationSettings.organisation_id == demo.id)
    ).one()


def test_the_administrator_saves_and_the_secret_never_reaches_the_browser(
    session: Session, demo: Organisation
) -> None:
    els = person(session, demo_email(DEMO_MANAGER[0]))
    state = signed_in(session, els)
    OrgSettingsState.load.fn(state)
    assert state.values["display_name"] and not state.access_denied
    values = form(
        state,
        mail_transport="smtp",
        smtp_host="smtp.stad.gent",
        smtp_username="balie",
        smtp_password_new="Heel-geheim-42",
    )
    OrgSettingsState.save.fn(state, values)
    assert state.message == "org_saved" and state.problem == ""
    assert stored(session, demo).smtp_host == "smtp.stad.gent"
    browser_side = str(state.dict())
    assert "Heel-geheim-42" not in browser_side
    assert stored(session, demo).smtp_password_sealed not in browser_side
    assert state.values["smtp_password_set"] == "on"
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "organisation.settings")
    ).one()
    assert "Heel-geheim-42" not in str(entry.detail)


def test_a_failing_colour_shows_its_ratio_in_both_languages(
    session: Session, demo: Organisation
) -> None:
    state = signed_in(session, person(session, demo_email(DEMO_MANAGER[0])))
    OrgSettingsState.load.fn(state)
    OrgSettingsState.save.fn(state, form(state, brand_primary="#ffd700", smtp_password_new="x"))
    assert state.errors["brand_primary"] == "admin_error_contrast"
    note = state.contrast_notes["brand_primary"]
    assert note["nl"] == (
        "Contrast 1,4:1 van witte tekst op de hoofdkleur is te laag; minstens 4,5:1."
    )
    assert note["en"].startswith("Contrast 1.4:1 of white text")
    assert state.values["brand_primary"] == "#ffd700"  # what was typed stays
    assert "smtp_password_new" not in state.values  # a typed secret is not sent back
    assert stored(session, demo).brand_primary == GHENT_PRIMARY


def test_the_logo_is_checked_then_stored(session: Session, demo: Organisation) -> None:
    state = signed_in(session, person(session, demo_email(DEMO_MANAGER[0])))
    OrgSettingsState.load.fn(state)

    async def send(data: bytes) -> None:
        upload = rx.UploadFile(file=io.BytesIO(data), path=Path("logo.png"), size=len(data))
        await OrgSettingsState.upload_logo.fn(state, [upload])

    asyncio.run(send(b"<svg onload='alert(1)'/>"))
    assert state.logo_problem == "admin_error_logo_type"
    assert stored(session, demo).logo == ghent_logo()  # the demo's logo stays
    asyncio.run(send(png_image(64, 32)))
    assert state.logo_message == "org_logo_saved" and state.logo_url.startswith("data:image/png")
    OrgSettingsState.remove_logo.fn(state)
    assert stored(session, demo).logo is None and state.logo_url == ""


def test_an_administrator_on_another_organisations_host_changes_nothing(
    session: Session, demo: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    els = person(session, demo_email(DEMO_MANAGER[0]))
    state = signed_in(session, els)
    OrgSettingsState.load.fn(state)
    values = form(state, display_name="Overgenomen")
    # The browser is now on another city's host (as orgcore's host table would say).
    monkeypatch.setattr(state_module, "organisation_slug_of", lambda _state: "aalst")
    OrgSettingsState.save.fn(state, values)
    OrgSettingsState.remove_logo.fn(state)
    assert state.values == {} and stored(session, demo).display_name != "Overgenomen"
    OrgSettingsState.load.fn(state)
    assert state.access_denied and state.values == {}


@pytest.mark.parametrize("roles", [["manager"], ["staff"], ["platform"], ["agent"]])
def test_others_than_administrators_change_nothing(
    session: Session, demo: Organisation, roles: list[str]
) -> None:
    someone = StaffMember(
        organisation_id=demo.id, display_name="Niet", email="niet@x.invalid", roles=roles
    )
    session.add(someone)
    session.commit()
    before = stored(session, demo).model_dump()
    state = signed_in(session, someone)
    OrgSettingsState.load.fn(state)
    assert state.values == {}
    OrgSettingsState.save.fn(state, {"display_name": "Gekaapt", "brand_primary": "#000000"})
    OrgSettingsState.remove_logo.fn(state)
    assert stored(session, demo).model_dump() == before
    assert (
        session.exec(select(AuditEntry).where(AuditEntry.action.startswith("organisation."))).all()
        == []
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_form_data_is_ignored(session: Session, demo: Organisation, value: Any) -> None:
    state = signed_in(session, person(session, demo_email(DEMO_MANAGER[0])))
    OrgSettingsState.load.fn(state)
    before = stored(session, demo).model_dump()
    OrgSettingsState.save.fn(state, value)
    after = stored(session, demo).model_dump()
    assert after == before
