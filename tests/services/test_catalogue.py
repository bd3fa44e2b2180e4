"""Which services are live, and which topics can go by video (and why not)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from balie.models import ChannelRule, Service, Topic
from balie.services.catalogue import channel_reason, get_organisation, live_services
from balie.services.demo_data import load_demo_data


def test_second_wave_is_not_offered_before_its_go_live_date(session: Session) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    before = {s.slug for s in live_services(session, gent.id, date(2026, 2, 22))}
    after = {s.slug for s in live_services(session, gent.id, date(2026, 2, 23))}
    assert "stedenbouw" not in before
    assert len(before) == 6
    assert after - before == {"stedenbouw", "milieu-klimaat", "gas-boetes"}


def test_inactive_services_and_topics_are_hidden(session: Session) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    woonwijzer = session.exec(select(Service).where(Service.slug == "woonwijzer")).one()
    woonwijzer.active = False
    topic = session.exec(select(Topic).where(Topic.slug == "energiepremies")).one()
    topic.active = False
    session.commit()
    views = {s.slug: s for s in live_services(session, gent.id, date(2026, 6, 1))}
    assert "woonwijzer" not in views
    assert [t.slug for t in views["energiecentrale"].topics] == ["renovatieadvies"]


def test_in_person_topics_carry_their_reason(session: Session) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    views = {s.slug: s for s in live_services(session, gent.id, date(2026, 6, 1))}
    topics = {t.slug: t for t in views["burgerzaken"].topics}
    assert topics["algemene-vraag"].video_allowed
    assert topics["algemene-vraag"].reason == {}
    card = topics["identiteitskaart"]
    assert not card.video_allowed
    assert card.reason["nl"].startswith("Voor een identiteitskaart nemen we je vingerafdrukken")


def test_rule_without_own_reason_falls_back_to_a_standard_sentence() -> None:
    topic = Topic(
        service_id=1,
        slug="x",
        name={"nl": "X"},
        channel_rule=ChannelRule.NEEDS_SIGNATURE,
        channel_reason={"nl": ""},
        preparation={},
    )
    reason = channel_reason(topic)
    assert "ondertekenen" in reason["nl"]
    assert "sign" in reason["en"]
