# The Authlib + Flask authorization server the interop suite (`cargo xtask interop`) runs against.
#
# Listens on 127.0.0.1 on a port the system picks and prints one line on stdout,
# `listening http://127.0.0.1:<port>`; everything else goes to stderr. Exits when stdin closes,
# so it never outlives the task that started it.
#
# Modules next to this file: store.py (clients, user, tokens, the token log), endpoints.py
# (Authlib's grants, revocation, introspection, JWT client authentication), sign_in.py (the
# authorization code's login and consent pages). Test-only keys in keys/ (see keys/README.md).
#
# Clients (each accepted only with the method it was registered with, at every endpoint; the
# secret, where there is one, is `a b+c/d:e%f&g=h`):
#   basic-client       client_secret_basic  client_credentials, password, refresh_token
#   post-client        client_secret_post   client_credentials, password, refresh_token
#   long-lived-client  client_secret_basic  client_credentials, password, refresh_token
#   secret-jwt-client  client_secret_jwt    client_credentials (HS256 with the secret)
#   key-jwt-client     private_key_jwt      client_credentials; JWKS rs256-1, es256-1, ed25519-1
#                                           from keys/*.pub.pem
#   native-app         none (public)        authorization_code (PKCE: S256 or plain; Authlib's
#                                           `required` refuses the exchange without a
#                                           code_verifier; redirect http://127.0.0.1/callback
#                                           on any port), refresh_token
# User: `ana`, password `pa55 w0rd` for the password grant; the sign-in page takes any password.
#
# Lifetimes: password and refresh_token tokens of basic-client and post-client 2 s, so a client
# sees them expire within a test; every other token 3600 s. Refresh tokens rotate: a refresh
# issues a new one and revokes the one used, which then gets `invalid_grant`.
#
# Endpoints:
#   POST /token               every grant above
#   POST /revoke              RFC 7009: a client's own tokens; a refresh token takes its access
#                             token with it
#   POST /introspect          RFC 7662: a client's own tokens; any other is `{"active": false}`
#   GET  /authorize           the authorization code's pages (sign_in.py); `iss` on every answer
#   GET  /api/me              bearer-protected (ResourceProtector): 401 `invalid_token` for an
#                             unknown, expired or revoked token, else 200 JSON
#   POST /admin/revoke-all    revokes every access token issued so far
#   GET  /admin/token-log     every token request so far: the client authentication it used (the
#                             method that authenticated it, or for a refused one the method its
#                             credentials look like), its grant type, the answer's status and
#                             error code, and for an assertion its header's `alg` and `kid`
#   GET  /admin/endpoint-log  the same for every revocation and introspection request (`endpoint`
#                             names which), for an assertion with its `aud` too

import json
import os
import sys
import threading

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import Flask
from flask import g
from flask import jsonify
from flask import request
from joserfc import jws
from werkzeug.serving import make_server

import endpoints
import sign_in
import store


class Server(AuthorizationServer):
    def create_oauth2_request(self, request):
        # The consent pages replay the first page's request (sign_in.StoredRequest).
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def authenticate_client(self, request, methods, endpoint="token"):
        client = super().authenticate_client(request, methods, endpoint)
        g.authenticated_by = request.auth_method
        return client


app = Flask(__name__)
authorization = Server(app, query_client=store.CLIENTS.get, save_token=store.save_token)
authorization.register_token_generator(
    "default",
    BearerTokenGenerator(lambda **_: generate_token(42), lambda **_: generate_token(48), store.expires_in),
)
authorization.register_grant(endpoints.ClientCredentialsGrant)
authorization.register_grant(endpoints.PasswordGrant)
authorization.register_grant(endpoints.RefreshTokenGrant)
authorization.register_grant(endpoints.AuthorizationCodeGrant, [endpoints.PKCE_REQUIRED])
authorization.register_extension(endpoints.Issuer())
for method in endpoints.JWT_METHODS:
    authorization.register_client_auth_method(method, endpoints.JwtClientAuth(method))
