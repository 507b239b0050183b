"""OpenID Connect login for staff (authorization code flow, PKCE S256), built on Authlib.

Framework-free: a route stores :func:`start_login`'s result server-side and redirects to its
``url``; the callback route passes it back to :func:`finish_login` with the full callback URL and
gets an :class:`OidcIdentity` whose ``grants`` the provider's groups (or any claim) map to by
``KORPS_OIDC_ROLE_MAP``. Failures raise :class:`OidcError` (Dutch for the user; log in English).
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import yaml
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from korps.common.i18n import _
from korps.config import Settings

log = logging.getLogger(__name__)

RoleMap = Mapping[str, Sequence[tuple[str, str]]]
DISCOVERY_TTL_SECONDS = 3600.0
LOGIN_MAX_AGE_SECONDS = 600.0  # a login started longer ago than this is refused
CLOCK_LEEWAY_SECONDS = 60
_ASYMMETRIC = ("RS", "PS", "ES", "EdDSA", "Ed25519")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class OidcError(Exception):
    """A login through the identity provider failed; ``str(error)`` is Dutch, for the user."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    scopes: str = "openid profile email"
    role_claim: str = "groups"
    role_map: RoleMap = field(default_factory=dict)
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class LoginStart:
    """What the callback needs; keep it server-side (it holds the PKCE code verifier)."""

    url: str
    state: str
    nonce: str
    code_verifier: str
    started_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class OidcIdentity:
    subject: str
    email: str | None
    name: str | None
    grants: tuple[tuple[str, str], ...]
    issuer: str  # with subject, the stable key of the person at this provider
    email_verified: bool


@dataclass(frozen=True)
class _Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    token_auth_methods: tuple[str, ...]


_lock = threading.Lock()
_discovery: dict[str, tuple[float, _Metadata]] = {}
_jwks: dict[str, KeySet] = {}


def clear_caches() -> None:
    """Forget discovered providers and their keys (tests; key rotation is handled anyway)."""
    with _lock:
        _discovery.clear()
        _jwks.clear()


def _request_json(
    method: str, url: str, *, config: OidcConfig, what: str, **kwargs: Any
) -> dict[str, Any]:
    """One HTTP exchange with the provider; ``what`` (Dutch) names the step for the user."""
    try:
        response = httpx.request(method, url, timeout=config.timeout_seconds, **kwargs)
        body = response.json() if response.content else {}
    except httpx.HTTPError as error:
        log.warning("OIDC %s %s failed: %s", method, url, error)
        raise OidcError(
            _(
                "De identiteitsprovider ({issuer}) is niet bereikbaar; probeer het later opnieuw "
                "of meld u aan met uw wachtwoord.",
                issuer=config.issuer,
            )
        ) from error
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        reason = body.get("error") if isinstance(body, dict) else None
        log.warning("OIDC %s %s answered %s: %s", method, url, response.status_code, body)
        raise OidcError(
            _(
                "De identiteitsprovider gaf een fout bij {what} ({reason}).",
                what=what,
                reason=reason or response.status_code,
            )
        )
    return body


def _discover(config: OidcConfig) -> _Metadata:
    now = time.monotonic()
    with _lock:
        cached = _discovery.get(config.issuer)
    if cached and now - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    doc = _request_json("GET", url, config=config, what="het ophalen van de configuratie")
    if doc.get("issuer") != config.issuer:
        log.warning("OIDC issuer mismatch: %s discovered as %s", config.issuer, doc.get("issuer"))
        raise OidcError(
            _("De identiteitsprovider meldt een andere uitgever (issuer) dan ingesteld.")
        )
    try:
        metadata = _Metadata(
            issuer=config.issuer,
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            userinfo_endpoint=doc.get("userinfo_endpoint"),
            algorithms=tuple(
                alg
                for alg in doc.get("id_token_signing_alg_values_supported", ["RS256"])
                if isinstance(alg, str) and alg.startswith(_ASYMMETRIC)
            ),
            token_auth_methods=tuple(
                doc.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
            ),
        )
    except KeyError as error:
        raise OidcError(
            _("De configuratie van de identiteitsprovider mist {error}.", error=error)
        ) from error
    with _lock:
        _discovery[config.issuer] = (now, metadata)
    return metadata


def _key_set(config: OidcConfig, metadata: _Metadata, *, refresh: bool) -> KeySet:
    with _lock:
        cached = _jwks.get(metadata.jwks_uri)
    if cached is not None and not refresh:
        return cached
    doc = _request_json("GET", metadata.jwks_uri, config=config, what="het ophalen van de sleutels")
    try:
        keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as error:
        raise OidcError(_("De sleutels van de identiteitsprovider zijn ongeldig.")) from error
    with _lock:
        _jwks[metadata.jwks_uri] = keys
    return keys


