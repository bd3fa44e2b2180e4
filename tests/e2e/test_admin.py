"""An administrator changes a topic's channel rule, the citizen's wizard follows at once, and
the audit log shows who did it. The three admin pages pass axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.models import ChannelRule, Service, Topic
from tests.e2e.staff_helpers import COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_booking import assert_accessible, heading_has_focus

SERVICE = "mobiliteitsbedrijf"  # live since the first wave
TOPIC = "signalisatievergunning"  # a video topic no other browser test uses
OWN_REASON = "Voor deze vergunning moet je het aanvraagformulier zelf ondertekenen."


def signed_in_admin(page: Page, base_url: str) -> None:
    """Sign in as the demo administrator and wait until the sign-in page is left."""
    sign_in_as(page, base_url, MANAGER_ADMIN)
    expect(page).not_to_have_url(re.compile(r"/aanmelden"))


def open_topic_form(page: Page, base_url: str) -> None:
    """Open the catalogue, the service and the topic's edit form."""
    page.goto(base_url + "/beheer/catalogus")
    # The page's load event closes the forms a previous visit left open and fills the list; a
    # click before it has run would be undone by it.
    expect(page.locator("#service-slug")).to_have_count(0)
    expect(page.locator(f"#services tr[data-service={SERVICE}]")).to_be_visible()
    # Opening a form moves the focus to its heading a moment after it is drawn. Typing before
    # that would go partly into the field and partly nowhere, so each step waits for it.
    page.locator(f"#services tr[data-service={SERVICE}] .edit-service").click()
    expect(page.locator("#service-slug")).to_have_value(SERVICE)
    expect(page.locator("#service-form-heading")).to_be_focused()
    page.locator(f"#topics tr[data-topic={TOPIC}] .edit-topic").click()
    expect(page.locator("#topic-slug")).to_have_value(TOPIC)
    expect(page.locator("#topic-form-heading")).to_be_focused()


def restore_topic() -> None:
    """Put the topic back as the demo data has it, whatever happened in the test."""
    with session_scope() as session:
        service = session.exec(select(Service).where(Service.slug == SERVICE)).one()
        topic = session.exec(
            select(Topic).where(Topic.service_id == service.id, Topic.slug == TOPIC)
        ).one()
        topic.channel_rule, topic.channel_reason, topic.active = ChannelRule.VIDEO, {}, True
        session.add(topic)
        session.commit()


def topic_in_wizard(page: Page, base_url: str) -> None:
    """Open the citizen's wizard at the topics of the service."""
    page.goto(base_url + f"/boeken?dienst={SERVICE}")
    heading_has_focus(page, "Waarover wil je praten?")


