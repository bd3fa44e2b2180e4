"""The demo organisations' look: brand colours with AA contrast and small logos drawn here.

The logos are our own drawings (a tower on Ghent's blue, a tree on Merelbeke's green), not the
municipalities' trademarks.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from balie.models import Organisation
from balie.services import org_settings

GHENT_PRIMARY = "#00538a"  # white on it 8.1:1; on the secondary 7.4:1
GHENT_SECONDARY = "#fff6d5"  # dark text on it 15.6:1
MERELBEKE_PRIMARY = "#1e6b3a"  # a green with white text above 4.5:1 (checked by the tests)
MERELBEKE_SECONDARY = "#eaf6ee"
LOGO_SIDE = 64
Pixel = tuple[int, int, int, int]


def _hex(colour: str) -> Pixel:
    """An opaque RGBA pixel from ``#rrggbb``."""
    value = colour.lstrip("#")
    return (*(int(value[i : i + 2], 16) for i in (0, 2, 4)), 255)


def _tower_pixel(x: int, y: int) -> Pixel:
    """The colour of one pixel of the logo: a white tower with a gold top on blue."""
    blue, white, gold, clear = _hex(GHENT_PRIMARY), _hex("#ffffff"), _hex("#f2c200"), (0, 0, 0, 0)
    corner = 10
    dx, dy = (
        max(corner - x, x - (LOGO_SIDE - 1 - corner), 0),
        max(corner - y, y - (LOGO_SIDE - 1 - corner), 0),
    )
    if dx * dx + dy * dy > corner * corner:
        return clear  # rounded corners
    if 14 <= y <= 19 and abs(x - 32) <= (y - 14) + 1:
        return gold  # the spire's tip
    if 20 <= y <= 27 and abs(x - 32) <= 8:
        return white  # the spire
    if 28 <= y <= 52 and abs(x - 32) <= 6:
        return blue if 34 <= y <= 40 and abs(x - 32) <= 2 else white  # the tower, a window
    if 44 <= y <= 52 and 12 <= abs(x - 32) <= 22:
        return white  # the hall on either side
    return blue


def _tree_pixel(x: int, y: int) -> Pixel:
    """The colour of one pixel of Merelbeke's demo logo: a white tree on green, in a circle."""
    green, white, clear = _hex(MERELBEKE_PRIMARY), _hex("#ffffff"), (0, 0, 0, 0)
    centre = (LOGO_SIDE - 1) / 2
    if (x - centre) ** 2 + (y - centre) ** 2 > centre**2:
        return clear
    if (x - 32) ** 2 + (y - 26) ** 2 <= 15**2:
        return white  # the crown
    if 38 <= y <= 52 and abs(x - 32) <= 3:
        return white  # the trunk
    return green


def _chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _logo(pixel: Callable[[int, int], Pixel]) -> bytes:
    """A drawing as a PNG (RGBA, 64 by 64 pixels)."""
    rows = b"".join(
        b"\0" + b"".join(bytes(pixel(x, y)) for x in range(LOGO_SIDE)) for y in range(LOGO_SIDE)
    )
    header = struct.pack(">IIBBBBB", LOGO_SIDE, LOGO_SIDE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def ghent_logo() -> bytes:
    """Ghent's demo logo (PNG)."""
    return _logo(_tower_pixel)


def merelbeke_logo() -> bytes:
    """Merelbeke's demo logo (PNG)."""
    return _logo(_tree_pixel)


@dataclass(frozen=True)
class DemoLook:
    """One demo organisation's colours, logo and privacy contact."""

    primary: str
    secondary: str
    logo: Callable[[], bytes]
    privacy_contact: str


GHENT = DemoLook(GHENT_PRIMARY, GHENT_SECONDARY, ghent_logo, "privacy@stad.gent")
MERELBEKE = DemoLook(
    MERELBEKE_PRIMARY, MERELBEKE_SECONDARY, merelbeke_logo, "privacy@merelbeke.invalid"
)


def give_demo_look(session: Session, organisation: Organisation, look: DemoLook = GHENT) -> None:
    """The demo colours and logo, unless the organisation has chosen its own (no commit)."""
    row = org_settings.settings_row(session, organisation)
    if row.logo is not None or row.brand_primary != org_settings.DEFAULT_PRIMARY:
        return
    row.brand_primary, row.brand_secondary = look.primary, look.secondary
    logo = look.logo()
    row.logo, row.logo_type = logo, org_settings.check_logo(logo)
    row.privacy_contact = row.privacy_contact or look.privacy_contact
    session.add(row)
