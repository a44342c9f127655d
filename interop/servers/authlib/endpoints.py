# Authlib's grants, endpoints and client authentications, as the interop suite's server
# configures them (server.py wires them to Flask). Everything Authlib leaves to the application
# is filled in here from store.py.

import secrets
import time

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import request as flask_request

import store
from store import BOTH_SECRET_METHODS

JWT_METHODS = ["client_secret_jwt", "private_key_jwt"]
# Every method a client here may be registered with; each client is held to its own.
ALL_METHODS = BOTH_SECRET_METHODS + JWT_METHODS + ["none"]


def issuer():
    """The server's base URL, `http://127.0.0.1:<port>` (no trailing `/`): its issuer."""
    return flask_request.host_url.rstrip("/")


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_SECRET_METHODS + JWT_METHODS


class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_SECRET_METHODS

    def authenticate_user(self, username, password):
        user = store.USERS.get(username)
        if user and secrets.compare_digest(user.password.encode(), password.encode()):
            return user
        return None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_SECRET_METHODS + ["none"]
    # Authlib's default is to keep the refresh token; rotation is switched on here.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        with store.lock:
            token = store.by_refresh.get(refresh_token)
        if token and not token.refresh_revoked:
            return token
        return None

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token):
        refresh_token.refresh_revoked = True


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """The code grant for the public `native-app`; PKCE is required (CodeChallenge below)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    def save_authorization_code(self, code, request):
        payload = request.payload
        saved = store.AuthorizationCode(
            code,
            request.client,
            request.user,
            payload.redirect_uri,
            request.scope,
            payload.data.get("code_challenge"),
            payload.data.get("code_challenge_method"),
        )
        with store.lock:
            store.codes[code] = saved

    def query_authorization_code(self, code, client):
        with store.lock:
            saved = store.codes.get(code)
        if saved and saved.client.client_id == client.client_id and not saved.is_expired():
            return saved
        return None

    def delete_authorization_code(self, authorization_code):
        with store.lock:
            store.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


PKCE_REQUIRED = CodeChallenge(required=True)


class Issuer(IssuerParameter):
    """RFC 9207: the `iss` parameter on every authorization response, errors included."""

    def get_issuer(self):
        return issuer()


class JwtClientAuth(JWTBearerClientAssertion):
    """RFC 7523 §2.2 client authentication, one instance per method name, each authenticating
    only the clients registered with its method (the other instance skips them): HS256 with the
    client's secret for `client_secret_jwt`, the client's registered JWKS (by `kid`) for
    `private_key_jwt`. Authlib verifies the signature with joserfc's recommended algorithms
    (HS256, RS256, ES256), checks `iss` = `sub`, `exp` (60 s leeway), that `aud` is the token
    endpoint's URL or the issuer, and that the `jti` is new."""

    def __init__(self, method):
        super().__init__(validate_jti=True)
        self.CLIENT_AUTH_METHOD = method

    def __call__(self, query_client, request):
        if request.form.get("client_assertion_type") != self.CLIENT_ASSERTION_TYPE:
            return None
        assertion = request.form.get("client_assertion")
        if not assertion:
            return None
        _, claims = self.extract_assertion(assertion)
        client = query_client(claims.get("sub")) if isinstance(claims.get("sub"), str) else None
        if client is not None and client.method != self.CLIENT_AUTH_METHOD:
            return None
        return super().__call__(query_client, request)

    def get_audiences(self):
        return [f"{issuer()}/token", issuer()]

    def resolve_client_public_key(self, client):
        return client.secret_key() if self.CLIENT_AUTH_METHOD == "client_secret_jwt" else client.jwks

    def validate_jti(self, claims, jti):
        expires_at = claims.get("exp") if isinstance(claims.get("exp"), (int, float)) else time.time()
        return store.first_use_of(claims["sub"], jti, expires_at)


class Revocation(RevocationEndpoint):
    """RFC 7009. A client revokes its own tokens (another's: Authlib answers 400
    `invalid_grant`); revoking a refresh token revokes its access token too."""

    CLIENT_AUTH_METHODS = ALL_METHODS

    def query_token(self, token_string, token_type_hint):
        return store.find_token(token_string, token_type_hint)

    def revoke_token(self, token, request):
        with store.lock:
            token.token.revoked = True
            if token.kind == "refresh_token":
                token.token.refresh_revoked = True


class Introspection(IntrospectionEndpoint):
    """RFC 7662. A client may introspect its own tokens; any other token (unknown, revoked,
    expired, another client's) is answered `{"active": false}`."""

    CLIENT_AUTH_METHODS = ALL_METHODS

    def query_token(self, token_string, token_type_hint):
        return store.find_token(token_string, token_type_hint)

    def check_permission(self, token, client, request):
        return token.check_client(client)

    def introspect_token(self, token):
        held = token.token
        answer = {
            "active": True,
            "client_id": held.client.client_id,
            "scope": held.scope,
            "iat": int(held.issued_at),
            "iss": issuer(),
        }
        if held.user is not None:
            answer["username"] = held.user.username
            answer["sub"] = held.user.username
        if token.kind == "access_token":
            answer["token_type"] = "Bearer"
            answer["exp"] = int(held.issued_at + held.expires_in)
        return answer


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        with store.lock:
            return store.by_access.get(token_string)
