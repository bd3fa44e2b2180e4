"""MIME e-mails put together from ready-made parts, without re-parsing what was just set.

EmailMessage.set_content / add_alternative / add_attachment parse every header they set or
move again (about a hundred per e-mail), which made the e-mail about half the CPU of a booking.
Here each body is encoded once (quoted-printable or base64, in C) and stored with set_raw and
set_payload; only a header that is long or not ASCII goes through the header parser, once. The
result is an ordinary EmailMessage (policy.default) that reads and sends as before.
"""

from __future__ import annotations

import base64
import quopri
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from email.policy import Policy
from functools import lru_cache
from typing import Any

POLICY = policy.default
MAX_LINE = 78  # RFC 5322 recommends lines of at most 78 characters


@dataclass(frozen=True)
class Part:
    """One leaf of the message: a text body or an attachment (bytes, sent in base64)."""

    content_type: str  # e.g. "text/plain"
    params: tuple[tuple[str, str], ...] = (("charset", "utf-8"),)
    text: str = ""
    data: bytes = b""
    filename: str = ""


def set_header(entity: MIMEPart, name: str, value: str) -> None:
    """Add a header; only a long or non-ASCII one is parsed (to be folded and encoded)."""
    if value.isascii() and len(name) + 2 + len(value) <= MAX_LINE:
        entity.set_raw(name, value)
    else:
        entity[name] = value


def _text_body(text: str) -> tuple[str, str]:
    """The transfer encoding and the encoded body of a text part (7bit when it can be)."""
    if not text.endswith("\n"):
        text += "\n"
    if text.isascii() and all(len(line) <= MAX_LINE for line in text.splitlines()):
        return "7bit", text
    return "quoted-printable", quopri.encodestring(text.encode("utf-8")).decode("ascii")


def _content_type(value: str, params: tuple[tuple[str, str], ...]) -> str:
    """A Content-Type value with its parameters."""
    return "".join([value, *(f'; {name}="{param}"' for name, param in params)])


def _fold_key(policy: Policy) -> tuple[object, ...]:
    """What folding a parsed header depends on (email._header_value_parser reads only these)."""
    return (policy.linesep, policy.max_line_length, policy.utf8)


class FoldedOnce(str):
    """A parsed header that folds once per kind of policy: every write of an e-mail asks for
    the folded text again, and a header folds to the same text every time.

    Reads as the header it wraps (``params``, ``content_type``, …).
    """

    _header: Any
    _folded: dict[tuple[object, ...], str]

    def __new__(cls, header: Any) -> FoldedOnce:
        folded = super().__new__(cls, str(header))
        folded._header = header
        folded._folded = {}
        return folded

    @property
    def name(self) -> str:
        """The header's name."""
        return self._header.name

    def fold(self, *, policy: Policy) -> str:
        """The header folded as ``policy`` folds it."""
        key = _fold_key(policy)
        text = self._folded.get(key)
        if text is None:
            text = self._folded[key] = self._header.fold(policy=policy)
        return text

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self._header, attribute)

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy or pickle is the plain parsed header (it folds the same).
        return (POLICY.header_factory, (self.name, str(self)))


class _WithBoundary(str):
    """A multipart Content-Type folded from one made with a stand-in boundary of the same
    length: a boundary is a quoted run of hex digits, so where the line breaks does not depend
    on which digits. Parsed only when someone reads more than its text."""

    def __new__(cls, template: FoldedOnce, stand_in: str, boundary: str) -> _WithBoundary:
        header = super().__new__(cls, str(template).replace(stand_in, boundary))
        header._template, header._stand_in, header._boundary = template, stand_in, boundary
        return header

    @property
    def name(self) -> str:
        """The header's name."""
        return self._template.name

    def fold(self, *, policy: Policy) -> str:
        """The template's folded text with the real boundary."""
        folded = self._template.fold(policy=policy)
        if folded.count(self._stand_in) != 1:
            # Lines so short that the boundary was cut up: fold this header itself.
            return POLICY.header_factory(self.name, str(self)).fold(policy=policy)
        return folded.replace(self._stand_in, self._boundary)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(POLICY.header_factory(self.name, str(self)), attribute)

    def __reduce__(self) -> tuple[Any, ...]:
        return (POLICY.header_factory, (self.name, str(self)))


@lru_cache(maxsize=64)
def _parsed(name: str, value: str) -> FoldedOnce:
    """The header object of a value every e-mail repeats (header objects are immutable).

    Stored parsed, the generator and readers need not parse Content-Type again on every look,
    nor fold it again on every write.
    """
    return FoldedOnce(POLICY.header_factory(name, value))


_STAND_IN = "0" * 32  # as long as uuid4().hex


def _boundary_header(subtype: str, token: str) -> _WithBoundary:
    """The Content-Type of a multipart/``subtype`` with boundary ``==balie-{token}``."""
    value = _content_type(f"multipart/{subtype}", (("boundary", f"==balie-{_STAND_IN}"),))
    return _WithBoundary(_parsed("Content-Type", value), _STAND_IN, token)


def _leaf(part: Part) -> MIMEPart:
    """One leaf part with its headers and encoded body."""
    leaf = MIMEPart(policy=POLICY)
    leaf.set_raw(
        "Content-Type", _parsed("Content-Type", _content_type(part.content_type, part.params))
    )
    if part.filename:
        leaf.set_raw("Content-Transfer-Encoding", "base64")
        leaf.set_raw("Content-Disposition", f'attachment; filename="{part.filename}"')
        leaf.set_payload(base64.encodebytes(part.data).decode("ascii"))
    else:
        encoding, body = _text_body(part.text)
        leaf.set_raw("Content-Transfer-Encoding", encoding)
        leaf.set_payload(body)
    return leaf


def _multipart(entity: MIMEPart, subtype: str, children: list[MIMEPart]) -> MIMEPart:
    """Make ``entity`` a multipart/``subtype`` holding ``children``."""
    # A random boundary; base64 and quoted-printable bodies cannot hold "==" followed by hex.
    entity.set_raw("Content-Type", _boundary_header(subtype, uuid.uuid4().hex))
    for child in children:
        entity.attach(child)
    return entity


def assemble(
    headers: list[tuple[str, str]],
    alternatives: list[Part],
    attachments: tuple[Part, ...] = (),
    trailing: tuple[tuple[str, str], ...] = (),
) -> EmailMessage:
    """An e-mail with ``alternatives`` (text first, then HTML) and optional attachments."""
    mail = EmailMessage(policy=POLICY)
    for name, value in headers:
        set_header(mail, name, value)
    mail.set_raw("MIME-Version", "1.0")
    leaves = [_leaf(part) for part in alternatives]
    if attachments:
        alternative = _multipart(MIMEPart(policy=POLICY), "alternative", leaves)
        _multipart(mail, "mixed", [alternative, *(_leaf(part) for part in attachments)])
    else:
        _multipart(mail, "alternative", leaves)
    for name, value in trailing:
        set_header(mail, name, value)
    return mail