def test_a_topic_that_needs_a_signature_is_not_offered_by_video(page: Page, base_url: str) -> None:
    try:
        signed_in_admin(page, base_url)
        page.goto(base_url + "/beheer/catalogus")
        expect(page.locator(f"#services tr[data-service={SERVICE}]")).to_be_visible()
        assert_accessible(page)
        open_topic_form(page, base_url)
        assert_accessible(page)

        # Deleting asks first; "Nee, houden" keeps the topic.
        page.locator("#remove-topic").click()
        expect(page.locator("#confirm-remove-topic-text")).to_contain_text("echt verwijderen")
        expect(page.locator("#confirm-remove-topic")).to_be_focused()
        assert_accessible(page)
        page.locator("#keep-topic").click()
        expect(page.locator("#confirm-remove-topic")).to_have_count(0)
        expect(page.locator("#remove-topic")).to_be_focused()  # back where the question began
        expect(page.locator(f"#topics tr[data-topic={TOPIC}]")).to_be_visible()

        # An own reason with the rule "video" is refused, and what was typed stays.
        page.locator("#topic-reason-nl").fill(OWN_REASON)
        page.locator("#save-topic").click()
        expect(page.locator("#topic-reason-nl-error")).to_contain_text("Een eigen reden past")
        expect(page.locator("#topic-reason-nl")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#topic-reason-nl")).to_have_value(OWN_REASON)
        expect(page.locator("#topic-problem")).to_have_attribute("role", "alert")
        assert_accessible(page)

        page.locator("#topic-rule-needs-signature").check()
        page.locator("#save-topic").click()
        message = page.locator("#topic-message")
        expect(message).to_contain_text("Het onderwerp is opgeslagen.")
        expect(message).to_have_attribute("role", "status")
        expect(page.locator("#topic-reason-nl")).to_have_attribute("aria-invalid", "false")
        row = page.locator(f"#topics tr[data-topic={TOPIC}]")
        expect(row).to_contain_text("Nee, er moet iets ondertekend worden")

        topic_in_wizard(page, base_url)
        shown = page.locator(f"[data-topic={TOPIC}]")
        expect(shown).to_contain_text("Niet via video")
        expect(shown).to_contain_text(OWN_REASON)
        expect(page.locator(f"button[data-topic={TOPIC}]")).to_have_count(0)

        # Back to video: the reason must go too.
        open_topic_form(page, base_url)
        expect(page.locator("#topic-rule-needs-signature")).to_be_checked()
        expect(page.locator("#topic-reason-nl")).to_have_value(OWN_REASON)
        page.locator("#topic-rule-video").check()
        page.locator("#topic-reason-nl").fill("")
        expect(page.locator("#topic-reason-nl")).to_have_value("")
        page.locator("#save-topic").click()
        expect(page.locator("#topic-message")).to_contain_text("Het onderwerp is opgeslagen.")
        topic_in_wizard(page, base_url)
        expect(page.locator(f"button[data-topic={TOPIC}]")).to_be_visible()

        # The audit log names the administrator and both changes.
        page.goto(base_url + "/beheer/audit")
        expect(page.locator("#audit tbody tr").first).to_be_visible()
        assert_accessible(page)
        page.locator("#audit-action-prefix").fill("catalogue_topic")
        page.locator("#apply-filters").click()
        changes = page.locator("#audit tbody tr[data-action=catalogue_topic_update]")
        expect(changes).to_have_count(2)
        expect(page.locator("#audit tbody tr")).to_have_count(2)
        expect(changes.nth(0)).to_contain_text(MANAGER_ADMIN)
        expect(changes.nth(0)).to_contain_text("needs_signature → video")
        expect(changes.nth(1)).to_contain_text(MANAGER_ADMIN)
        expect(changes.nth(1)).to_contain_text("video → needs_signature")
        expect(page.locator("#previous-page")).to_be_disabled()
        expect(page.locator("#next-page")).to_be_disabled()
        assert_accessible(page)
    finally:
        restore_topic()


def test_the_staff_page_lists_roles_and_refuses_self_lock_out(page: Page, base_url: str) -> None:
    signed_in_admin(page, base_url)
    page.goto(base_url + "/beheer/medewerkers")
    counsellor = page.locator("#staff tr").filter(has_text=COUNSELLOR)
    expect(counsellor).to_contain_text("Medewerker (gesprekken)")
    expect(counsellor).to_contain_text("Verhuurderspunt")
    expect(page.locator("#password-note")).to_contain_text("set-password")
    assert_accessible(page)

    page.locator("#staff tr").filter(has_text=MANAGER_ADMIN).locator(".edit-staff").click()
    expect(page.locator("#staff-role-admin")).to_be_checked()
    assert_accessible(page)
    page.locator("#staff-role-admin").uncheck()
    page.locator("#save-staff").click()
    expect(page.locator("#staff-roles-error")).to_contain_text("eigen rol van beheerder")
    expect(page.locator("#staff-role-admin")).not_to_be_checked()  # what was ticked stays
    assert_accessible(page)
    page.goto(base_url + "/beheer/audit")
    expect(page.locator("#audit")).to_be_visible()  # still an administrator


def test_a_counsellor_gets_no_access(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, COUNSELLOR)
    expect(page).not_to_have_url(re.compile(r"/aanmelden"))
    for route in ("/beheer/catalogus", "/beheer/medewerkers", "/beheer/audit"):
        page.goto(base_url + route)
        expect(page.locator("#no-access")).to_be_visible()
        expect(page.locator("#services, #staff, #audit")).to_have_count(0)
