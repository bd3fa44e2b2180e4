"""The Dutch meta description of the citizen pages."""

from __future__ import annotations

from balie.services.site_meta import DEFAULT_DESCRIPTION, DESCRIPTION_MAX, page_description

BASE = "Maak online een afspraak voor een videogesprek met Stad Gent."


def test_the_description_names_the_organisation_and_its_services() -> None:
    assert page_description("Stad Gent", ["Woonwijzer"]) == f"{BASE} Diensten: Woonwijzer."
    two = page_description("Stad  Gent", ["Energiecentrale", "Woonwijzer"])
    assert two == f"{BASE} Diensten: Energiecentrale en Woonwijzer."


def test_services_that_do_not_fit_are_summed_up_as_more() -> None:
    names = [f"Dienst met een lange naam nummer {n}" for n in range(10)]
    text = page_description("Stad Gent", names)
    assert len(text) <= DESCRIPTION_MAX
    assert text.startswith(f"{BASE} Diensten: Dienst met een lange naam nummer 0")
    assert text.endswith(" en meer.")


def test_without_services_or_name() -> None:
    assert page_description("Stad Gent", []) == BASE
    assert page_description("  ", ["Woonwijzer"]) == DEFAULT_DESCRIPTION
    long_name = "Gemeente " + "x" * 200
    assert len(page_description(long_name, [])) == DESCRIPTION_MAX
