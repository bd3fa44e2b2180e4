"""Chart colours that stay apart for colour-blind people, and the checks that show it.

The series colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"),
extended with two dark tones so nine services each get their own colour. The checks are pure
Python: WCAG contrast against the page background; colour-vision deficiency simulated with the
Machado, Oliveira & Fernandes (2009) matrices at full severity (applied in linear RGB); and the
CIEDE2000 colour difference (Sharma, Wu & Dalal 2005) between every pair of colours.
"""

from __future__ import annotations

import math
from itertools import combinations

BACKGROUND = "#ffffff"
# Okabe-Ito (black left out: the go-live lines are black) plus two dark tones, ordered so that
# neighbours in a stack differ most.
SERIES = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#332288",  # indigo (Tol)
    "#6B6B6B",  # grey
)
CHANNELS = {"web": "#0072B2", "contact_centre": "#E69F00"}
# Outline of every bar: with it each bar is told apart from the white page (3:1 or more) and
# from its neighbours in a stack, whatever its fill.
BAR_OUTLINE = "#1a1d23"

MACHADO_2009 = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

Rgb = tuple[float, float, float]


def to_linear(colour: str) -> Rgb:
    """The linear-light RGB (0..1) of a ``#rrggbb`` colour."""
    value = colour.lstrip("#")
    channels = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def luminance(colour: str) -> float:
    """WCAG relative luminance."""
    r, g, b = to_linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str = BACKGROUND) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def simulate(linear: Rgb, kind: str) -> Rgb:
    """Linear RGB as seen with the colour-vision deficiency ``kind`` (clipped to 0..1)."""
    matrix = MACHADO_2009[kind]
    return tuple(
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear, strict=True)))) for row in matrix
    )


def to_lab(linear: Rgb) -> Rgb:
    """CIE L*a*b* (D65) of a linear RGB colour."""
    r, g, b = linear
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Rgb, lab2: Rgb) -> float:
    """The CIEDE2000 colour difference between two L*a*b* colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        if dh > 180:
            dh -= 360
        elif dh < -180:
            dh += 360
    dhp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lp_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    else:
        hp_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_mean - 30))
        + 0.24 * math.cos(math.radians(2 * hp_mean))
        + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
        - 0.20 * math.cos(math.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    sl = 1 + 0.015 * (lp_mean - 50) ** 2 / math.sqrt(20 + (lp_mean - 50) ** 2)
    sc = 1 + 0.045 * cp_mean
    sh = 1 + 0.015 * cp_mean * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh)
    )


def min_difference(colours: tuple[str, ...], kind: str | None = None) -> float:
    """The smallest CIEDE2000 difference between two of ``colours`` (as seen with ``kind``)."""
    labs = []
    for colour in colours:
        linear = to_linear(colour)
        labs.append(to_lab(simulate(linear, kind) if kind else linear))
    return min(ciede2000(a, b) for a, b in combinations(labs, 2))


# A second cue next to the colour (WCAG 1.4.1): each series also gets its own pattern, drawn in
# an 8 by 8 tile over the fill. Shapes: ("line", x1, y1, x2, y2) or ("dot", cx, cy, r).
Shape = tuple[str, float, float, float] | tuple[str, float, float, float, float]
TILE = 8
PATTERNS: tuple[tuple[Shape, ...], ...] = (
    (),  # plain
    (("line", 0, 8, 8, 0), ("line", -2, 2, 2, -2), ("line", 6, 10, 10, 6)),  # diagonal /
    (("dot", 4, 4, 1.6),),  # dots
    (("line", 0, 4, 8, 4),),  # horizontal
    (("line", 0, 0, 8, 8), ("line", -2, 6, 2, 10), ("line", 6, -2, 10, 2)),  # diagonal \
    (("line", 4, 0, 4, 8),),  # vertical
    (("line", 0, 8, 8, 0), ("line", 0, 0, 8, 8)),  # crossed diagonals
    (("line", 0, 4, 8, 4), ("line", 4, 0, 4, 8)),  # grid
    (("dot", 2, 2, 1.2), ("dot", 6, 6, 1.2)),  # small dots, offset
)
# The channels use the series with their colour: plain blue (web), hatched orange (contact centre).
CHANNEL_PATTERNS = {"web": 0, "contact_centre": 1}


def ink(colour: str) -> str:
    """Black or white, whichever stands out more on ``colour`` (for the pattern's marks)."""
    return "#000000" if contrast(colour, "#000000") >= contrast(colour, "#ffffff") else "#ffffff"


def pattern_id(index: int) -> str:
    """The id of series ``index``'s pattern (colour and marks) in the page."""
    return f"series-pattern-{index % len(SERIES)}"
