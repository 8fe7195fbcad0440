"""The tokens: RS256 with a kid, Cognito's claims, validity from the app client, verified
by PyJWT through the discovery document; sign-out and revocation; forged, expired and
other pools' tokens refused with AWS's errors, changing nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from cognito_import.domain import tokens as T
from tests.api import refused
from tests.conftest import make_client
from tests.engine.helpers import create_pool
from tests.live import LiveServer
from tests.signin.helpers import PASSWORD, App, import_hashed, make_app, sign_in_state, unsigned


@pytest.fixture
def app(cognito: Any) -> App:
    pool_id = create_pool(cognito, "tokens")
    import_hashed(cognito, pool_id, {"jane": PASSWORD})
    return make_app(
        cognito,
        pool_id,
        AccessTokenValidity=10,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )


def sign_in(server: LiveServer, app: App) -> dict[str, Any]:
    result: dict[str, Any] = unsigned(server).initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result


def claims(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def test_claims_and_validity(server: LiveServer, app: App) -> None:
    result = sign_in(server, app)
    assert result["ExpiresIn"] == 600
    issuer = f"{server.url}/{app.pool_id}"
    access, ident = claims(result["AccessToken"]), claims(result["IdToken"])
    for token in (result["AccessToken"], result["IdToken"]):
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256" and header["kid"]
    assert access["token_use"] == "access" and ident["token_use"] == "id"
    assert access["iss"] == ident["iss"] == issuer
    assert access["client_id"] == ident["aud"] == app.client_id
    assert access["username"] == ident["cognito:username"] == "jane"
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["sub"] == ident["sub"]
    assert access["origin_jti"] == ident["origin_jti"]
    assert access["jti"] != ident["jti"]
    assert access["exp"] - access["iat"] == 600
    assert ident["exp"] - ident["iat"] == 7200
    assert ident["email"] == "jane@example.com" and ident["email_verified"] is True
    assert set(access) == {
        "sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
        "auth_time", "exp", "iat", "jti", "username",
    }  # fmt: skip


def test_pyjwt_verifies_through_discovery(server: LiveServer, app: App) -> None:
    result = sign_in(server, app)
    issuer = claims(result["IdToken"])["iss"]
    config = httpx.get(issuer + "/.well-known/openid-configuration").json()
    assert config["issuer"] == issuer
    keys = jwt.PyJWKClient(config["jwks_uri"])
    for token, audience in ((result["IdToken"], app.client_id), (result["AccessToken"], None)):
        key = keys.get_signing_key_from_jwt(token)
        verified = jwt.decode(
            token,
            key.key,
            algorithms=config["id_token_signing_alg_values_supported"],
            issuer=issuer,
            audience=audience,
            options={"verify_aud": audience is not None},
        )
        assert verified["sub"]


def test_unknown_pool_well_known(server: LiveServer) -> None:
    response = httpx.get(server.url + "/us-east-1_nothere/.well-known/jwks.json")
    assert response.status_code == 404
    assert response.json()["__type"] == "ResourceNotFoundException"


def test_every_process_shares_the_pool_key(
    server: LiveServer, app: App, tmp_path: Path, database: str
) -> None:
    result = sign_in(server, app)
    # A second server on the same database, reached through the same public URL (the
    # issuer), verifies what the first issued.
    with LiveServer(
        database, tmp_path / "second", run_worker=False, public_url=server.url
    ) as second:
        second_idp = unsigned(second)
        assert second_idp.get_user(AccessToken=result["AccessToken"])["Username"] == "jane"


def forge(token: str, **changes: Any) -> str:
    """The token with changed claims, signed by a key of the forger's own."""
    payload = {**claims(token), **changes}
    header = jwt.get_unverified_header(token)
    return T.sign(T.SigningKey(header["kid"], T.new_signing_key().private_pem), payload)


def test_forged_expired_and_other_pools_tokens(server: LiveServer, cognito: Any, app: App) -> None:
    result = sign_in(server, app)
    other_pool = create_pool(cognito, "other")
    import_hashed(cognito, other_pool, {"jane": PASSWORD})
    other = sign_in(server, make_app(cognito, other_pool))
    idp = unsigned(server)
    access = result["AccessToken"]
    head, _, sig = access.split(".")
    tampered_body = (
        base64.urlsafe_b64encode(json.dumps({**claims(access), "username": "admin"}).encode())
        .decode()
        .rstrip("=")
    )
    before = sign_in_state(server)
    invalid = ("NotAuthorizedException", 400, "Invalid Access Token")
    for bad in (
        forge(access),
        f"{head}.{tampered_body}.{sig}",
        # Another pool's token, claiming to be this pool's.
        forge(other["AccessToken"], iss=claims(access)["iss"]),
        # An ID token is not an access token.
        result["IdToken"],
        "not-a-token",
    ):
        assert refused(lambda b=bad: idp.get_user(AccessToken=b)) == invalid  # type: ignore[misc]
        assert refused(lambda b=bad: idp.global_sign_out(AccessToken=b)) == invalid  # type: ignore[misc]
        assert (
            refused(
                lambda b=bad: idp.change_password(  # type: ignore[misc]
                    AccessToken=b, PreviousPassword=PASSWORD, ProposedPassword="New-passw0rd!"
                )
            )
            == invalid
        )
    server.clock.advance(601)
    expired = ("NotAuthorizedException", 400, "Access Token has expired")
    assert refused(lambda: idp.get_user(AccessToken=access)) == expired
    assert sign_in_state(server) == before
    # The other pool's own token still works there.
    assert idp.get_user(AccessToken=other["AccessToken"])["Username"] == "jane"


