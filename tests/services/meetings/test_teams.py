"""Teams meetings through Graph: the production code talks HTTP to fake Entra ID and Graph."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from balie import meetings as meetings_command
from balie.services.meetings.interface import (
    MeetingError,
    MeetingRequest,
    provider_from_settings,
    transaction_id_for,
)
from balie.services.meetings.teams import (
    AppTokenSource,
    GraphError,
    TeamsProvider,
    check_failed,
    check_tenant,
    parse_retry_after,
)
from tests.fakes.microsoft import (
    GRAPH_SCOPE,
    MicrosoftFakes,
    access_denied,
    commit_then_504,
    commit_then_hang,
    gateway_timeout,
    hang,
    running_fakes,
    throttle,
    unavailable,
)

START = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # Monday 15 June 2026, 09:00 in Ghent
TEAMS_LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
QUESTION = "Hoe vraag ik een huurpremie aan?"


def meeting_request(reference: str = "GNT-7K3Q9P", **changes: object) -> MeetingRequest:
    """A 30-minute appointment at ``START`` with a stable transaction id, with ``changes``."""
    start = changes.get("start", START)
    assert isinstance(start, datetime)
    values: dict[str, object] = {
        "reference": reference,
        "subject": f"Videoafspraak {reference} - Woonwijzer",
        "start": start,
        "end": start + timedelta(minutes=30),
        "transaction_id": transaction_id_for(reference),
    }
    values.update(changes)
    return MeetingRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def fakes() -> Iterator[MicrosoftFakes]:
    """Running Entra ID and Graph fakes."""
    with running_fakes() as running:
        yield running


@pytest.fixture
def token_source(fakes: MicrosoftFakes) -> Iterator[AppTokenSource]:
    """A token source of its own per test (the process-wide one would outlive the fakes)."""
    source = AppTokenSource.from_settings(fakes.settings())
    yield source
    source.close()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the provider asked for (nothing really sleeps)."""
    return []


@pytest.fixture
def provider(
    fakes: MicrosoftFakes, token_source: AppTokenSource, sleeps: list[float]
) -> TeamsProvider:
    """The Teams provider against the fakes."""
    return TeamsProvider(fakes.settings(), token_source, sleep=sleeps.append)


def only_event(fakes: MicrosoftFakes):
    """The one event in the organiser mailbox."""
    events = fakes.graph.events_in(fakes.organiser)
    assert len(events) == 1
    return events[0]


# ----- tokens --------------------------------------------------------------------------------


def test_token_is_fetched_once_and_reused(fakes: MicrosoftFakes, provider: TeamsProvider) -> None:
    provider.create(meeting_request("GNT-AAAAAA"))
    provider.create(meeting_request("GNT-BBBBBB"))

    assert fakes.entra.tokens_issued == 1
    token_call = fakes.calls("token", service="entra")[0]
    assert token_call.body["grant_type"] == "client_credentials"
    assert token_call.body["scope"] == GRAPH_SCOPE
    creates = fakes.calls("create_event")
    bearers = {call.headers["authorization"] for call in creates}
    assert bearers == {f"Bearer {fakes.entra.issued[0]}"}
    request_ids = [call.headers["client-request-id"] for call in creates]
    assert len(set(request_ids)) == 2
    assert all(uuid.UUID(request_id).version == 4 for request_id in request_ids)


