"""The chart colours: contrast against the page and distance under colour-vision deficiency."""

from __future__ import annotations

import pytest

from balie.services import palette


def test_ciede2000_matches_the_published_test_data() -> None:
    # Sharma, Wu & Dalal (2005), table 1, pairs 1 and 7.
    assert palette.ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert palette.ciede2000((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)


def test_contrast_follows_wcag() -> None:
    assert palette.contrast("#000000") == pytest.approx(21)
    assert palette.contrast("#ffffff") == pytest.approx(1)
    assert palette.contrast("#767676") == pytest.approx(4.54, abs=0.01)


def test_simulation_keeps_grey_grey_and_merges_red_and_green() -> None:
    grey = palette.to_linear("#808080")
    assert palette.simulate(grey, "deuteranopia") == pytest.approx(grey, abs=1e-3)
    red, green = (
        palette.to_lab(palette.to_linear("#d62728")),
        palette.to_lab(palette.to_linear("#2ca02c")),
    )
    seen = [
        palette.to_lab(palette.simulate(palette.to_linear(c), "deuteranopia"))
        for c in ("#d62728", "#2ca02c")
    ]
    assert palette.ciede2000(*seen) < palette.ciede2000(red, green) / 2


def test_every_series_colour_is_distinct_and_outlined() -> None:
    assert len(set(palette.SERIES)) == len(palette.SERIES) >= 9  # nine services in Ghent
    assert palette.contrast(palette.BAR_OUTLINE) >= 3  # WCAG 1.4.11 for the bars' edges


@pytest.mark.parametrize("kind", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_series_stay_apart_for_colour_blind_people(kind: str | None) -> None:
    # ΔE2000 above 10 reads as clearly different colours; the old palette's nearest pair was
    # 2.5 apart under deuteranopia and 0.9 under protanopia.
    assert palette.min_difference(palette.SERIES, kind) > 10
    assert palette.min_difference(tuple(palette.CHANNELS.values()), kind) > 10


def test_every_series_has_its_own_pattern_in_ink_that_stands_out() -> None:
    assert len(palette.PATTERNS) == len(palette.SERIES)
    assert len(set(palette.PATTERNS)) == len(palette.PATTERNS)  # colour is not the only cue
    for colour in palette.SERIES:
        assert palette.contrast(colour, palette.ink(colour)) >= 3  # the marks show on the fill
    assert palette.ink("#F0E442") == "#000000" and palette.ink("#332288") == "#ffffff"
    assert palette.pattern_id(0) == "series-pattern-0"
    assert palette.pattern_id(len(palette.SERIES)) == "series-pattern-0"
    assert palette.CHANNEL_PATTERNS["web"] != palette.CHANNEL_PATTERNS["contact_centre"]
    for channel, index in palette.CHANNEL_PATTERNS.items():
        assert palette.SERIES[index] == palette.CHANNELS[channel]
