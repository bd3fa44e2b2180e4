"""The state behind the citizen pages' meta description and look, tested without a browser."""

from __future__ import annotations

from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Organisation
from balie.services import org_settings
from balie.services.demo_data import load_demo_data
from balie.services.site_meta import DEFAULT_DESCRIPTION
from balie.states.site import DEFAULT_THEME, SiteState
from tests.samples import png_image


def on_host(host: str = "localhost") -> SiteState:
    """The state of a browser on ``host``."""
    state = SiteState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"host": host}})
    return state


def test_the_description_comes_from_the_organisation(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = on_host()
    assert state.description == DEFAULT_DESCRIPTION
    SiteState.load_meta.fn(state)
    assert state.description.startswith(
        "Maak online een afspraak voor een videogesprek met Stad Gent. "
        "Diensten: Energiecentrale, Woonwijzer, "
    )


def test_without_organisation_the_general_description_stays(
    session: Session, app_database: Engine
) -> None:
    state = on_host()
    SiteState.load_meta.fn(state)
    assert state.description == DEFAULT_DESCRIPTION


def test_an_unknown_host_gets_nothing_of_an_organisation(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = on_host("elders.example")
    SiteState.load_meta.fn(state)
    assert (state.description, state.display_name, state.theme) == (
        DEFAULT_DESCRIPTION,
        "",
        DEFAULT_THEME,
    )


def test_the_look_comes_from_the_organisations_settings(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    gent = session.exec(select(Organisation).where(Organisation.slug == "gent")).one()
    row = org_settings.settings_row(session, gent)
    row.display_name, row.brand_primary, row.brand_secondary = "Gent", "#7a1f2b", "#fdf1e6"
    row.logo, row.logo_type = png_image(8, 8), "image/png"
    session.add(row)
    session.commit()
    state = on_host()
    SiteState.load_meta.fn(state)
    assert state.display_name == "Gent"
    assert state.description.startswith("Maak online een afspraak voor een videogesprek met Gent.")
    assert state.theme["--accent-9"] == "#7a1f2b" and state.theme["--brand-secondary"] == "#fdf1e6"
    assert state.logo_url.startswith("data:image/png;base64,")
    assert set(state.theme) == set(DEFAULT_THEME)
    assert state.offers_english
    row.languages = ["nl"]
    session.add(row)
    session.commit()
    SiteState.load_meta.fn(state)
    assert not state.offers_english


def test_public_handlers_are_only_the_intended_ones() -> None:
    assert sorted(SiteState.event_handlers) == ["load_meta", "setvar"]
