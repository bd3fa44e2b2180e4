"""What a document is, judged by its bytes (magic numbers), never by its name."""

from __future__ import annotations

import re
import unicodedata

# Content type -> (leading bytes, file extension). A small allowlist: what citizens scan or
# photograph (PDF, PNG, JPEG).
ALLOWED: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
}
NAME_MAX = 80
UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def sniff(data: bytes) -> str | None:
    """The allowed content type whose magic bytes ``data`` starts with, or None."""
    for content_type, (magic, _extension) in ALLOWED.items():
        if data.startswith(magic):
            return content_type
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A plain ASCII file name with the extension of the real type (for Content-Disposition)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = UNSAFE.sub("-", stem).strip(" .-")[:NAME_MAX] or "document"
    return f"{stem}.{ALLOWED[content_type][1]}"
