"""OpenID Connect relying party, provider-neutral (FAS, ACM/IDM, itsme): authlib + joserfc.

Discovery and the provider's JWKS are cached per process. A token signed with a key id the
cache does not know makes one new JWKS fetch (the provider rotated its keys), at most once per
``JWKS_REFETCH_SECONDS``, so forged key ids cannot make us hammer the provider. ID tokens are
checked here and never stored or logged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from balie.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DISCOVERY_TTL_SECONDS = 3600.0
JWKS_REFETCH_SECONDS = 60.0
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "PS256", "ES256"]
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class IdentityRefused(Exception):
    """Sign-in refused for ``reason`` (a key of balie/texts/identity.py)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints of the provider (from its discovery document)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


@dataclass(frozen=True)
class TokenAnswer:
    """What the token endpoint gave: the ID token and the access token (memory only)."""

    id_token: str
    access_token: str


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and the secrets to keep on the server."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class ProviderClient:
    """One identity provider: cached discovery and keys, the authorization request, the code
    exchange and the ID token checks."""

    def __init__(
        self,
        discovery_url: str,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.discovery_url = discovery_url
        self.http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self.clock = clock
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = -JWKS_REFETCH_SECONDS - 1.0

    def _get_json(self, url: str) -> dict:
        """GET a JSON document from the provider; IdentityRefused("identity_unavailable")."""
        try:
            response = self.http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as problem:
            log.warning("identity provider not reachable: %s", type(problem).__name__)
            raise IdentityRefused("identity_unavailable", type(problem).__name__) from problem
        if not isinstance(body, dict):
            raise IdentityRefused("identity_unavailable", "not a JSON object")
        return body

    def metadata(self) -> ProviderMetadata:
        """The provider's endpoints, fetched once an hour."""
        with self._lock:
            fresh = self.clock() - self._metadata_at < DISCOVERY_TTL_SECONDS
            if self._metadata is not None and fresh:
                return self._metadata
        body = self._get_json(self.discovery_url)
        try:
            metadata = ProviderMetadata(
                issuer=str(body["issuer"]),
                authorization_endpoint=str(body["authorization_endpoint"]),
                token_endpoint=str(body["token_endpoint"]),
                jwks_uri=str(body["jwks_uri"]),
                userinfo_endpoint=str(body.get("userinfo_endpoint") or ""),
            )
        except KeyError as problem:
            raise IdentityRefused("identity_unavailable", f"discovery lacks {problem}") from None
        with self._lock:
            self._metadata, self._metadata_at = metadata, self.clock()
        return metadata

    def _fetch_keys(self) -> KeySet:
        """Fetch the provider's JWKS now."""
        body = self._get_json(self.metadata().jwks_uri)
        try:
            keys = KeySet.import_key_set(body)
        except (JoseError, ValueError, TypeError, KeyError) as problem:
            raise IdentityRefused("identity_unavailable", "unreadable JWKS") from problem
        with self._lock:
            self._keys, self._keys_at = keys, self.clock()
        return keys

    def keys_for(self, kid: str | None) -> KeySet:
        """The provider's keys, refetched once (rate-limited) when ``kid`` is not among them."""
        with self._lock:
            keys, age = self._keys, self.clock() - self._keys_at
        if keys is not None and (kid is None or _has_kid(keys, kid)):
            return keys
        if keys is not None and age < JWKS_REFETCH_SECONDS:
            raise IdentityRefused("identity_failed", "unknown signing key")
        keys = self._fetch_keys()
        if kid is not None and not _has_kid(keys, kid):
            raise IdentityRefused("identity_failed", "unknown signing key")
        return keys

    def authorization_request(
        self, settings: Settings, redirect_uri: str, acr_values: list[str], language: str
    ) -> AuthorizationRequest:
        """A fresh authorization request: state, nonce and PKCE (S256)."""
        metadata = self.metadata()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        extra: dict[str, str] = {
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        if acr_values:
            extra["acr_values"] = acr_values[0]
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            client_id=settings.identity_client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=settings.identity_scopes,
            state=state,
            **extra,
        )
        return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)

    def redeem(
        self, settings: Settings, code: str, verifier: str, redirect_uri: str
    ) -> TokenAnswer:
        """Exchange the code at the token endpoint; the tokens (kept only in memory)."""
        metadata = self.metadata()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        auth: tuple[str, str] | None = None
        if settings.identity_client_auth == "client_secret_basic":
            auth = (settings.identity_client_id, settings.identity_client_secret.get_secret_value())
        else:
            data["client_id"] = settings.identity_client_id
            data["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            data["client_assertion"] = _client_assertion(settings, metadata.token_endpoint)
        try:
            response = self.http.post(metadata.token_endpoint, data=data, auth=auth)
        except httpx.HTTPError as problem:
            log.warning("token endpoint not reachable: %s", type(problem).__name__)
            raise IdentityRefused("identity_unavailable", type(problem).__name__) from problem
        if response.status_code >= 500:
            raise IdentityRefused("identity_unavailable", f"token endpoint {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body.get("id_token"), str):
            error = body.get("error", "") if isinstance(body, dict) else ""
            log.warning("token endpoint refused the code: %s %s", response.status_code, error)
            raise IdentityRefused("identity_failed", f"token endpoint: {error}")
        access = body.get("access_token")
        return TokenAnswer(body["id_token"], access if isinstance(access, str) else "")

    def userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        """The userinfo claims (JSON, or a signed JWT as FAS sends), for the same ``sub``."""
        endpoint = self.metadata().userinfo_endpoint
        if not endpoint or not access_token:
            return {}
        try:
            response = self.http.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        except httpx.HTTPError as problem:
            log.warning("userinfo endpoint not reachable: %s", type(problem).__name__)
            raise IdentityRefused("identity_unavailable", type(problem).__name__) from problem
        if response.headers.get("content-type", "").startswith("application/jwt"):
            claims = self._signed_claims(response.text.strip())
        else:
            try:
                claims = response.json()
            except ValueError as problem:
                raise IdentityRefused("identity_failed", "unreadable userinfo") from problem
        if not isinstance(claims, dict) or claims.get("sub") != subject:
            raise IdentityRefused("identity_failed", "userinfo for another subject")
        return claims

    def _signed_claims(self, token: str) -> dict[str, Any]:
        """The claims of a JWT signed by the provider (signature checked)."""
        try:
            header = jws.extract_compact(token.encode()).protected
            keys = self.keys_for(header.get("kid") if isinstance(header.get("kid"), str) else None)
            return dict(jwt.decode(token, keys, algorithms=ALGORITHMS).claims)
        except (JoseError, ValueError) as problem:
            raise IdentityRefused("identity_failed", "bad userinfo signature") from problem

    def verify_id_token(self, id_token: str, client_id: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims after checking signature, iss, aud, azp, exp, iat and nonce."""
        try:
            header = jws.extract_compact(id_token.encode()).protected
        except (JoseError, ValueError) as problem:
            raise IdentityRefused("identity_failed", "not a signed token") from problem
        if header.get("alg") not in ALGORITHMS:
            raise IdentityRefused("identity_failed", "signature algorithm not accepted")
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        keys = self.keys_for(kid)
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as problem:
            raise IdentityRefused("identity_failed", "bad signature") from problem
        claims = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.metadata().issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as problem:
            raise IdentityRefused("identity_failed", f"claim check: {problem.error}") from problem
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if client_id not in audiences:
            raise IdentityRefused("identity_failed", "wrong audience")
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise IdentityRefused("identity_failed", "wrong authorised party")
        return claims


def _has_kid(keys: KeySet, kid: str) -> bool:
    """Whether the key set holds a key with this id."""
    return any(key.kid == kid for key in keys.keys)


def _client_assertion(settings: Settings, token_endpoint: str) -> str:
    """A private_key_jwt client assertion signed with the city's key."""
    secret = settings.identity_private_key.get_secret_value().strip()
    private_key = RSAKey.import_key(json.loads(secret) if secret.startswith("{") else secret)
    header = {"kid": settings.identity_private_key_id} if settings.identity_private_key_id else None
    assertion = private_key_jwt_sign(
        private_key,
        settings.identity_client_id,
        token_endpoint,
        alg="RS256",
        header=header,
    )
    return assertion.decode() if isinstance(assertion, bytes) else assertion


_clients: dict[str, ProviderClient] = {}
_clients_lock = threading.Lock()


def client_for(settings: Settings) -> ProviderClient:
    """The process's client of the configured provider."""
    if not settings.identification_configured:
        raise IdentityRefused("identity_off")
    with _clients_lock:
        client = _clients.get(settings.identity_discovery_url)
        if client is None:
            client = ProviderClient(settings.identity_discovery_url)
            _clients[settings.identity_discovery_url] = client
    return client


def forget_clients() -> None:
    """Drop the cached provider clients (tests; after a configuration change)."""
    with _clients_lock:
        _clients.clear()
