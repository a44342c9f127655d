# The Authlib + Flask authorization server the interop suite (`cargo xtask interop`) runs against.
#
# Listens on 127.0.0.1 on a port the system picks and prints one line on stdout,
# `listening http://127.0.0.1:<port>`; everything else goes to stderr. Exits when stdin closes,
# so it never outlives the task that started it.
#
# Clients (Authlib accepts only the method a client was registered with), both allowed the
# client_credentials, password and refresh_token grants, both with the secret `a b+c/d:e%f&g=h`:
#   basic-client  client_secret_basic
#   post-client   client_secret_post
# User for the password grant: `ana`, password `pa55 w0rd`.
#
# Lifetimes: client_credentials tokens 3600 s; password and refresh_token tokens 2 s, so a
# client sees them expire within a test. Refresh tokens rotate: a refresh issues a new one and
# revokes the one used, which then gets `invalid_grant`.
#
# Endpoints besides `POST /token`:
#   GET  /api/me              bearer-protected (ResourceProtector): 401 `invalid_token` for an
#                             unknown, expired or revoked token, else 200 JSON
#   POST /admin/revoke-all    revokes every access token issued so far
#   GET  /admin/token-log     every token request so far: the client authentication it used, its
#                             grant type, the answer's status and error code

import os
import secrets
import sys
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Flask
from flask import jsonify
from flask import request
from werkzeug.serving import make_server

TRICKY_SECRET = "a b+c/d:e%f&g=h"
SHORT_LIFETIME = 2
BOTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Client(ClientMixin):
    def __init__(self, client_id, secret, method):
        self.client_id = client_id
        self.secret = secret
        self.method = method

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint != "token" or method == self.method

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type in ("client_credentials", "password", "refresh_token")


class User:
    def __init__(self, user_id, username, password):
        self.id = user_id
        self.username = username
        self.password = password

    def get_user_id(self):
        return self.id


class Token(TokenMixin):
    def __init__(self, client, user, fields):
        self.client = client
        self.user = user
        self.access_token = fields["access_token"]
        self.refresh_token = fields.get("refresh_token")
        self.scope = fields.get("scope", "")
        self.expires_in = fields["expires_in"]
        self.issued_at = time.time()
        self.revoked = False
        self.refresh_revoked = False

    def check_client(self, client):
        return self.client.client_id == client.get_client_id()

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


CLIENTS = {
    "basic-client": Client("basic-client", TRICKY_SECRET, "client_secret_basic"),
    "post-client": Client("post-client", TRICKY_SECRET, "client_secret_post"),
}
USERS = {"ana": User(1, "ana", "pa55 w0rd")}

lock = threading.Lock()
by_access = {}
by_refresh = {}
token_log = []


def save_token(fields, oauth_request):
    token = Token(oauth_request.client, oauth_request.user, fields)
    with lock:
        by_access[token.access_token] = token
        if token.refresh_token:
            by_refresh[token.refresh_token] = token


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_METHODS


class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_METHODS

    def authenticate_user(self, username, password):
        user = USERS.get(username)
        if user and secrets.compare_digest(user.password.encode(), password.encode()):
            return user
        return None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = BOTH_METHODS
    # Authlib's default is to keep the refresh token; rotation is switched on here.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        with lock:
            token = by_refresh.get(refresh_token)
        if token and not token.refresh_revoked:
            return token
        return None

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token):
        refresh_token.refresh_revoked = True


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        with lock:
            return by_access.get(token_string)


app = Flask(__name__)
app.config.update(
    OAUTH2_REFRESH_TOKEN_GENERATOR=True,
    OAUTH2_TOKEN_EXPIRES_IN={
        "client_credentials": 3600,
        "password": SHORT_LIFETIME,
        "refresh_token": SHORT_LIFETIME,
    },
)
authorization = AuthorizationServer(app, query_client=CLIENTS.get, save_token=save_token)
authorization.register_grant(ClientCredentialsGrant)
authorization.register_grant(PasswordGrant)
authorization.register_grant(RefreshTokenGrant)
require_oauth = ResourceProtector()
require_oauth.register_token_validator(Validator())


def auth_method_of(flask_request):
    authorization_header = flask_request.headers.get("Authorization")
    if authorization_header is not None:
        scheme = authorization_header.split(" ", 1)[0].lower()
        return "client_secret_basic" if scheme == "basic" else "other"
    return "client_secret_post" if "client_secret" in flask_request.form else "none"


@app.post("/token")
def issue_token():
    response = authorization.create_token_response()
    body = response.get_json(silent=True) or {}
    with lock:
        token_log.append(
            {
                "method": auth_method_of(request),
                "grant_type": request.form.get("grant_type"),
                "status": response.status_code,
                "error": body.get("error"),
            }
        )
    return response


@app.get("/api/me")
@require_oauth()
def me():
    token = current_token
    user = token.user.username if token.user else None
    return jsonify(client_id=token.client.client_id, user=user)


@app.post("/admin/revoke-all")
def revoke_all():
    with lock:
        for token in by_access.values():
            token.revoked = True
        count = len(by_access)
    return jsonify(revoked=count)


@app.get("/admin/token-log")
def get_token_log():
    with lock:
        return jsonify(entries=list(token_log))


def exit_when_stdin_closes():
    sys.stdin.read()
    # The parent is gone: stop at once, without waiting for the serving thread.
    os._exit(0)


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"listening http://127.0.0.1:{server.server_port}", flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()
