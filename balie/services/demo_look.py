"""The demo organisation's look: brand colours with AA contrast and a small logo drawn here.

The logo is our own drawing (a tower on the city's blue), not the city's trademark.
"""

from __future__ import annotations

import struct
import zlib

from sqlmodel import Session

from balie.models import Organisation
from balie.services import org_settings

GHENT_PRIMARY = "#00538a"  # white on it 8.1:1; on the secondary 7.4:1
GHENT_SECONDARY = "#fff6d5"  # dark text on it 15.6:1
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


def _chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def ghent_logo() -> bytes:
    """The demo logo as a PNG (RGBA, 64 by 64 pixels)."""
    rows = b"".join(
        b"\0" + b"".join(bytes(_tower_pixel(x, y)) for x in range(LOGO_SIDE))
        for y in range(LOGO_SIDE)
    )
    header = struct.pack(">IIBBBBB", LOGO_SIDE, LOGO_SIDE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def give_demo_look(session: Session, organisation: Organisation) -> None:
    """Ghent's demo colours and logo, unless the organisation has chosen its own (no commit)."""
    row = org_settings.settings_row(session, organisation)
    if row.logo is not None or row.brand_primary != org_settings.DEFAULT_PRIMARY:
        return
    row.brand_primary, row.brand_secondary = GHENT_PRIMARY, GHENT_SECONDARY
    row.logo, row.logo_type = ghent_logo(), org_settings.check_logo(ghent_logo())
    row.privacy_contact = row.privacy_contact or "privacy@stad.gent"
    session.add(row)
