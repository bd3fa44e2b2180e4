"""Virus scans with ClamAV: clamd's INSTREAM command over a socket, or the clamscan program."""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """No virus scanner answered (clamd down, clamscan missing, a time-out)."""


@dataclass(frozen=True)
class ScanResult:
    """The verdict: clean, or the name of the signature that matched."""

    clean: bool
    signature: str = ""


class Scanner(Protocol):
    """Anything that scans bytes for viruses."""

    def scan(self, data: bytes) -> ScanResult:
        """The verdict on ``data``; ScannerUnavailable when it cannot tell."""
        ...


def parse_reply(reply: str) -> ScanResult:
    """clamd's or clamscan's line: ``stream: OK`` or ``stream: Name FOUND``."""
    reply = reply.strip().rstrip("\0").strip()
    verdict = reply.split(": ", 1)[-1]
    if verdict == "OK":
        return ScanResult(clean=True)
    if verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"unexpected answer from ClamAV: {reply[:200]}")


@dataclass(frozen=True)
class ClamdScanner:
    """clamd, reached at ``unix:///path`` or ``tcp://host:port`` (the INSTREAM command)."""

    address: str
    timeout: float = 30.0

    def _connect(self) -> socket.socket:
        """A connected socket to clamd."""
        parts = urlsplit(self.address)
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(parts.path)
            return sock
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            return socket.create_connection((parts.hostname, parts.port), timeout=self.timeout)
        raise ScannerUnavailable(f"BALIE_CLAMD_ADDRESS is not unix:// or tcp://: {self.address}")

    def scan(self, data: bytes) -> ScanResult:
        """Stream ``data`` to clamd in chunks and read its verdict."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK):
                    chunk = data[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as error:
            raise ScannerUnavailable(f"clamd did not answer: {error}") from error
        if b"size limit exceeded" in reply.lower():
            raise ScannerUnavailable("clamd refused the stream: StreamMaxLength is too small")
        return parse_reply(reply.decode("utf-8", "replace"))


@dataclass(frozen=True)
class ClamscanScanner:
    """The clamscan program (slow: it loads the signatures for every file), as a fallback."""

    program: str = "clamscan"
    database: str = ""
    timeout: float = 120.0

    def scan(self, data: bytes) -> ScanResult:
        """Write ``data`` to a private temporary file and let clamscan judge it."""
        program = shutil.which(self.program)
        if program is None:
            raise ScannerUnavailable("clamscan is not installed")
        with tempfile.TemporaryDirectory(prefix="balie-scan-") as folder:
            path = Path(folder) / "upload"
            path.write_bytes(data)
            command = [program, "--no-summary", "--stdout"]
            if self.database:
                command.append(f"--database={self.database}")
            try:
                done = subprocess.run(
                    [*command, str(path)],
                    capture_output=True,
                    text=True,
                    timeout=self.timeout,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                raise ScannerUnavailable(f"clamscan failed: {error}") from error
        # Exit codes: 0 clean, 1 virus found, 2 an error.
        if done.returncode not in (0, 1):
            raise ScannerUnavailable(f"clamscan error: {done.stderr.strip()[:200]}")
        return parse_reply(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")


@dataclass(frozen=True)
class FallbackScanner:
    """clamd first; when it is down, the clamscan program."""

    first: Scanner
    second: Scanner

    def scan(self, data: bytes) -> ScanResult:
        """The first scanner's verdict, or the second's when the first is unavailable."""
        try:
            return self.first.scan(data)
        except ScannerUnavailable:
            return self.second.scan(data)


def scanner_from_settings(settings: object) -> Scanner:
    """The scanner the settings describe (clamd, with clamscan behind it when allowed)."""
    clamd = ClamdScanner(settings.clamd_address, settings.clamd_timeout_seconds)
    if not settings.clamscan_fallback:
        return clamd
    return FallbackScanner(clamd, ClamscanScanner(database=settings.clamscan_database))
