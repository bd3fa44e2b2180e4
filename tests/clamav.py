"""A real ClamAV for the tests: clamd on loopback with a signature file the tests write.

The signature database cannot be downloaded here (no freshclam), so the tests give the real
engine a hash signature of the EICAR test string (`md5:size:Name` in a .hdb file, reported as
`Test.EICAR.UNOFFICIAL`). When clamd cannot start, the clamscan program with the same file is
used instead; never a fake.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# The EICAR anti-virus test file (harmless by design), built in two parts so that this source
# file itself does not match a scanner's EICAR signature.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Test.EICAR"
REPORTED_AS = "Test.EICAR.UNOFFICIAL"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


@dataclass(frozen=True)
class ClamAV:
    """How the app reaches the test engine (as BALIE_ settings)."""

    clamd_address: str
    database: str

    def env(self) -> dict[str, str]:
        """The settings for the app."""
        return {
            "BALIE_CLAMD_ADDRESS": self.clamd_address,
            "BALIE_CLAMSCAN_FALLBACK": "true",
            "BALIE_CLAMSCAN_DATABASE": self.database,
        }


def write_database(folder: Path) -> Path:
    """A signature database with one hash signature: the EICAR string."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "test.hdb"
    database.write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n")
    return database


def _free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    """Whether clamd answers PING on ``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def running_clamav() -> Iterator[ClamAV]:
    """clamd on a free loopback port with the test signatures (clamscan if clamd fails)."""
    with tempfile.TemporaryDirectory(prefix="balie-clamav-") as folder:
        root = Path(folder)
        database = write_database(root / "db")
        port = _free_port()
        config = root / "clamd.conf"
        config.write_text(
            f"DatabaseDirectory {database.parent}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n"
            f"Foreground yes\nLogFile {root / 'clamd.log'}\nPidFile {root / 'clamd.pid'}\n"
            "StreamMaxLength 120M\n"
        )
        process = None
        if Path(CLAMD).exists():
            process = subprocess.Popen(
                [CLAMD, "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None and not _answers(port):
                time.sleep(0.2)
        started = process is not None and process.poll() is None and _answers(port)
        # Without clamd the address points at a closed port: the app falls back to clamscan.
        try:
            yield ClamAV(clamd_address=f"tcp://127.0.0.1:{port}", database=str(database))
        finally:
            if process is not None and started:
                process.terminate()
                process.wait(timeout=30)
            elif process is not None and process.poll() is None:
                process.kill()
