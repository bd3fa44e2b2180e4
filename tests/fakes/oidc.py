"""The real OpenID provider (npm ``oidc-provider``) on loopback, and a tiny JWKS for forged tokens.

``running_provider`` writes tests/fakes/oidc_provider.mjs's config (the city's public key, the
provider's signing keys, the test citizen), starts Node and waits until it listens.
``rotate_keys`` restarts it signing with a new key (the old one still published), like a
provider rotating its keys.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "oidc_provider.mjs"
NODE_MODULES = HERE.parent / "e2e" / "node_modules" / "oidc-provider"
CLIENT_ID = "digitale-balie"
ACR_SUBSTANTIAL = "urn:be:fedict:iam:fas:citizen:Level400"
ACR_HIGH = "urn:be:fedict:iam:fas:Level500"
ACR_LOW = "urn:be:fedict:iam:fas:citizen:Level100"
NATIONAL_NUMBER = "85073003328"
CITIZEN = {
    "name": "Jan Peeters",
    "given_name": "Jan",
    "family_name": "Peeters",
    "birthdate": "1985-07-30",
    "email": "jan.peeters@example.org",
    "egovNRN": NATIONAL_NUMBER,
}
# Another person with the same name (never the same national register number).
NAMESAKE = {**CITIZEN, "birthdate": "1990-02-14", "egovNRN": "90021400161"}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_key(kid: str) -> RSAKey:
    """A fresh RSA key with this key id."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class Provider:
    """A running oidc-provider and what the app needs to talk to it."""

    port: int
    redirect_uris: list[str]
    workdir: Path
    client_key: RSAKey = field(default_factory=lambda: new_key("city-1"))
    signing_keys: list[RSAKey] = field(default_factory=lambda: [new_key("idp-1")])
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        """The provider's issuer identifier."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        """Its discovery document."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def env(self) -> dict[str, str]:
        """The app's settings for this provider (private_key_jwt, FAS-like claims and levels)."""
        return {
            "BALIE_IDENTITY_DISCOVERY_URL": self.discovery_url,
            "BALIE_IDENTITY_CLIENT_ID": CLIENT_ID,
            "BALIE_IDENTITY_CLIENT_AUTH": "private_key_jwt",
            "BALIE_IDENTITY_PRIVATE_KEY": self.client_key.as_pem(private=True).decode(),
            "BALIE_IDENTITY_PRIVATE_KEY_ID": self.client_key.kid or "",
            "BALIE_IDENTITY_SCOPES": "openid profile email egovnrn",
            "BALIE_IDENTITY_ACR_SUBSTANTIAL": json.dumps([ACR_SUBSTANTIAL]),
            "BALIE_IDENTITY_ACR_HIGH": json.dumps([ACR_HIGH]),
            "BALIE_IDENTITY_CLAIM_NATIONAL_NUMBER": "egovNRN",
            "BALIE_IDENTITY_PROVIDER_NAME": "itsme",
            "BALIE_IDENTITY_HASH_KEY": "test-identity-hash-key-0123456789abcdef",
        }

    def _config(self) -> dict[str, Any]:
        """The JSON the provider script reads."""
        return {
            "issuer": self.issuer,
            "port": self.port,
            "client": {
                "client_id": CLIENT_ID,
                "jwks": [self.client_key.as_dict(private=False)],
                "redirect_uris": self.redirect_uris,
            },
            "signing_keys": [key.as_dict(private=True) for key in self.signing_keys],
            "acr_values": [ACR_LOW, ACR_SUBSTANTIAL, ACR_HIGH],
            "accounts": {
                "jan": CITIZEN,
                "naamgenoot": NAMESAKE,
                "zonder-naam": {"birthdate": "1990-01-01"},
            },
        }

    def start(self) -> None:
        """Start Node with the current keys and wait until it answers."""
        config = self.workdir / "oidc-config.json"
        config.write_text(json.dumps(self._config()))
        env = {**os.environ, "NODE_ENV": "test"}
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
            start_new_session=True,  # `node` may be a wrapper: stop its whole group
        )
        seen = []
        while self.process.stdout is not None:
            line = self.process.stdout.readline()
            if not line or line.startswith("ready"):
                break
            seen.append(line)  # the provider's warning about its in-memory store
        if not line.startswith("ready"):
            self.process.wait(timeout=10)
            raise RuntimeError(f"oidc-provider did not start: {''.join(seen)}")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """Read the provider's output so its pipe never fills."""
        if self.process and self.process.stdout:
            for _line in self.process.stdout:
                pass

    def stop(self) -> None:
        """Stop the provider process (the one this fixture started)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None

    def rotate_keys(self) -> RSAKey:
        """Restart signing with a new key; the old key stays published."""
        self.stop()
        fresh = new_key(f"idp-{len(self.signing_keys) + 1}")
        self.signing_keys = [fresh, *self.signing_keys]
        self.start()
        return fresh


@contextmanager
def running_provider(redirect_uris: list[str], workdir: Path) -> Iterator[Provider]:
    """A started provider, stopped afterwards."""
    if not NODE_MODULES.exists():
        raise RuntimeError("run `make e2e-tools` first: oidc-provider is not installed")
    provider = Provider(port=free_port(), redirect_uris=redirect_uris, workdir=workdir)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


class _JwksHandler(BaseHTTPRequestHandler):
    """Serves the discovery document, the JWKS and a token endpoint with a prepared answer."""

    server: TinyProviderServer

    def log_message(self, *_args: Any) -> None:
        """Quiet."""

    def _json(self, body: Any, status: int = 200) -> None:
        """Answer with JSON."""
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """Discovery and JWKS."""
        fake = self.server.fake
        if self.path.endswith("/.well-known/openid-configuration"):
            self._json(fake.discovery())
        elif self.path == "/userinfo" and fake.userinfo is not None:
            self._json(fake.userinfo)
        elif self.path == "/jwks":
            fake.jwks_fetches += 1
            self._json({"keys": [key.as_dict(private=False) for key in fake.published]})
        else:
            self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        """The token endpoint: answers with the prepared ID token."""
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self._json(
            {"access_token": "x", "token_type": "Bearer", "id_token": self.server.fake.id_token}
        )


class TinyProviderServer(ThreadingHTTPServer):
    """The HTTP server of a TinyProvider."""

    fake: TinyProvider


@dataclass
class TinyProvider:
    """A hand-made provider for the refusal cases: we sign whatever token a test needs."""

    port: int
    key: RSAKey = field(default_factory=lambda: new_key("tiny-1"))
    published: list[RSAKey] = field(default_factory=list)
    id_token: str = ""
    jwks_fetches: int = 0
    userinfo: dict[str, Any] | None = None  # served (and announced) when set

    @property
    def issuer(self) -> str:
        """Its issuer identifier."""
        return f"http://127.0.0.1:{self.port}"

    def discovery(self) -> dict[str, str]:
        """Its discovery document."""
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }
        if self.userinfo is not None:
            document["userinfo_endpoint"] = f"{self.issuer}/userinfo"
        return document

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        """An ID token with these claims, signed with ``key`` (default: the published key)."""
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        """Good claims for ``nonce``; ``changes`` overrides (None removes a claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "citizen-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "acr": ACR_HIGH,
            **CITIZEN,
        }
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims


@contextmanager
def running_tiny_provider() -> Iterator[TinyProvider]:
    """A TinyProvider on loopback."""
    server = TinyProviderServer(("127.0.0.1", 0), _JwksHandler)
    fake = TinyProvider(port=server.server_address[1])
    fake.published = [fake.key]
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
