"""The type of a document comes from its first bytes; its download name is plain and safe."""

from __future__ import annotations

import pytest

from balie.services.documents.content import safe_filename, sniff
from balie.services.documents.scanner import ScannerUnavailable, parse_reply
from tests.samples import PROGRAM, ZIP_ARCHIVE, pdf_document, png_image


def test_the_type_comes_from_the_bytes() -> None:
    assert sniff(pdf_document()) == "application/pdf"
    assert sniff(png_image()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    for other in (PROGRAM, ZIP_ARCHIVE, b"", b"PDF-1.4", b" %PDF-1.4"):
        assert sniff(other) is None


@pytest.mark.parametrize(
    ("name", "content_type", "safe"),
    [
        ("Attest gezinssamenstelling.pdf", "application/pdf", "Attest gezinssamenstelling.pdf"),
        ("C:\\Users\\an\\Loonfiche mei.PDF", "application/pdf", "Loonfiche mei.pdf"),
        ('élève"; filename=x.exe', "image/png", "eleve- filename-x.png"),  # no quote survives
        ("../../", "image/jpeg", "document.jpg"),
        ("foto.heic.jpg", "image/png", "foto.heic.png"),
    ],
)
def test_download_names_are_plain_ascii_with_the_real_extension(
    name: str, content_type: str, safe: str
) -> None:
    assert safe_filename(name, content_type) == safe


def test_clamav_answers_are_read_strictly() -> None:
    assert parse_reply("stream: OK\0").clean
    found = parse_reply("stream: Test.EICAR.UNOFFICIAL FOUND\0")
    assert (found.clean, found.signature) == (False, "Test.EICAR.UNOFFICIAL")
    for odd in ("", "stream: INSTREAM size limit exceeded. ERROR", "garbage"):
        with pytest.raises(ScannerUnavailable):
            parse_reply(odd)


def test_sizes_read_as_people_write_them() -> None:
    from balie.services.documents import size_label

    assert size_label(820_400) == "820 kB"
    assert size_label(2_430_000) == "2.4 MB"
    assert size_label(10 * 1024 * 1024) == "10 MB"  # the default limit, 10.49 MB
    assert size_label(100 * 1024 * 1024) == "104 MB"