def start_login(config: OidcConfig) -> LoginStart:
    """Discover the provider (cached) and build the authorization URL with PKCE S256."""
    metadata = _discover(config)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=config.client_id,
        response_type="code",
        redirect_uri=config.redirect_uri,
        scope=config.scopes,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    return LoginStart(url=str(url), state=state, nonce=nonce, code_verifier=verifier)


def _callback_code(config: OidcConfig, metadata: _Metadata, *, start: LoginStart, url: str) -> str:
    params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    if time.time() - start.started_at > LOGIN_MAX_AGE_SECONDS:
        raise OidcError(_("De aanmelding duurde te lang; begin opnieuw."))
    if not hmac.compare_digest(params.get("state", "").encode(), start.state.encode()):
        raise OidcError(_("De aanmelding hoort niet bij deze sessie (state); begin opnieuw."))
    if "iss" in params and params["iss"] != metadata.issuer:  # RFC 9207: mix-up protection
        raise OidcError(_("Het antwoord komt van een andere identiteitsprovider dan verwacht."))
    if "error" in params:
        log.info("OIDC login refused: %s %s", params["error"], params.get("error_description"))
        raise OidcError(
            _(
                "De identiteitsprovider weigerde de aanmelding ({error}).",
                error=params["error"][:40],
            )
        )
    code = params.get("code")
    if not code:
        raise OidcError(_("Het antwoord van de identiteitsprovider bevat geen code."))
    return code


def _exchange_code(
    config: OidcConfig, metadata: _Metadata, *, code: str, start: LoginStart
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": config.redirect_uri,
        "code_verifier": start.code_verifier,
    }
    headers = {"Accept": "application/json"}
    if "client_secret_basic" in metadata.token_auth_methods:
        # RFC 6749 2.3.1: form-encode both parts before Basic
        pair = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        data |= {"client_id": config.client_id, "client_secret": config.client_secret}
    tokens = _request_json(
        "POST",
        metadata.token_endpoint,
        config=config,
        what="het inwisselen van de aanmeldcode",
        data=data,
        headers=headers,
    )
    if not isinstance(tokens.get("id_token"), str):
        raise OidcError(_("De identiteitsprovider gaf geen ID-token; begin opnieuw."))
    return tokens


def validate_id_token(
    config: OidcConfig, *, id_token: str, nonce: str, access_token: str | None = None
) -> dict[str, Any]:
    """Verify the ID token's signature against the provider's JWKS (refetched once on an unknown
    key id) and its iss, aud, azp, exp, iat, nonce and at_hash; return its claims."""
    metadata = _discover(config)
    algorithms = list(metadata.algorithms) or ["RS256"]
    try:
        try:
            token = jwt.decode(id_token, _key_set(config, metadata, refresh=False), algorithms)
        except InvalidKeyIdError:
            token = jwt.decode(id_token, _key_set(config, metadata, refresh=True), algorithms)
        params = {"nonce": nonce, "client_id": config.client_id, "access_token": access_token}
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": metadata.issuer},
                "aud": {"essential": True, "value": config.client_id},
                "nonce": {"essential": True, "value": nonce},
            },
            params,
        )
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except (JoseError, ValueError, TypeError) as error:
        log.warning("OIDC ID token refused: %r", error)
        raise OidcError(_("Het ID-token van de provider is ongeldig; begin opnieuw.")) from error
    return dict(claims)


