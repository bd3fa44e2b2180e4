"""The catalogue of an organisation: its services and topics, and which topics can go by video."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from balie.i18n import CHANNEL_REASONS, pick
from balie.models import ChannelRule, Organisation, Service, Topic
from balie.services.identity.levels import identification_available, required_level


@dataclass(frozen=True)
class TopicView:
    """A topic as citizens see it, in both languages."""

    slug: str
    name: dict[str, str]
    video_allowed: bool
    channel_rule: str
    reason: dict[str, str]
    preparation: dict[str, str]
    identification: str = "none"  # the level a booking needs: none, substantial or high


@dataclass(frozen=True)
class ServiceView:
    """A live service as citizens see it, in both languages."""

    slug: str
    name: dict[str, str]
    description: dict[str, str]
    live_from: date
    appointment_minutes: int
    topics: tuple[TopicView, ...]


def get_organisation(session: Session, slug: str) -> Organisation | None:
    """The organisation with this slug, if any."""
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def video_allowed(topic: Topic) -> bool:
    """Whether this topic can be handled in a video call.

    A topic that needs identification can, once the city has an identity provider; a topic
    with a level of its own needs that provider too.
    """
    rule = ChannelRule(topic.channel_rule)
    if rule not in (ChannelRule.VIDEO, ChannelRule.NEEDS_IDENTIFICATION):
        return False
    if required_level(topic) != "none":
        return identification_available()
    return True


def channel_reason(topic: Topic) -> dict[str, str]:
    """Why a topic cannot go by video, per language (empty for video topics)."""
    if video_allowed(topic):
        return {}
    rule = ChannelRule(topic.channel_rule)
    if rule is ChannelRule.VIDEO:
        rule = ChannelRule.NEEDS_IDENTIFICATION  # a level of its own, and no provider
    default = CHANNEL_REASONS[rule.value]
    own = {code: text for code, text in (topic.channel_reason or {}).items() if text}
    return {**default, **own}


def topic_view(topic: Topic) -> TopicView:
    """The citizen-facing view of a topic."""
    return TopicView(
        slug=topic.slug,
        name=dict(topic.name),
        video_allowed=video_allowed(topic),
        channel_rule=ChannelRule(topic.channel_rule).value,
        reason=channel_reason(topic),
        preparation=dict(topic.preparation or {}),
        identification=required_level(topic).value,
    )


def live_services(session: Session, organisation_id: int, today: date) -> list[ServiceView]:
    """Active services of the organisation that are live on ``today``, with their active topics."""
    services = session.exec(
        select(Service)
        .where(
            Service.organisation_id == organisation_id,
            Service.active.is_(True),
            Service.live_from <= today,
        )
        .order_by(Service.sort_order, Service.id)
    ).all()
    topics_by_service: dict[int, list[Topic]] = {service.id: [] for service in services}
    if services:
        for topic in session.exec(
            select(Topic)
            .where(Topic.service_id.in_(topics_by_service), Topic.active.is_(True))
            .order_by(Topic.sort_order, Topic.id)
        ):
            topics_by_service[topic.service_id].append(topic)
    return [service_view(service, topics_by_service[service.id]) for service in services]


def service_view(service: Service, topics: list[Topic]) -> ServiceView:
    """A live service with its active topics, as the wizard and the API show it."""
    return ServiceView(
        slug=service.slug,
        name=dict(service.name),
        description=dict(service.description),
        live_from=service.live_from,
        appointment_minutes=service.appointment_minutes,
        topics=tuple(topic_view(t) for t in topics),
    )


def localised_name(service: ServiceView, language: str) -> str:
    """The service's name in ``language``."""
    return pick(service.name, language)
