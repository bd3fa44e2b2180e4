"""The demo looks (Ghent, Merelbeke): AA colours, valid logos, a city's own choice kept."""

from __future__ import annotations

from sqlmodel import Session

from balie.services import org_settings
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.demo_look import (
    GHENT_PRIMARY,
    GHENT_SECONDARY,
    MERELBEKE,
    ghent_logo,
    merelbeke_logo,
)
from balie.services.demo_second_city import load_second_city


def test_the_demo_colours_pass_every_contrast_pair_and_the_logo_is_a_valid_png() -> None:
    assert org_settings.contrast_problems(GHENT_PRIMARY, GHENT_SECONDARY) == []
    assert org_settings.check_logo(ghent_logo()) == "image/png"


def test_the_demo_data_gives_ghent_its_look_once(session: Session) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    look = org_settings.look_of(session, gent)
    assert (look.primary, look.secondary) == (GHENT_PRIMARY, GHENT_SECONDARY)
    assert look.logo_url.startswith("data:image/png;base64,")
    row = org_settings.settings_row(session, gent)
    row.brand_primary, row.logo = "#222222", None
    session.add(row)
    session.commit()
    load_demo_data(session)
    assert org_settings.look_of(session, gent).primary == "#222222"


def test_the_second_demo_city_has_its_own_colours_and_logo(session: Session) -> None:
    load_demo_data(session)
    load_second_city(session)
    gent = org_settings.look_of(session, get_organisation(session, "gent"))
    merelbeke = org_settings.look_of(session, get_organisation(session, "merelbeke"))
    assert org_settings.contrast_problems(MERELBEKE.primary, MERELBEKE.secondary) == []
    assert org_settings.check_logo(merelbeke_logo()) == "image/png"
    assert (merelbeke.primary, merelbeke.secondary) == (MERELBEKE.primary, MERELBEKE.secondary)
    assert merelbeke.primary != gent.primary
    assert merelbeke.logo_url.startswith("data:image/png;base64,")
    assert merelbeke.logo_url != gent.logo_url