def _userinfo(
    config: OidcConfig, metadata: _Metadata, *, access_token: str, subject: str
) -> dict[str, Any]:
    if not metadata.userinfo_endpoint:
        return {}
    info = _request_json(
        "GET",
        metadata.userinfo_endpoint,
        config=config,
        what="het ophalen van de gebruikersgegevens",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if info.get("sub") != subject:  # OIDC Core 5.3.2: must match the ID token
        raise OidcError(_("De gebruikersgegevens horen niet bij het ID-token; begin opnieuw."))
    return info


def finish_login(config: OidcConfig, *, start: LoginStart, callback_url: str) -> OidcIdentity:
    """Check the callback against ``start``, exchange the code (with the PKCE verifier), validate
    the ID token, merge the userinfo claims and map them to korps grants."""
    metadata = _discover(config)
    code = _callback_code(config, metadata, start=start, url=callback_url)
    tokens = _exchange_code(config, metadata, code=code, start=start)
    access_token = tokens.get("access_token")
    claims = validate_id_token(
        config,
        id_token=str(tokens["id_token"]),
        nonce=start.nonce,
        access_token=access_token if isinstance(access_token, str) else None,
    )
    subject = str(claims["sub"])
    if isinstance(access_token, str):
        info = _userinfo(config, metadata, access_token=access_token, subject=subject)
        claims = {**info, **claims}  # the signed ID token wins where both carry a claim
    email, name = claims.get("email"), claims.get("name")
    return OidcIdentity(
        subject=subject,
        email=email if isinstance(email, str) and email else None,
        name=name if isinstance(name, str) and name else None,
        grants=grants_from_claims(claims, role_claim=config.role_claim, role_map=config.role_map),
        issuer=metadata.issuer,
        email_verified=claims.get("email_verified") is True,
    )


def _claim_values(claims: Mapping[str, object], path: str) -> list[str]:
    value: object = claims
    for part in path.split("."):  # "realm_access.roles" reaches into nested claims
        if not isinstance(value, Mapping):
            return []
        value = value.get(part)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def grants_from_claims(
    claims: Mapping[str, object], *, role_claim: str, role_map: RoleMap
) -> tuple[tuple[str, str], ...]:
    """The (role, unit_slug) grants the claim's values map to, in order, without duplicates;
    values without a mapping give nothing."""
    grants: dict[tuple[str, str], None] = {}
    for value in _claim_values(claims, role_claim):
        for grant in role_map.get(value, ()):
            grants[grant] = None
    return tuple(grants)


def parse_role_map(text: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """``KORPS_OIDC_ROLE_MAP``: a JSON object or the path of a YAML file mapping claim values to
    lists of ``role@unit-slug``."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        source = "KORPS_OIDC_ROLE_MAP"
        try:
            data: object = json.loads(text)
        except ValueError as error:
            raise OidcError(
                _("{source} is geen geldige JSON: {error}.", source=source, error=error)
            ) from error
    else:
        source = text
        try:
            data = yaml.safe_load(Path(text).read_text(encoding="utf-8"))
        except OSError as error:
            raise OidcError(
                _("Het rollenbestand {text} kan niet worden gelezen.", text=text)
            ) from error
        except yaml.YAMLError as error:
            raise OidcError(
                _("Het rollenbestand {text} is geen geldige YAML: {error}.", text=text, error=error)
            ) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OidcError(_("{source}: verwacht een lijst van claimwaarde -> rollen.", source=source))
    role_map: dict[str, tuple[tuple[str, str], ...]] = {}
    for key, value in data.items():
        entries = [value] if isinstance(value, str) else value
        if not isinstance(entries, list) or not entries:
            raise OidcError(
                _("{source}, {key}: verwacht een lijst van rol@eenheid.", source=source, key=key)
            )
        grants = []
        for entry in entries:
            role, at, unit = str(entry).partition("@")
            if not (at and role.strip() and unit.strip()) or "@" in unit:
                raise OidcError(
                    _(
                        "{source}, {key}: '{entry}' is geen rol@eenheid (zoals planner@rotterdam).",
                        source=source,
                        key=key,
                        entry=entry,
                    )
                )
            grants.append((role.strip(), unit.strip()))
        role_map[str(key)] = tuple(grants)
    return role_map


def config_from_settings(settings: Settings) -> OidcConfig | None:
    """The OIDC configuration, or None when ``KORPS_OIDC_ISSUER`` is not set."""
    issuer = settings.oidc_issuer.strip()
    if not issuer:
        return None
    secret = settings.oidc_client_secret.get_secret_value()
    values = {
        "KORPS_OIDC_CLIENT_ID": settings.oidc_client_id,
        "KORPS_OIDC_CLIENT_SECRET": secret,
        "KORPS_OIDC_REDIRECT_URI": settings.oidc_redirect_uri,
    }
    missing = [name for name, value in values.items() if not value.strip()]
    if missing:
        raise OidcError(
            _("OpenID Connect is half ingesteld: {missing} ontbreekt.", missing=", ".join(missing))
        )
    for name, url in (
        ("KORPS_OIDC_ISSUER", issuer),
        ("KORPS_OIDC_REDIRECT_URI", settings.oidc_redirect_uri),
    ):
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            raise OidcError(
                _(
                    "{name} moet een https-adres zijn (http alleen op 127.0.0.1): {url}.",
                    name=name,
                    url=url,
                )
            )
    return OidcConfig(
        issuer=issuer,
        client_id=settings.oidc_client_id.strip(),
        client_secret=secret,
        redirect_uri=settings.oidc_redirect_uri.strip(),
        scopes=settings.oidc_scopes,
        role_claim=settings.oidc_role_claim,
        role_map=parse_role_map(settings.oidc_role_map),
    )
