"""The production set-up of deploy/, started for real on loopback: PostgreSQL, Redis, N backend-only
app instances and nginx (with deploy/nginx/balie.conf) in front of the exported frontend.

Used by the deploy tests and by ``python -m tests.deploy.measure`` (throughput figures).
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx" / "balie.conf"
BUILD = PROJECT_ROOT / ".web" / "build" / "client"
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get(
    "BALIE_DEPLOY_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_DB = int(os.environ.get("BALIE_DEPLOY_REDIS_DB", "13"))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
PROXY_PORT = int(os.environ.get("BALIE_DEPLOY_PORT", "8780"))
LEASE_SECONDS = 8  # BALIE_JOB_LEASE_SECONDS: short, so the take-over fits in the test
# The test's own self-signed certificate on loopback: its clients do not check it.
LOOPBACK_TLS = ssl._create_unverified_context()
SECRET = "deploy-test-secret-0123456789abcdef0123456789abcdef"


def admin_sql(statement: str) -> None:
    """Run one statement on the PostgreSQL server (autocommit)."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the admin URL's server."""
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def create_database(name: str) -> str:
    """A new, empty database; returns its URL."""
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    """Remove a throwaway database."""
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str], **options) -> subprocess.CompletedProcess:
    """Run a command in the project folder; fail with its output when it fails."""
    done = subprocess.run(
        args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, **options
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def migrate_concurrently(env: dict[str, str], runs: int = 2) -> None:
    """``alembic upgrade head`` from several processes at once (the advisory lock orders them)."""
    alembic = [str(BIN / "alembic"), "upgrade", "head"]
    processes = [
        subprocess.Popen(
            alembic,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(runs)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"concurrent migration failed:\n{output}")


def load_demo(env: dict[str, str], history: bool = False) -> None:
    """The demo catalogue, staff and hours (and the demo history when asked)."""
    code = (
        "from balie.db import session_scope\n"
        "from balie.services.demo_data import load_demo_data, load_demo_history\n"
        "with session_scope() as s:\n"
        "    load_demo_data(s)\n"
        f"    {'load_demo_history(s)' if history else 'pass'}\n"
    )
    run([sys.executable, "-c", code], env)


def export_frontend(api_url: str, env: dict[str, str]) -> None:
    """``reflex export --frontend-only`` with the proxy's address as REFLEX_API_URL.

    BALIE_DEPLOY_REUSE_EXPORT=1 skips it when the last export was made for the same address.
    """
    stamp = BUILD / ".balie-api-url"
    reuse = os.environ.get("BALIE_DEPLOY_REUSE_EXPORT") == "1"
    if reuse and stamp.exists() and stamp.read_text() == api_url:
        return
    run(
        [str(BIN / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"],
        {**env, "REFLEX_API_URL": api_url},
        timeout=900,
    )
    stamp.write_text(api_url)


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (TLS ends at nginx, as in production) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "tls-cert.pem", workdir / "tls-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def render_nginx(workdir: Path, listen: int, ports: list[int]) -> Path:
    """deploy/nginx/balie.conf inside a minimal nginx.conf with its own pid, logs and temp dirs."""
    site = NGINX_CONF.read_text()
    cert, key = self_signed_certificate(workdir)
    replacements = {
        "    listen 443 ssl;": f"    listen 127.0.0.1:{listen} ssl;",
        "    ssl_certificate /etc/ssl/balie/fullchain.pem;": f"    ssl_certificate {cert};",
        "    ssl_certificate_key /etc/ssl/balie/privkey.pem;": f"    ssl_certificate_key {key};",
        "    root /srv/balie/.web/build/client;": f"    root {BUILD};",
    }
    for old, new in replacements.items():
        if old not in site:
            raise AssertionError(f"deploy/nginx/balie.conf no longer has {old!r}")
        site = site.replace(old, new)
    upstream = [line for line in site.splitlines() if line.strip().startswith("server 127.0.0.1:")]
    if len(upstream) != 2 or not ports:
        raise AssertionError("deploy/nginx/balie.conf should list two upstream servers")
    servers = "\n".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in ports
    )
    site = site.replace("\n".join(upstream), servers)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "temp" / name).mkdir(parents=True, exist_ok=True)
    temp = workdir / "temp"
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""daemon off;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir / "nginx-access.log"};
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
{site}
}}
"""
    )
    return conf


def get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict, bytes]:
    """Status, headers and body of a GET (errors included)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=LOOPBACK_TLS) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until(check, timeout: float, what: str, interval: float = 0.25):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (OSError, urllib.error.URLError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Stack:
    """A running set-up: the processes, their logs and addresses."""

    workdir: Path
    env: dict[str, str]
    ports: list[int]
    proxy_port: int = PROXY_PORT
    instances: dict[int, subprocess.Popen] = field(default_factory=dict)
    nginx: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        """Where citizens (and the tests) reach the site: through nginx."""
        return f"https://127.0.0.1:{self.proxy_port}"

    def instance_url(self, port: int) -> str:
        """One instance, directly."""
        return f"http://127.0.0.1:{port}"

    def start_instance(self, port: int) -> None:
        """``reflex run --env prod --backend-only`` on ``port``, as balie@.service does."""
        metrics_dir = self.workdir / f"metrics-{port}"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        # Every `reflex run` empties .states at start; two starting at once race on leftover
        # files (from `make test`'s disk state), so the folder is emptied first.
        for leftover in (PROJECT_ROOT / ".states").glob("*"):
            leftover.unlink(missing_ok=True)
        log = (self.workdir / f"instance-{port}.log").open("ab")
        env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.instances[port] = subprocess.Popen(
            [
                str(BIN / "reflex"),
                "run",
                "--env",
                "prod",
                "--backend-only",
                "--backend-host",
                "127.0.0.1",
                "--backend-port",
                str(port),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, port: int, timeout: float = 120) -> None:
        """Until the instance answers /api/readyz with 200."""
        url = self.instance_url(port) + "/api/readyz"

        def ready() -> bool:
            process = self.instances[port]
            if process.poll() is not None:
                raise AssertionError(f"instance {port} exited; see {self.workdir}")
            return get(url)[0] == 200

        wait_until(ready, timeout, f"instance {port} to be ready")

    def start_nginx(self, upstream_ports: list[int] | None = None) -> None:
        """nginx with the rendered configuration, in the foreground of its own process group."""
        conf = render_nginx(self.workdir, self.proxy_port, upstream_ports or self.ports)
        run(["nginx", "-t", "-c", str(conf), "-p", str(self.workdir)], self.env)
        self.nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(lambda: get(self.base_url + "/api/healthz")[0] == 200, 30, "nginx")

    def kill_instance(self, port: int, sig: int = signal.SIGKILL) -> None:
        """Stop an instance and every process it started (its process group)."""
        process = self.instances[port]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        """Stop nginx and every instance."""
        for port in list(self.instances):
            if self.instances[port].poll() is None:
                self.kill_instance(port, signal.SIGTERM)
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGQUIT)
            self.nginx.wait(timeout=30)


def instance_env(
    db_url: str, outbox: Path, proxy_port: int, extra: dict[str, str]
) -> dict[str, str]:
    """The environment of every instance (what /etc/balie/balie.env holds in production)."""
    public = f"https://127.0.0.1:{proxy_port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("BALIE_")}
    env.update(
        {
            "PATH": f"{BIN}:{env.get('PATH', '')}",
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "BALIE_ENV": "production",
            "BALIE_SECRET_KEY": SECRET,
            "BALIE_DOCUMENTS_KEY": base64.b64encode(bytes(range(32))).decode(),
            "BALIE_DATABASE_URL": db_url,
            "BALIE_REDIS_URL": REDIS_URL,
            "BALIE_PUBLIC_BASE_URL": public,
            "REFLEX_API_URL": public,
            "BALIE_TRUSTED_PROXIES": json.dumps(["127.0.0.1"]),
            "BALIE_OUTBOX_DIR": str(outbox),
            "BALIE_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "BALIE_LOG_FORMAT": "json",
            "GRANIAN_WORKERS": "1",  # one process per instance: the 2-core CI machine
            # The episode sends a dozen API bookings from one address (127.0.0.1) without
            # solving puzzles: this test is about failover; the limits and the proof-of-work
            # have their own tests (tests/services/abuse, tests/e2e/test_abuse.py).
            "BALIE_PROOF_OF_WORK": "false",
            "BALIE_BOOKINGS_PER_ADDRESS_PER_HOUR": "1000",
            "BALIE_BOOKINGS_PER_EMAIL_PER_HOUR": "1000",
            "BALIE_ACTIVE_BOOKINGS_PER_SERVICE": "1000",
            "BALIE_ACTIVE_BOOKINGS_TOTAL": "1000",
            **extra,
        }
    )
    return env


def flush_redis() -> None:
    """Empty this test's Redis database (state of an earlier run)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
