"""Per-organisation settings: colours checked for contrast, logos checked, secrets sealed."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from balie.models import AuditEntry, Organisation, OrganisationSettings, StaffMember
from balie.services import org_settings
from balie.services.catalogue_admin import Invalid
from balie.services.documents.vault import VaultError
from balie.services.org_settings import SettingsInvalid
from balie.settings import Settings
from tests.samples import png_image

KEY = base64.b64encode(bytes(range(32))).decode()


def settings(**values: Any) -> Settings:
    """Settings with a secrets key (and whatever else is given)."""
    return Settings(secrets_key=SecretStr(KEY), **values)


@pytest.fixture
def city(session: Session) -> Organisation:
    """An organisation without settings of its own yet."""
    organisation = Organisation(slug="aalst", name="Stad Aalst")
    session.add(organisation)
    session.commit()
    return organisation


@pytest.fixture
def admin(session: Session, city: Organisation) -> StaffMember:
    """An administrator of the city."""
    staff = StaffMember(
        organisation_id=city.id, display_name="Ann", email="ann@aalst.be", roles=["admin"]
    )
    session.add(staff)
    session.commit()
    return staff


OWN_SMTP_AND_TEAMS = {
    "mail_transport": "smtp",
    "smtp_host": "smtp.aalst.be",
    "smtp_username": "balie",
    "meeting_provider": "teams",
    "entra_tenant_id": "11111111-2222-3333-4444-555555555555",
    "entra_client_id": "66666666-7777-8888-9999-000000000000",
}
TEAMS_SECRET = {"entra_client_secret_new": "client-geheim"}


def form(**changes: str) -> dict[str, str]:
    """A complete, valid settings form with ``changes``."""
    values = {
        "display_name": "Stad Aalst",
        "brand_primary": "#7a1f2b",
        "brand_secondary": "#fdf1e6",
        "time_zone": "Europe/Brussels",
        "language_nl": "on",
        "language_en": "on",
        "counter_booking_url": "https://www.aalst.be/afspraak",
        "privacy_contact": "privacy@aalst.be",
        "retention_days": "60",
        "mail_from_address": "balie@aalst.be",
        "mail_from_name": "Stad Aalst",
        "mail_transport": "relay",
        "smtp_host": "",
        "smtp_port": "587",
        "smtp_username": "",
        "meeting_provider": "platform",
        "jitsi_server_url": "",
        "entra_tenant_id": "",
        "entra_client_id": "",
    }
    values.update(changes)
    return values


def test_the_contrast_pairs_refuse_a_light_primary_with_its_ratio() -> None:
    problems = org_settings.contrast_problems("#4a90e2", "#ffffff")
    assert [(p.field, p.pair) for p in problems] == [
        ("brand_primary", "white_on_primary"),
        ("brand_secondary", "primary_on_secondary"),
    ]
    assert org_settings.ratio_text(problems[0].ratio, "nl") == "3,2:1"
    assert org_settings.ratio_text(problems[0].ratio, "en") == "3.2:1"


def test_a_dark_secondary_fails_under_dark_text_and_a_dark_primary_passes() -> None:
    assert org_settings.contrast_problems("#0b3d91", "#eef3fb") == []
    (problem,) = org_settings.contrast_problems("#0b3d91", "#3a3a3a")
    assert problem.field == "brand_secondary" and problem.ratio < 4.5


def test_the_ratio_is_rounded_down_so_a_refused_pair_never_reads_as_enough() -> None:
    assert org_settings.ratio_text(4.49, "nl") == "4,4:1"


def test_the_theme_darkens_the_hover_colour_and_keeps_white_text_readable() -> None:
    variables = org_settings.theme_variables("#7a1f2b", "#fdf1e6")
    assert variables["--accent-9"] == "#7a1f2b" and variables["--blue-11"] == "#7a1f2b"
    hover = variables["--accent-10"]
    assert org_settings.contrast("#ffffff", hover) > org_settings.contrast("#ffffff", "#7a1f2b")


def test_a_png_logo_is_accepted_and_other_files_are_refused() -> None:
    assert org_settings.check_logo(png_image(32, 32)) == "image/png"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data, key in (
        (svg, "admin_error_logo_type"),
        (b"", "admin_error_logo_required"),
        (png_image(2000, 10), "admin_error_logo_size"),
        (
            b"\x89PNG\r\n\x1a\n" + os.urandom(org_settings.LOGO_MAX_BYTES),
            "admin_error_logo_too_large",
        ),
    ):
        with pytest.raises(Invalid) as refused:
            org_settings.check_logo(data)
        assert refused.value.errors == {"logo": key}


def test_a_webp_logo_is_recognised_with_its_size() -> None:
    # A lossless WebP header (VP8L) of a 16 x 8 image.
    bits = (16 - 1) | ((8 - 1) << 14)
    body = b"VP8L" + (5).to_bytes(4, "little") + b"\x2f" + bits.to_bytes(4, "little")
    data = b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body + b"\0" * 8
    assert org_settings.check_logo(data) == "image/webp"


def test_a_sealed_secret_opens_only_for_its_own_organisation_and_field() -> None:
    key = org_settings.secrets_key(settings())
    sealed = org_settings.seal_secret(key, 1, "smtp_password", "geheim")
    assert "geheim" not in sealed
    assert org_settings.open_secret(key, 1, "smtp_password", sealed) == "geheim"
    for organisation_id, name in ((2, "smtp_password"), (1, "entra_client_secret")):
        with pytest.raises(VaultError):
            org_settings.open_secret(key, organisation_id, name, sealed)


def test_production_has_no_secrets_key_without_the_setting() -> None:
    with pytest.raises(org_settings.SecretsKeyMissing):
        org_settings.secrets_key(Settings(env="production"))


def test_saving_stores_the_settings_and_audits_only_field_names(
    session: Session, city: Organisation, admin: StaffMember
) -> None:
    values = form(**OWN_SMTP_AND_TEAMS, smtp_password_new="Sup3r-geheim", **TEAMS_SECRET)
    row = org_settings.save_settings(session, admin, values, settings())
    assert row.brand_primary == "#7a1f2b" and row.retention_days == 60
    assert city.counter_booking_url == "https://www.aalst.be/afspraak"
    assert "Sup3r-geheim" not in row.smtp_password_sealed and row.smtp_password_sealed
    entry = session.exec(select(AuditEntry)).one()
    assert entry.action == "organisation.settings"
    assert "smtp_password (replaced)" in entry.detail["changed"]
    assert "geheim" not in str(entry.detail)
    shown = org_settings.form_values(city, row)
    assert shown["smtp_password_set"] == "on" and "geheim" not in str(shown)


def test_saving_without_a_new_secret_keeps_the_stored_one(
    session: Session, city: Organisation, admin: StaffMember
) -> None:
    smtp = {"mail_transport": "smtp", "smtp_host": "smtp.aalst.be", "smtp_username": "balie"}
    org_settings.save_settings(session, admin, form(**smtp, smtp_password_new="een"), settings())
    sealed = session.exec(select(OrganisationSettings)).one().smtp_password_sealed
    row = org_settings.save_settings(session, admin, form(**smtp, display_name="Aalst"), settings())
    assert row.smtp_password_sealed == sealed and row.display_name == "Aalst"


def test_an_smtp_user_or_teams_without_a_secret_is_refused(
    session: Session, admin: StaffMember
) -> None:
    values = form(**OWN_SMTP_AND_TEAMS)
    with pytest.raises(SettingsInvalid) as refused:
        org_settings.save_settings(session, admin, values, settings())
    assert refused.value.errors == {
        "smtp_password_new": "admin_error_secret_required",
        "entra_client_secret_new": "admin_error_secret_required",
    }


def test_wrong_values_are_refused_field_by_field(session: Session, admin: StaffMember) -> None:
    values = form(
        brand_primary="#8ab4f8",
        brand_secondary="blue",
        time_zone="Mars/Olympus",
        language_nl="",
        counter_booking_url="http://insecure.example",
        retention_days="0",
        mail_from_address="geen adres",
        meeting_provider="jitsi",
    )
    with pytest.raises(SettingsInvalid) as refused:
        org_settings.save_settings(session, admin, values, settings())
    assert refused.value.errors == {
        "brand_secondary": "admin_error_colour",
        "time_zone": "admin_error_time_zone",
        "languages": "admin_error_languages",
        "counter_booking_url": "admin_error_https_url",
        "retention_days": "admin_error_number_range",
        "mail_from_address": "admin_error_email_invalid",
        "jitsi_server_url": "admin_error_url_required",
    }
    assert session.exec(select(AuditEntry)).all() == []


def test_a_failing_colour_pair_is_refused_with_the_pair(
    session: Session, admin: StaffMember
) -> None:
    with pytest.raises(SettingsInvalid) as refused:
        org_settings.save_settings(session, admin, form(brand_primary="#8ab4f8"), settings())
    assert refused.value.errors == {
        "brand_primary": "admin_error_contrast",
        "brand_secondary": "admin_error_contrast",
    }
    pairs = {problem.pair: round(problem.ratio, 1) for problem in refused.value.contrast}
    assert pairs == {"white_on_primary": 2.1, "primary_on_secondary": 1.9}


def test_only_administrators_save(session: Session, admin: StaffMember) -> None:
    admin.roles = ["manager", "platform"]
    with pytest.raises(PermissionError):
        org_settings.save_settings(session, admin, form(), settings())


def test_the_effective_settings_use_the_organisations_sender_smtp_and_teams(
    session: Session, city: Organisation, admin: StaffMember
) -> None:
    values = form(**OWN_SMTP_AND_TEAMS, smtp_password_new="pw-aalst", **TEAMS_SECRET)
    base = settings(mail_from="Digitale Balie <noreply@platform.be>")
    org_settings.save_settings(session, admin, values, base)
    own = org_settings.effective_settings(session, city.id, base)
    assert own.mail_from == "Stad Aalst <balie@aalst.be>"
    assert (own.smtp_host, own.smtp_username) == ("smtp.aalst.be", "balie")
    assert own.smtp_password.get_secret_value() == "pw-aalst"
    assert own.meeting_provider == "teams"
    assert own.entra_tenant_id == "11111111-2222-3333-4444-555555555555"
    assert own.entra_client_secret.get_secret_value() == "client-geheim"
    assert own.retention_days == 60
    assert base.smtp_host == "" and base.meeting_provider == "jitsi"


def test_an_organisation_without_settings_keeps_the_platform_settings(
    session: Session, city: Organisation
) -> None:
    base = settings()
    assert org_settings.effective_settings(session, city.id, base) is base
    look = org_settings.look_of(session, city)
    assert look.display_name == "Stad Aalst" and look.primary == org_settings.DEFAULT_PRIMARY


def test_a_jitsi_server_of_its_own(
    session: Session, city: Organisation, admin: StaffMember
) -> None:
    values = form(meeting_provider="jitsi", jitsi_server_url="https://meet.aalst.be")
    org_settings.save_settings(session, admin, values, settings())
    own = org_settings.effective_settings(session, city.id, settings())
    assert (own.meeting_provider, own.jitsi_base_url) == ("jitsi", "https://meet.aalst.be")


def test_production_refuses_stored_secrets_without_the_key(
    session: Session, admin: StaffMember
) -> None:
    production = Settings(env="production")
    assert org_settings.production_problem(session, production) is None
    values = form(mail_transport="smtp", smtp_host="smtp.aalst.be", smtp_username="balie")
    org_settings.save_settings(session, admin, {**values, "smtp_password_new": "x"}, settings())
    assert "BALIE_SECRETS_KEY" in org_settings.production_problem(session, production)


def test_logo_saved_and_removed_with_audit(
    session: Session, city: Organisation, admin: StaffMember
) -> None:
    row = org_settings.save_logo(session, admin, png_image(16, 16))
    assert org_settings.look_of(session, city).logo_url.startswith("data:image/png;base64,")
    org_settings.remove_logo(session, admin)
    assert row.logo is None and org_settings.look_of(session, city).logo_url == ""
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions == ["organisation.logo", "organisation.logo_removed"]


@pytest.fixture
def cached_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The process's copy of organisation settings switched on (tests switch it off)."""
    from balie.settings import get_settings

    monkeypatch.setenv("BALIE_SETTINGS_CACHE_SECONDS", "30")
    get_settings.cache_clear()
    org_settings.forget_settings()
    yield
    org_settings.forget_settings()
    get_settings.cache_clear()