authorization.register_endpoint(endpoints.Revocation)
authorization.register_endpoint(endpoints.Introspection)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(endpoints.Validator())
sign_in.server = authorization
app.register_blueprint(sign_in.pages)


def assertion_header(flask_request):
    """The unverified header of the request's client assertion, if it has one that parses."""
    assertion = flask_request.form.get("client_assertion")
    if not assertion:
        return None
    try:
        return jws.extract_compact(assertion.encode()).headers()
    except Exception:  # noqa: BLE001 (any malformed assertion: no header to show)
        return {}


def auth_method_of(flask_request, header):
    """The method the request's credentials look like (for a request Authlib refused)."""
    authorization_header = flask_request.headers.get("Authorization")
    if authorization_header is not None:
        scheme = authorization_header.split(" ", 1)[0].lower()
        return "client_secret_basic" if scheme == "basic" else "other"
    if header is not None:
        return "client_secret_jwt" if str(header.get("alg", "")).startswith("HS") else "private_key_jwt"
    return "client_secret_post" if "client_secret" in flask_request.form else "none"


@app.post("/token")
def issue_token():
    response = authorization.create_token_response()
    body = response.get_json(silent=True) or {}
    header = assertion_header(request)
    entry = {
        "method": g.get("authenticated_by") or auth_method_of(request, header),
        "grant_type": request.form.get("grant_type"),
        "status": response.status_code,
        "error": body.get("error"),
    }
    if header is not None:
        entry["assertion"] = {"alg": header.get("alg"), "kid": header.get("kid")}
    with store.lock:
        store.token_log.append(entry)
    return response


def assertion_audience(flask_request):
    """The unverified `aud` of the request's client assertion, if it has one that parses."""
    try:
        return json.loads(jws.extract_compact(flask_request.form["client_assertion"].encode()).payload).get("aud")
    except Exception:  # noqa: BLE001 (no assertion, or a malformed one: no audience to show)
        return None


def logged_endpoint_response(name):
    """Authlib's answer at the endpoint `name`, logged in the endpoint log."""
    response = authorization.create_endpoint_response(name)
    body = response.get_json(silent=True) or {}
    header = assertion_header(request)
    entry = {
        "endpoint": name,
        "method": g.get("authenticated_by") or auth_method_of(request, header),
        "status": response.status_code,
        "error": body.get("error"),
        "authenticated_by": g.get("authenticated_by"),
    }
    if header is not None:
        entry["assertion"] = {"alg": header.get("alg"), "kid": header.get("kid"), "aud": assertion_audience(request)}
    with store.lock:
        store.endpoint_log.append(entry)
    return response


@app.post("/revoke")
def revoke_token():
    return logged_endpoint_response(endpoints.Revocation.ENDPOINT_NAME)


@app.post("/introspect")
def introspect_token():
    return logged_endpoint_response(endpoints.Introspection.ENDPOINT_NAME)


@app.get("/api/me")
@require_oauth()
def me():
    token = current_token
    user = token.user.username if token.user else None
    return jsonify(client_id=token.client.client_id, user=user)


@app.post("/admin/revoke-all")
def revoke_all():
    with store.lock:
        for token in store.by_access.values():
            token.revoked = True
        count = len(store.by_access)
    return jsonify(revoked=count)


@app.get("/admin/token-log")
def get_token_log():
    with store.lock:
        return jsonify(entries=list(store.token_log))


@app.get("/admin/endpoint-log")
def get_endpoint_log():
    with store.lock:
        return jsonify(entries=list(store.endpoint_log))


def exit_when_stdin_closes():
    sys.stdin.read()
    # The parent is gone: stop at once, without waiting for the serving thread.
    os._exit(0)


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"listening http://127.0.0.1:{server.server_port}", flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()
