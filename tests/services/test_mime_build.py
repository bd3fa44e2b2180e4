"""E-mails put together from ready-made parts read back exactly as they were written."""

from __future__ import annotations

import copy
import pickle
import uuid
from email import message_from_bytes, policy

from balie.services import mime_build

TEXT = "Hallo Zoë,\n\nJe afspraak staat vast.   \nTot dan.\n" + "x" * 120 + "\n"
HTML = "<p>Hallo Zoë</p>\n"
ICS = "BEGIN:VCALENDAR\r\nSUMMARY:Één\r\nEND:VCALENDAR\r\n".encode()
SUBJECT = "Bevestiging: je videogesprek met Één op maandag 30 maart 2026 om 09:00 in Gent"


def _mail(attachments: tuple[mime_build.Part, ...] = ()) -> object:
    """A test e-mail with a long non-ASCII subject, text, HTML and ``attachments``."""
    return mime_build.assemble(
        [("Subject", SUBJECT), ("From", "Stad Gent <balie@gent.be>"), ("To", "zoe@example.be")],
        [mime_build.Part("text/plain", text=TEXT), mime_build.Part("text/html", text=HTML)],
        attachments,
        trailing=(("Content-Language", "nl"),),
    )


def test_text_html_and_attachment_survive_the_wire() -> None:
    invite = mime_build.Part(
        "text/calendar",
        params=(("method", "REQUEST"), ("charset", "utf-8"), ("name", "invite.ics")),
        data=ICS,
        filename="invite.ics",
    )
    raw = _mail((invite,)).as_bytes()
    assert all(len(line) <= 78 for line in raw.split(b"\n"))
    assert raw.isascii()
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Subject"] == SUBJECT
    assert received["To"] == "zoe@example.be"
    assert received["Content-Language"] == "nl"
    assert received.get_content_type() == "multipart/mixed"
    assert received.get_body(("plain",)).get_content() == TEXT
    assert received.get_body(("html",)).get_content() == HTML
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content() == ICS.decode()  # CRLF line ends kept byte for byte


def test_without_attachments_it_is_one_alternative() -> None:
    mail = _mail()
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"] == SUBJECT  # readable before sending too
    received = message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert [part.get_content_type() for part in received.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert received.get_body(("plain",)).get_content() == TEXT


def test_a_short_ascii_text_goes_as_7bit() -> None:
    mail = mime_build.assemble([("Subject", "Hi")], [mime_build.Part("text/plain", text="Hi")])
    [part] = list(mail.iter_parts())
    assert part["Content-Transfer-Encoding"] == "7bit"
    assert part.get_content() == "Hi\n"


POLICIES = (
    policy.default,
    policy.default.clone(linesep="\r\n"),  # as smtplib writes
    policy.SMTPUTF8,
    policy.default.clone(max_line_length=40),
)


def test_a_multipart_header_folds_as_the_parsed_header_for_any_boundary() -> None:
    for subtype in ("mixed", "alternative"):
        for token in [uuid.uuid4().hex for _ in range(200)] + ["f" * 32, "0" * 32]:
            fast = mime_build._boundary_header(subtype, token)
            value = f'multipart/{subtype}; boundary="==balie-{token}"'
            parsed = policy.default.header_factory("Content-Type", value)
            assert str(fast) == str(parsed)
            for chosen in POLICIES:
                assert fast.fold(policy=chosen) == parsed.fold(policy=chosen)
            assert fast.params == parsed.params and fast.content_type == parsed.content_type


def test_a_repeated_header_folds_as_the_parsed_header_under_every_policy() -> None:
    value = 'text/calendar; method="REQUEST"; charset="utf-8"; name="invite.ics"'
    kept = mime_build._parsed("Content-Type", value)
    parsed = policy.default.header_factory("Content-Type", value)
    for chosen in POLICIES * 2:  # the second round answers from what was kept
        assert kept.fold(policy=chosen) == parsed.fold(policy=chosen)
    assert kept.params == parsed.params
    assert copy.deepcopy(kept) == parsed and pickle.loads(pickle.dumps(kept)) == parsed


def test_an_e_mail_reads_and_copies_as_before() -> None:
    invite = mime_build.Part("text/calendar", data=ICS, filename="invite.ics")
    mail = _mail((invite,))
    copied = copy.deepcopy(mail)
    assert copied.as_bytes() == mail.as_bytes()
    assert mail.get_content_type() == "multipart/mixed"
    assert mail.get_boundary().startswith("==balie-")
    assert [part.get_content_type() for part in mail.iter_attachments()] == ["text/calendar"]
