"""OpenID Connect login against a real provider (npm's oidc-provider, started by the fixture)."""

from __future__ import annotations

import base64
import json
import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr

from korps.config import Settings
from korps.identity.oidc import (
    LoginStart,
    OidcConfig,
    OidcError,
    config_from_settings,
    finish_login,
    grants_from_claims,
    parse_role_map,
    start_login,
    validate_id_token,
)
from tests.support.oidc_fixture import OidcProvider, login_at_provider, running_provider

ROLE_MAP = {
    "korps-centralist-rotterdam": [("centralist", "rotterdam")],
    "korps-planner-rotterdam": [("planner", "rotterdam"), ("gezag", "rotterdam")],
}


def _config(provider: OidcProvider, **changes: object) -> OidcConfig:
    config = OidcConfig(
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        redirect_uri=provider.redirect_uri,
        role_map=ROLE_MAP,
    )
    return replace(config, **changes)  # type: ignore[arg-type]


def _login(provider: OidcProvider, start: LoginStart, username: str) -> str:
    account = provider.accounts[username]
    return login_at_provider(
        start.url,
        username=username,
        password=account.password,
        redirect_uri=provider.redirect_uri,
    )


def test_code_flow_gives_subject_email_and_grants(oidc_provider: OidcProvider) -> None:
    config = _config(oidc_provider)
    start = start_login(config)
    query = parse_qs(urlsplit(start.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [start.state] and query["nonce"] == [start.nonce]
    assert start.code_verifier not in start.url

    callback = _login(oidc_provider, start, "centralist1")
    identity = finish_login(config, start=start, callback_url=callback)

    assert identity.subject == "centralist1"
    assert identity.email == "centralist1@politie.example"
    assert identity.email_verified is True
    assert identity.name == "Centralist Eén"
    assert identity.issuer == oidc_provider.issuer
    assert identity.grants == (("centralist", "rotterdam"),)


def test_role_map_from_yaml_settings_ignores_unmapped_groups(
    oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    role_file = tmp_path / "rollen.yaml"
    role_file.write_text(
        "korps-planner-rotterdam: [planner@rotterdam, gezag@rotterdam]\n"
        "korps-centralist-rotterdam: centralist@rotterdam\n",
        encoding="utf-8",
    )
    settings = Settings(
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=oidc_provider.client_id,
        oidc_client_secret=SecretStr(oidc_provider.client_secret),
        oidc_redirect_uri=oidc_provider.redirect_uri,
        oidc_role_map=str(role_file),
    )
    config = config_from_settings(settings)
    assert config is not None
    start = start_login(config)
    identity = finish_login(
        config, start=start, callback_url=_login(oidc_provider, start, "planner1")
    )
    # planner1 is also in korps-onbekende-groep, which maps to nothing
    assert identity.grants == (("planner", "rotterdam"), ("gezag", "rotterdam"))


def test_user_without_mapped_group_gets_no_grants(oidc_provider: OidcProvider) -> None:
    config = _config(oidc_provider)
    start = start_login(config)
    identity = finish_login(
        config, start=start, callback_url=_login(oidc_provider, start, "zondergroep1")
    )
    assert identity.subject == "zondergroep1"
    assert identity.grants == ()


def test_wrong_state_is_refused_before_the_code_is_used(oidc_provider: OidcProvider) -> None:
    config = _config(oidc_provider)
    start, other = start_login(config), start_login(config)
    callback = _login(oidc_provider, start, "centralist1")
    with pytest.raises(OidcError, match="hoort niet bij deze sessie"):
        finish_login(config, start=other, callback_url=callback)
    # the refusal came before the exchange: the code is still good for its own session
    assert finish_login(config, start=start, callback_url=callback).subject == "centralist1"


def test_reused_code_wrong_verifier_and_stale_login_are_refused(
    oidc_provider: OidcProvider,
) -> None:
    config = _config(oidc_provider)
    start = start_login(config)
    callback = _login(oidc_provider, start, "centralist1")
    with pytest.raises(OidcError, match="invalid_grant"):  # PKCE: the provider checks it
        finish_login(config, start=replace(start, code_verifier="x" * 64), callback_url=callback)

    start = start_login(config)
    callback = _login(oidc_provider, start, "centralist1")
    finish_login(config, start=start, callback_url=callback)
    with pytest.raises(OidcError, match="invalid_grant"):
        finish_login(config, start=start, callback_url=callback)

    stale = replace(start_login(config), started_at=0.0)
    with pytest.raises(OidcError, match="duurde te lang"):
        finish_login(config, start=stale, callback_url=_login(oidc_provider, stale, "planner1"))


def test_refusal_by_the_provider_gives_a_dutch_message(oidc_provider: OidcProvider) -> None:
    config = _config(oidc_provider)
    start = start_login(config)
    callback = f"{oidc_provider.redirect_uri}?error=access_denied&state={start.state}"
    with pytest.raises(OidcError, match="weigerde de aanmelding"):
        finish_login(config, start=start, callback_url=callback)


def _real_id_token(provider: OidcProvider, start: LoginStart) -> str:
    """Exchange a real code by hand, to get an ID token the provider really signed."""
    code = parse_qs(urlsplit(_login(provider, start, "centralist1")).query)["code"][0]
    response = httpx.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": provider.redirect_uri,
            "code_verifier": start.code_verifier,
        },
        auth=(provider.client_id, provider.client_secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id_token"])


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_forged_and_tampered_id_tokens_are_refused(oidc_provider: OidcProvider) -> None:
    config = _config(oidc_provider)
    start = start_login(config)
    real = _real_id_token(oidc_provider, start)
    claims = validate_id_token(config, id_token=real, nonce=start.nonce)
    assert claims["sub"] == "centralist1"

    header_b64, payload_b64, signature = real.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    attacker = RSAKey.generate_key(2048)
    forgeries = {
        "signed with another key, same kid": jwt.encode(header, payload, attacker),
        "signed with another key, other kid": jwt.encode(
            {"alg": "RS256", "kid": "aanvaller"}, payload, attacker
        ),
        "payload changed, signature kept": ".".join(
            (header_b64, _b64(payload | {"sub": "planner1"}), signature)
        ),
        "unsigned (alg none)": f"{_b64({'alg': 'none'})}.{payload_b64}.",
        "not a JWT": "geen-token",
    }
    for reason, token in forgeries.items():
        with pytest.raises(OidcError, match="ID-token"):
            validate_id_token(config, id_token=token, nonce=start.nonce)
            pytest.fail(f"accepted: {reason}")

    with pytest.raises(OidcError, match="ID-token"):  # a replayed token of another login
        validate_id_token(config, id_token=real, nonce=start_login(config).nonce)
    with pytest.raises(OidcError, match="ID-token"):  # issued to another client
        validate_id_token(
            replace(config, client_id="andere-client"), id_token=real, nonce=start.nonce
        )


def test_provider_down_gives_a_dutch_message() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = OidcConfig(
        issuer=f"http://127.0.0.1:{port}",
        client_id="korps",
        client_secret="geheim",
        redirect_uri="http://127.0.0.1:9/aanmelden/oidc/terug",
    )
    with pytest.raises(OidcError, match="niet bereikbaar"):
        start_login(config)


def test_provider_gone_between_start_and_callback_gives_a_dutch_message(tmp_path: Path) -> None:
    with running_provider(tmp_path / "provider.log") as provider:
        config = _config(provider)
        start = start_login(config)
        callback = _login(provider, start, "centralist1")
    # discovery is cached; the token endpoint no longer answers
    with pytest.raises(OidcError, match="niet bereikbaar"):
        finish_login(config, start=start, callback_url=callback)


def test_grants_from_claims_follow_the_map_in_order_without_duplicates() -> None:
    role_map = {"a": [("planner", "rotterdam")], "b": [("planner", "rotterdam"), ("gezag", "x")]}
    claims = {"groups": ["b", "onbekend", "a"], "realm_access": {"roles": ["a"]}, "rol": "a"}
    assert grants_from_claims(claims, role_claim="groups", role_map=role_map) == (
        ("planner", "rotterdam"),
        ("gezag", "x"),
    )
    assert grants_from_claims(claims, role_claim="realm_access.roles", role_map=role_map) == (
        ("planner", "rotterdam"),
    )
    assert grants_from_claims(claims, role_claim="rol", role_map=role_map) == (
        ("planner", "rotterdam"),
    )
    assert grants_from_claims(claims, role_claim="ontbreekt", role_map=role_map) == ()
    assert grants_from_claims({"groups": 7}, role_claim="groups", role_map=role_map) == ()


def test_role_map_and_settings_errors_are_dutch(tmp_path: Path) -> None:
    assert parse_role_map('{"g": ["planner@rotterdam"]}') == {"g": (("planner", "rotterdam"),)}
    assert parse_role_map("") == {}
    for bad, message in (
        ('{"g": ["planner"]}', "geen rol@eenheid"),
        ('{"g": []}', "verwacht een lijst"),
        ('{"g": ', "geen geldige JSON"),
        (str(tmp_path / "ontbreekt.yaml"), "kan niet worden gelezen"),
    ):
        with pytest.raises(OidcError, match=message):
            parse_role_map(bad)

    assert config_from_settings(Settings()) is None
    with pytest.raises(OidcError, match="KORPS_OIDC_CLIENT_SECRET ontbreekt"):
        config_from_settings(
            Settings(
                oidc_issuer="https://sso.politie.example",
                oidc_client_id="korps",
                oidc_redirect_uri="https://korps.example/aanmelden/oidc/terug",
            )
        )
    with pytest.raises(OidcError, match="https-adres"):
        config_from_settings(
            Settings(
                oidc_issuer="http://sso.politie.example",
                oidc_client_id="korps",
                oidc_client_secret=SecretStr("geheim"),
                oidc_redirect_uri="https://korps.example/aanmelden/oidc/terug",
            )
        )
