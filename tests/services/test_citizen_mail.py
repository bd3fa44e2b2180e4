"""The personal link in e-mails survives a rotation of BALIE_SECRET_KEY."""

from __future__ import annotations

from balie.services.booking import manage_token_for, token_hash
from balie.services.citizen_mail import manage_url
from balie.settings import Settings

OLD, NEW = "o" * 32, "n" * 32


def test_a_booking_made_before_a_rotation_keeps_its_link() -> None:
    stored = token_hash(manage_token_for("ABC123", OLD))
    rotated = Settings(_env_file=None, secret_key=NEW, previous_secret_keys=[OLD])
    assert manage_url(rotated, "ABC123", stored).endswith(
        f"token={manage_token_for('ABC123', OLD)}"
    )


def test_new_bookings_use_the_current_secret() -> None:
    rotated = Settings(_env_file=None, secret_key=NEW, previous_secret_keys=[OLD])
    stored = token_hash(manage_token_for("XYZ789", NEW))
    expected = f"token={manage_token_for('XYZ789', NEW)}"
    assert manage_url(rotated, "XYZ789", stored).endswith(expected)
    assert manage_url(rotated, "XYZ789").endswith(expected)  # before it is stored


def test_without_the_old_secret_the_link_cannot_be_rebuilt() -> None:
    stored = token_hash(manage_token_for("ABC123", OLD))
    forgotten = Settings(_env_file=None, secret_key=NEW)
    assert manage_url(forgotten, "ABC123", stored).endswith(
        f"token={manage_token_for('ABC123', NEW)}"
    )