def test_graph_401_drops_the_token_and_retries_once(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    provider.create(meeting_request("GNT-AAAAAA"))
    fakes.entra.revoke_tokens()

    meeting = provider.create(meeting_request("GNT-BBBBBB"))

    assert meeting.join_url.startswith(TEAMS_LINK)
    assert fakes.entra.tokens_issued == 2
    creates = fakes.calls("create_event")
    assert [call.headers["authorization"] for call in creates] == [
        f"Bearer {fakes.entra.issued[0]}",
        f"Bearer {fakes.entra.issued[0]}",
        f"Bearer {fakes.entra.issued[1]}",
    ]
    assert len(fakes.graph.events_in(fakes.organiser)) == 2


class BadTokens:
    """A token source whose tokens Graph never accepts."""

    def __init__(self) -> None:
        self.drops = 0

    def token(self) -> str:
        """A token the fake did not issue."""
        return "not-a-token"

    def drop(self) -> None:
        """Count the drops."""
        self.drops += 1


def test_a_second_401_is_an_error_not_a_loop(fakes: MicrosoftFakes) -> None:
    tokens = BadTokens()
    provider = TeamsProvider(fakes.settings(), tokens, sleep=lambda _: None)

    with pytest.raises(GraphError) as raised:
        provider.create(meeting_request())

    assert raised.value.status == 401
    assert raised.value.code == "InvalidAuthenticationToken"
    assert not raised.value.retryable
    assert tokens.drops == 1
    assert len(fakes.calls("create_event")) == 2


def test_a_certificate_credential_works_too(fakes: MicrosoftFakes) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    source = AppTokenSource(
        login_url=fakes.login_url,
        tenant_id=fakes.tenant,
        client_id=fakes.client_id,
        credential={"private_key": pem, "thumbprint": "A1" * 20},
    )

    assert source.token() == fakes.entra.issued[0]
    form = fakes.calls("token", service="entra")[0].body
    assert "client_secret" not in form
    assert form["client_assertion_type"].endswith("jwt-bearer")
    source.close()


def test_token_service_outage_is_retryable(fakes: MicrosoftFakes) -> None:
    fakes.fail("token", unavailable(retry_after=3))
    source = AppTokenSource.from_settings(fakes.settings())

    with pytest.raises(MeetingError) as raised:
        source.token()

    assert raised.value.retryable
    source.close()


def test_unknown_tenant_is_not_retryable(fakes: MicrosoftFakes) -> None:
    source = AppTokenSource.from_settings(fakes.settings(entra_tenant_id="no-such-tenant"))

    with pytest.raises(MeetingError) as raised:
        source.token()

    assert not raised.value.retryable
    assert raised.value.code == "invalid_tenant"
    source.close()


# ----- create --------------------------------------------------------------------------------


def test_create_makes_a_teams_event_and_returns_its_link(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    request = meeting_request()

    meeting = provider.create(request)

    event = only_event(fakes)
    assert meeting.provider == "teams"
    assert meeting.join_url == event.join_url
    assert meeting.join_url.startswith(TEAMS_LINK)
    assert meeting.external_id == f"{fakes.organiser}|{event.id}"
    (call,) = fakes.calls("create_event")
    assert call.path == f"/v1.0/users/{fakes.organiser}/events"
    assert call.body == {
        "subject": request.subject,
        "start": {"dateTime": "2026-06-15T07:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-06-15T07:30:00", "timeZone": "UTC"},
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
        "allowNewTimeProposals": False,
        "transactionId": transaction_id_for("GNT-7K3Q9P"),
    }


def test_the_body_is_exactly_what_the_caller_gives(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    provider.create(meeting_request("GNT-AAAAAA"))
    provider.create(meeting_request("GNT-BBBBBB", body=f"Vraag van de burger: {QUESTION}"))

    without, with_question = fakes.calls("create_event")
    assert "body" not in without.body
    assert QUESTION not in json.dumps(without.body)
    assert with_question.body["body"] == {
        "contentType": "text",
        "content": f"Vraag van de burger: {QUESTION}",
    }


def test_times_in_other_zones_are_sent_in_utc(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    brussels = START.astimezone(datetime.now().astimezone().tzinfo)
    provider.create(meeting_request(start=brussels, end=brussels + timedelta(minutes=20)))

    body = fakes.calls("create_event")[0].body
    assert body["start"] == {"dateTime": "2026-06-15T07:00:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2026-06-15T07:20:00", "timeZone": "UTC"}


def test_transaction_ids_are_stable_per_reference(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    assert transaction_id_for("GNT-7K3Q9P") == transaction_id_for("GNT-7K3Q9P")
    assert transaction_id_for("GNT-7K3Q9P") != transaction_id_for("GNT-7K3Q9Q")
    assert uuid.UUID(transaction_id_for("GNT-7K3Q9P")).version == 5

    provider.create(meeting_request("GNT-AAAAAA", transaction_id=""))

    assert fakes.calls("create_event")[0].body["transactionId"] == transaction_id_for("GNT-AAAAAA")


def test_the_requests_organiser_is_used_for_create_update_and_cancel(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    staff = "3f2b8c1d-0000-4000-8000-00000000abcd"
    request = meeting_request(organiser=staff)

    meeting = provider.create(request)
    provider.update(meeting.external_id, request)
    provider.cancel(meeting.external_id, request)

    assert meeting.external_id.startswith(f"{staff}|")
    paths = [call.path for call in fakes.calls()]
    assert all(path.startswith(f"/v1.0/users/{staff}/events") for path in paths)
    assert fakes.graph.events_in(staff, include_cancelled=True)[0].cancelled


def test_no_organiser_anywhere_is_not_retryable(
    fakes: MicrosoftFakes, token_source: AppTokenSource
) -> None:
    provider = TeamsProvider(fakes.settings(teams_organiser_mailbox=""), token_source)

    with pytest.raises(MeetingError) as raised:
        provider.create(meeting_request())

    assert raised.value.code == "NoOrganiser"
    assert not raised.value.retryable
    assert fakes.calls() == []


def test_a_missing_join_url_is_read_again_until_it_appears(
    fakes: MicrosoftFakes, provider: TeamsProvider, sleeps: list[float]
) -> None:
    fakes.graph.missing_join_url(reads_before_link=2)

    meeting = provider.create(meeting_request())

    assert meeting.join_url == only_event(fakes).join_url
    assert meeting.join_url.startswith(TEAMS_LINK)
    reads = fakes.calls("get_event")
    assert len(reads) == 2
    assert "onlineMeeting" in reads[0].query["$select"]
    assert sleeps == [1.0, 2.0]


def test_a_join_url_that_never_comes_is_a_retryable_error(
    fakes: MicrosoftFakes, provider: TeamsProvider, sleeps: list[float]
) -> None:
    fakes.graph.missing_join_url(reads_before_link=None)

    with pytest.raises(MeetingError) as raised:
        provider.create(meeting_request())

    assert raised.value.code == "JoinUrlMissing"
    assert raised.value.retryable
    assert len(fakes.calls("get_event")) == 3
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_calendar_without_teams_gives_no_link(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    fakes.graph.mailboxes_without_teams.add(fakes.organiser)

    with pytest.raises(MeetingError) as raised:
        provider.create(meeting_request())

    assert raised.value.code == "JoinUrlMissing"


# ----- errors --------------------------------------------------------------------------------


def test_throttling_is_retryable_after_the_given_seconds(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    fakes.fail("create_event", throttle(retry_after=7))

    with pytest.raises(GraphError) as first:
        provider.create(meeting_request())
    with pytest.raises(GraphError) as too_early:
        provider.create(meeting_request())
    fakes.clock.advance(7)
    meeting = provider.create(meeting_request())

    assert (first.value.status, first.value.retryable, first.value.retry_after) == (429, True, 7)
    assert first.value.code == "ApplicationThrottled"
    assert too_early.value.status == 429
    assert too_early.value.retry_after == 7
    assert meeting.join_url == only_event(fakes).join_url


def test_throttling_with_an_http_date(fakes: MicrosoftFakes, provider: TeamsProvider) -> None:
    fakes.fail("create_event", throttle(retry_after=120, http_date=True))

    with pytest.raises(GraphError) as raised:
        provider.create(meeting_request())

    assert raised.value.retryable
    assert raised.value.retry_after is not None
    assert 60 < raised.value.retry_after <= 120


def test_parse_retry_after() -> None:
    now = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)

    assert parse_retry_after("5", now) == 5
    assert parse_retry_after("Mon, 15 Jun 2026 07:00:30 GMT", now) == 30
    assert parse_retry_after("Mon, 15 Jun 2026 06:59:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None


@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [
        (unavailable(), 503, None),
        (unavailable(retry_after=3), 503, 3),
        (gateway_timeout(), 504, None),
    ],
)
def test_outages_are_retryable(
    fakes: MicrosoftFakes,
    provider: TeamsProvider,
    fault: object,
    status: int,
    retry_after: float | None,
) -> None:
    fakes.fail("create_event", fault)  # type: ignore[arg-type]

    with pytest.raises(GraphError) as raised:
        provider.create(meeting_request())

    assert (raised.value.status, raised.value.retryable) == (status, True)
    assert raised.value.retry_after == retry_after
    assert fakes.graph.events_in(fakes.organiser) == []


def test_access_denied_is_not_retryable(fakes: MicrosoftFakes, provider: TeamsProvider) -> None:
    fakes.fail("create_event", access_denied())

    with pytest.raises(MeetingError) as raised:
        provider.create(meeting_request())

    assert not raised.value.retryable
    assert raised.value.code == "ErrorAccessDenied"
    assert raised.value.retry_after is None


@pytest.fixture
def impatient_http() -> Iterator[httpx.Client]:
    """An HTTP client that gives up after 0.3 s (the fake hangs far longer)."""
    with httpx.Client(timeout=0.3) as client:
        yield client


def test_no_answer_in_time_is_retryable(
    fakes: MicrosoftFakes, token_source: AppTokenSource, impatient_http: httpx.Client
) -> None:
    provider = TeamsProvider(fakes.settings(), token_source, impatient_http)
    fakes.fail("create_event", hang())

    with pytest.raises(MeetingError) as raised:
        provider.create(meeting_request())

    assert raised.value.retryable
    assert raised.value.code == "Timeout"


def test_plain_http_graph_outside_this_machine_is_refused(
    fakes: MicrosoftFakes, token_source: AppTokenSource
) -> None:
    settings = fakes.settings(graph_base_url="http://graph.example.org/v1.0")

    with pytest.raises(MeetingError) as raised:
        TeamsProvider(settings, token_source)

    assert raised.value.code == "InsecureUrl"


# ----- a create whose answer was lost --------------------------------------------------------


def test_a_retry_after_a_lost_answer_finds_the_first_event(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    fakes.graph.max_page_size = 2  # the event sits on a later calendarView page
    for number in range(1, 6):  # earlier the same morning: listed before the lost one
        provider.create(
            meeting_request(f"GNT-OTHER{number}", start=START - timedelta(hours=number))
        )
    fakes.fail("create_event", commit_then_504())
    request = meeting_request()

    with pytest.raises(MeetingError) as lost:
        provider.create(request)
    meeting = provider.create(request)

    assert lost.value.retryable
    events = [e for e in fakes.graph.events_in(fakes.organiser) if e.subject == request.subject]
    assert len(events) == 1
    assert meeting.join_url == events[0].join_url
    assert meeting.external_id == f"{fakes.organiser}|{events[0].id}"
    assert len(fakes.calls("calendar_view")) == 3


def test_a_create_that_hangs_after_committing_is_not_made_twice(
    fakes: MicrosoftFakes, token_source: AppTokenSource, impatient_http: httpx.Client
) -> None:
    provider = TeamsProvider(fakes.settings(), token_source, impatient_http)
    fakes.fail("create_event", commit_then_hang())

    with pytest.raises(MeetingError) as lost:
        provider.create(meeting_request())
    meeting = provider.create(meeting_request())

    assert lost.value.code == "Timeout"
    assert meeting.join_url == only_event(fakes).join_url


def test_a_used_transaction_id_without_an_event_is_not_retryable(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    request = meeting_request()
    meeting = provider.create(request)
    provider.cancel(meeting.external_id, request)

    with pytest.raises(MeetingError) as raised:
        provider.create(request)

    assert raised.value.code == "ErrorDuplicateTransactionId"
    assert not raised.value.retryable


def test_random_faults_with_retries_give_one_event_per_appointment(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    fakes.random_faults(
        0.5,
        faults=[throttle(3), unavailable(), gateway_timeout(), commit_then_504()],
        seed=20260615,
    )
    links = {}
    for number in range(12):
        request = meeting_request(f"GNT-RND{number:03}", start=START + timedelta(hours=number))
        for _attempt in range(30):
            try:
                links[request.reference] = provider.create(request).join_url
                break
            except MeetingError as error:
                assert error.retryable
                fakes.clock.advance(error.retry_after or 1)

    events = fakes.graph.events_in(fakes.organiser)
    assert len(links) == len(events) == 12
    assert set(links.values()) == {event.join_url for event in events}


# ----- update and cancel ---------------------------------------------------------------------


def test_update_patches_only_start_and_end(fakes: MicrosoftFakes, provider: TeamsProvider) -> None:
    request = meeting_request(body="Videoafspraak")
    meeting = provider.create(request)
    later = START + timedelta(days=1, hours=2)

    provider.update(
        meeting.external_id, meeting_request(start=later, end=later + timedelta(minutes=30))
    )

    (call,) = fakes.calls("update_event")
    assert call.method == "PATCH"
    assert call.body == {
        "start": {"dateTime": "2026-06-16T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-06-16T09:30:00", "timeZone": "UTC"},
    }
    event = only_event(fakes)
    assert event.start == later
    assert event.join_url == meeting.join_url


def test_update_of_a_missing_event_is_not_retryable(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    with pytest.raises(GraphError) as raised:
        provider.update(f"{fakes.organiser}|AAMkADgone=", meeting_request())

    assert (raised.value.status, raised.value.code) == (404, "ErrorItemNotFound")
    assert not raised.value.retryable


def test_cancel_posts_to_cancel(fakes: MicrosoftFakes, provider: TeamsProvider) -> None:
    request = meeting_request()
    meeting = provider.create(request)

    provider.cancel(meeting.external_id, request)

    (call,) = fakes.calls("cancel_event")
    assert call.method == "POST"
    assert call.path.endswith(f"/events/{meeting.external_id.split('|')[1]}/cancel")
    assert call.body["comment"]
    assert fakes.graph.events_in(fakes.organiser) == []


def test_cancelling_an_event_that_is_gone_is_fine(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    request = meeting_request()
    meeting = provider.create(request)
    provider.cancel(meeting.external_id, request)

    provider.cancel(meeting.external_id, request)
    provider.cancel(f"{fakes.organiser}|AAMkADneverthere=", request)

    assert len(fakes.calls("cancel_event")) == 3


def test_cancel_during_an_outage_is_retryable(
    fakes: MicrosoftFakes, provider: TeamsProvider
) -> None:
    request = meeting_request()
    meeting = provider.create(request)
    fakes.fail("cancel_event", unavailable(retry_after=2))

    with pytest.raises(MeetingError) as raised:
        provider.cancel(meeting.external_id, request)

    assert (raised.value.retryable, raised.value.retry_after) == (True, 2)


def test_provider_from_settings_gives_teams_without_network(fakes: MicrosoftFakes) -> None:
    provider = provider_from_settings(fakes.settings())

    assert isinstance(provider, TeamsProvider)
    assert provider.name == "teams"
    assert fakes.requests == []


# ----- tenant check --------------------------------------------------------------------------


def test_check_tenant_all_good(fakes: MicrosoftFakes) -> None:
    lines = check_tenant(fakes.settings(), ["second@stad.gent"])

    assert not check_failed(lines)
    assert len(lines) == 3
    assert "token" in lines[0]
    assert fakes.organiser in lines[1]
    assert "second@stad.gent" in lines[2]


def test_check_tenant_wrong_secret(fakes: MicrosoftFakes) -> None:
    lines = check_tenant(fakes.settings(entra_client_secret="client-secret-id-by-mistake"))

    assert check_failed(lines)
    assert len(lines) == 1
    assert "AADSTS7000215" in lines[0]
    assert "invalid_client" in lines[0]


def test_check_tenant_missing_permission(fakes: MicrosoftFakes) -> None:
    fakes.graph.blocked_mailboxes.add("blocked@stad.gent")

    lines = check_tenant(fakes.settings(), ["blocked@stad.gent"])

    assert check_failed(lines)
    assert lines[1].startswith("OK")
    assert lines[2].startswith("FAIL")
    assert "ErrorAccessDenied" in lines[2]
    assert "Calendars.ReadWrite" in lines[2]


def test_check_tenant_no_teams(fakes: MicrosoftFakes) -> None:
    fakes.graph.mailboxes_without_teams.add(fakes.organiser)

    lines = check_tenant(fakes.settings())

    assert check_failed(lines)
    assert "does not offer Teams meetings" in lines[1]
    assert "licence" in lines[1]


def test_check_tenant_missing_settings_and_mailbox(fakes: MicrosoftFakes) -> None:
    assert check_failed(check_tenant(fakes.settings(entra_client_id="")))
    lines = check_tenant(fakes.settings(teams_organiser_mailbox=""))
    assert check_failed(lines)
    assert "BALIE_TEAMS_ORGANISER_MAILBOX" in lines[-1]


def use_fakes(monkeypatch: pytest.MonkeyPatch, fakes: MicrosoftFakes, **changes: str) -> None:
    """Point the environment at the fakes."""
    for name, value in {**fakes.env(), **changes}.items():
        monkeypatch.setenv(name, value)


def test_check_command_exits_0_when_all_is_well(
    fakes: MicrosoftFakes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fakes(monkeypatch, fakes)

    assert meetings_command.main(["check", "--mailbox", "second@stad.gent"]) == 0
    output = capsys.readouterr().out
    assert output.count("OK") == 3


def test_check_command_exits_1_on_a_wrong_secret(
    fakes: MicrosoftFakes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fakes(monkeypatch, fakes, BALIE_ENTRA_CLIENT_SECRET="wrong")

    assert meetings_command.main(["check"]) == 1
    assert "AADSTS7000215" in capsys.readouterr().out


def test_check_command_exits_1_on_a_blocked_mailbox(
    fakes: MicrosoftFakes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fakes(monkeypatch, fakes)
    fakes.graph.blocked_mailboxes.add("blocked@stad.gent")

    assert meetings_command.main(["check", "--mailbox", "blocked@stad.gent"]) == 1
    assert "FAIL blocked@stad.gent" in capsys.readouterr().out