def test_global_sign_out_revokes_every_token(server: LiveServer, cognito: Any, app: App) -> None:
    first, second = sign_in(server, app), sign_in(server, app)
    idp = unsigned(server)
    idp.global_sign_out(AccessToken=first["AccessToken"])
    revoked = ("NotAuthorizedException", 400, "Access Token has been revoked")
    for result in (first, second):
        assert refused(lambda r=result: idp.get_user(AccessToken=r["AccessToken"])) == revoked  # type: ignore[misc]
        assert refused(
            lambda r=result: idp.initiate_auth(  # type: ignore[misc]
                ClientId=app.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": r["RefreshToken"]},
            )
        ) == ("NotAuthorizedException", 400, "Refresh Token has been revoked")
    third = sign_in(server, app)
    cognito.admin_user_global_sign_out(UserPoolId=app.pool_id, Username="jane")
    assert refused(lambda: idp.get_user(AccessToken=third["AccessToken"])) == revoked


def test_revoke_token(server: LiveServer, cognito: Any, app: App) -> None:
    first, second = sign_in(server, app), sign_in(server, app)
    idp = unsigned(server)
    other_client = make_app(cognito, app.pool_id)
    before = sign_in_state(server)
    assert refused(
        lambda: idp.revoke_token(Token=first["RefreshToken"], ClientId=other_client.client_id)
    ) == ("UnauthorizedException", 400, "Invalid client")
    assert refused(
        lambda: idp.revoke_token(Token=first["AccessToken"], ClientId=app.client_id)
    ) == ("UnsupportedTokenTypeException", 400, "Unsupported token type.")
    # Not a refresh token at all: accepted, as RFC 7009 asks, and nothing changes.
    idp.revoke_token(Token="no-such-refresh-token", ClientId=app.client_id)
    assert sign_in_state(server) == before
    idp.revoke_token(Token=first["RefreshToken"], ClientId=app.client_id)
    assert refused(lambda: idp.get_user(AccessToken=first["AccessToken"]))[2] == (
        "Access Token has been revoked"
    )
    # Only that session: the other sign-in goes on.
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == "jane"
    no_revocation = make_app(cognito, app.pool_id, EnableTokenRevocation=False)
    assert (
        refused(
            lambda: idp.revoke_token(Token=second["RefreshToken"], ClientId=no_revocation.client_id)
        )[0]
        == "UnsupportedOperationException"
    )


def test_change_password(server: LiveServer, cognito: Any, app: App) -> None:
    result = sign_in(server, app)
    idp = unsigned(server)
    before = sign_in_state(server)
    assert refused(
        lambda: idp.change_password(
            AccessToken=result["AccessToken"],
            PreviousPassword="Wr0ng-password!",
            ProposedPassword="New-passw0rd!",
        )
    ) == ("NotAuthorizedException", 400, "Incorrect username or password.")
    assert refused(
        lambda: idp.change_password(
            AccessToken=result["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="short"
        )
    ) == (
        "InvalidPasswordException",
        400,
        "Password does not conform to policy: Password not long enough",
    )
    assert sign_in_state(server) == before
    idp.change_password(
        AccessToken=result["AccessToken"],
        PreviousPassword=PASSWORD,
        ProposedPassword="New-passw0rd!",
    )
    assert (
        refused(
            lambda: idp.initiate_auth(
                ClientId=app.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD},
            )
        )[2]
        == "Incorrect username or password."
    )
    idp.initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "jane", "PASSWORD": "New-passw0rd!"},
    )


def test_aws_issuer(tmp_path: Path) -> None:
    with LiveServer(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data", token_issuer="aws"
    ) as server:
        cognito = make_client(server)
        pool_id = create_pool(cognito, "aws-issuer")
        import_hashed(cognito, pool_id, {"jane": PASSWORD})
        result = sign_in(server, make_app(cognito, pool_id))
        issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
        assert claims(result["AccessToken"])["iss"] == issuer
        # A verifier that insists on AWS's issuer is handed this server's JWKS.
        keys = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json")
        key = keys.get_signing_key_from_jwt(result["IdToken"])
        jwt.decode(
            result["IdToken"],
            key.key,
            algorithms=["RS256"],
            issuer=issuer,
            audience=None,
            options={"verify_aud": False},
        )
        assert unsigned(server).get_user(AccessToken=result["AccessToken"])["Username"] == "jane"


def test_a_deleted_users_tokens_do_not_pass_to_a_new_user_of_that_name(
    server: LiveServer, cognito: Any, app: App
) -> None:
    old = sign_in(server, app)
    cognito.admin_delete_user(UserPoolId=app.pool_id, Username="jane")
    import_hashed(cognito, app.pool_id, {"jane": PASSWORD})
    idp = unsigned(server)
    assert refused(lambda: idp.get_user(AccessToken=old["AccessToken"])) == (
        "NotAuthorizedException",
        400,
        "Invalid Access Token",
    )
    assert refused(
        lambda: idp.initiate_auth(
            ClientId=app.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": old["RefreshToken"]},
        )
    ) == ("NotAuthorizedException", 400, "Invalid Refresh Token.")


def test_srp_a_must_be_an_srp_public_value(server: LiveServer, app: App) -> None:
    idp = unsigned(server)
    before = sign_in_state(server)
    for value in ("0", "zz", format(2**3072, "x")):
        assert (
            refused(
                lambda v=value: idp.initiate_auth(  # type: ignore[misc]
                    ClientId=app.client_id,
                    AuthFlow="USER_SRP_AUTH",
                    AuthParameters={"USERNAME": "jane", "SRP_A": v},
                )
            )[:2]
            == ("InvalidParameterException", 400)
        )
    assert sign_in_state(server) == before
