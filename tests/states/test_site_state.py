"""The state behind the citizen pages' meta description, tested without a browser."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from balie.services.demo_data import load_demo_data
from balie.services.site_meta import DEFAULT_DESCRIPTION
from balie.states.site import SiteState


def test_the_description_comes_from_the_organisation(
    session: Session, app_database: Engine
) -> None:
    load_demo_data(session)
    state = SiteState(_reflex_internal_init=True)
    assert state.description == DEFAULT_DESCRIPTION
    SiteState.load_meta.fn(state)
    assert state.description.startswith(
        "Maak online een afspraak voor een videogesprek met Stad Gent. "
        "Diensten: Energiecentrale, Woonwijzer, "
    )


def test_without_organisation_the_general_description_stays(
    session: Session, app_database: Engine
) -> None:
    state = SiteState(_reflex_internal_init=True)
    SiteState.load_meta.fn(state)
    assert state.description == DEFAULT_DESCRIPTION


def test_public_handlers_are_only_the_intended_ones() -> None:
    assert sorted(SiteState.event_handlers) == ["load_meta", "setvar"]
