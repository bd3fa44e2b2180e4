"""E-mails put together from ready-made parts read back exactly as they were written."""

from __future__ import annotations

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
