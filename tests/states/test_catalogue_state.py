"""The home page's state, tested without a browser."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from balie.services.demo_data import load_demo_data
from balie.states.catalogue import CatalogueState
from balie.states.locale import LocaleState


def test_load_lists_live_services(session: Session, app_database: Engine) -> None:
    load_demo_data(session)
    state = CatalogueState(_reflex_internal_init=True)
    CatalogueState.load.fn(state)
    assert state.loaded
    assert state.organisation_name == "Stad Gent"
    slugs = [card.slug for card in state.services]
    assert slugs[0] == "energiecentrale"
    assert len(slugs) == 9  # today (after both waves) all nine demo services are live
    assert state.services[0].name == {"nl": "Energiecentrale", "en": "Energy Centre"}


def test_load_without_organisation_shows_nothing(session: Session, app_database: Engine) -> None:
    state = CatalogueState(_reflex_internal_init=True)
    CatalogueState.load.fn(state)
    assert state.loaded
    assert state.services == []


@pytest.mark.parametrize(
    ("cookie", "expected"), [("nl", "nl"), ("EN", "en"), ("<x>", "nl"), ("", "nl")]
)
def test_language_cookie_is_normalised(cookie: str, expected: str) -> None:
    state = LocaleState(_reflex_internal_init=True)
    state.locale = cookie
    assert state.lang == expected


def test_switching_language() -> None:
    state = LocaleState(_reflex_internal_init=True)
    LocaleState.switch_language.fn(state)
    assert state.lang == "en"
    LocaleState.switch_language.fn(state)
    assert state.lang == "nl"


def test_public_handlers_are_only_the_intended_ones() -> None:
    assert sorted(CatalogueState.event_handlers) == ["load", "setvar"]
    assert sorted(LocaleState.event_handlers) == ["setvar", "switch_language"]