def count_settings_reads(session: Session) -> list[str]:
    """SELECTs of the settings table on ``session``'s engine, as they happen."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM organisationsettings" in statement:
            seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", record)
    return seen


def test_the_settings_are_read_once_and_a_save_is_seen_at_once(
    session: Session, city: Organisation, admin: StaffMember, cached_settings: Any
) -> None:
    base = settings(mail_from="Digitale Balie <noreply@platform.be>")
    org_settings.save_settings(
        session,
        admin,
        form(**OWN_SMTP_AND_TEAMS, smtp_password_new="pw-aalst", **TEAMS_SECRET),
        base,
    )
    reads = count_settings_reads(session)
    first = org_settings.effective_settings(session, city.id, base)
    again = org_settings.effective_settings(session, city.id, base)
    org_settings.look_of(session, city)
    assert len(reads) == 1  # one read, then the process's copy
    assert first.mail_from == again.mail_from == "Stad Aalst <balie@aalst.be>"

    values = form(**OWN_SMTP_AND_TEAMS, smtp_password_new="pw-aalst", **TEAMS_SECRET)
    values["mail_from_address"] = "nieuw@aalst.be"
    org_settings.save_settings(session, admin, values, base)
    assert org_settings.effective_settings(session, city.id, base).mail_from.endswith(
        "<nieuw@aalst.be>"
    )  # the save forgot the copy: the new sender at once


def test_a_cached_copy_is_never_given_to_another_organisations_session(
    session: Session, city: Organisation, admin: StaffMember, cached_settings: Any
) -> None:
    from balie.scoping import scope_session

    base = settings()
    org_settings.save_settings(
        session,
        admin,
        form(**OWN_SMTP_AND_TEAMS, smtp_password_new="pw-aalst", **TEAMS_SECRET),
        base,
    )
    assert org_settings.effective_settings(session, city.id, base) is not base  # cached now
    scope_session(session, city.id + 1000)
    try:
        assert org_settings.effective_settings(session, city.id, base) is base
        assert org_settings.look_of(session, city).primary == org_settings.DEFAULT_PRIMARY
    finally:
        scope_session(session, None)
