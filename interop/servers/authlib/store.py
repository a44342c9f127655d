# What the Authlib server of the interop suite keeps, in memory: its clients, its one user, the
# tokens and authorization codes it issued, the assertion ids it has seen, and the token log.
# See server.py for the whole server.

import pathlib
import secrets
import threading
import time
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin
from joserfc.jwk import KeySet
from joserfc.jwk import OctKey
from joserfc.jwk import import_key

TRICKY_SECRET = "a b+c/d:e%f&g=h"
SHORT_LIFETIME = 2
LONG_LIFETIME = 3600
KEYS = pathlib.Path(__file__).resolve().parent / "keys"

# The public keys `key-jwt-client` registered (its `jwks`), each with the `kid` its assertions
# name. `keys/stranger-es256.key.pem` has no public key here: the server does not know it.
PUBLIC_KEYS = [
    ("rs256.pub.pem", "RSA", "rs256-1"),
    ("es256.pub.pem", "EC", "es256-1"),
    ("ed25519.pub.pem", "OKP", "ed25519-1"),
]


def public_jwks():
    keys = []
    for file, key_type, kid in PUBLIC_KEYS:
        key = import_key((KEYS / file).read_text(), key_type, parameters={"kid": kid})
        keys.append(key.as_dict(private=False))
    return KeySet.import_key_set({"keys": keys})


class Client(ClientMixin):
    """A registered client: its one authentication method (at every endpoint), its grants, and
    whether its password and refresh tokens live SHORT_LIFETIME seconds."""

    def __init__(self, client_id, method, grants, secret=None, jwks=None, short_lived=False):
        self.client_id = client_id
        self.method = method
        self.grants = grants
        self.secret = secret
        self.jwks = jwks
        self.short_lived = short_lived

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope or ""

    def check_redirect_uri(self, redirect_uri):
        # A native app's loopback redirect, on any port (RFC 8252 §7.3).
        if "authorization_code" not in self.grants:
            return False
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.path == "/callback"

    def check_client_secret(self, client_secret):
        if self.secret is None:
            return False
        return secrets.compare_digest(self.secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.method

    def check_response_type(self, response_type):
        return response_type == "code" and "authorization_code" in self.grants

    def check_grant_type(self, grant_type):
        return grant_type in self.grants

    def secret_key(self):
        """The key that verifies a `client_secret_jwt` assertion (HS256 with the secret)."""
        return OctKey.import_key(self.secret)


class User:
    def __init__(self, user_id, username, password):
        self.id = user_id
        self.username = username
        self.password = password

    def get_user_id(self):
        return self.id


class Token(TokenMixin):
    """An access token and the refresh token issued with it. Revoking the refresh token revokes
    the access token too; revoking the access token leaves the refresh token."""

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


class Held:
    """One of a Token's two tokens, as the revocation and introspection endpoints see it."""

    def __init__(self, token, kind):
        self.token = token
        self.kind = kind

    def check_client(self, client):
        return self.token.check_client(client)

    def is_expired(self):
        # Refresh tokens do not expire here; they are revoked or rotated away.
        return self.kind == "access_token" and self.token.is_expired()

    def is_revoked(self):
        return self.token.revoked if self.kind == "access_token" else self.token.refresh_revoked


class AuthorizationCode:
    def __init__(self, code, client, user, redirect_uri, scope, challenge, challenge_method):
        self.code = code
        self.client = client
        self.user = user
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.code_challenge = challenge
        self.code_challenge_method = challenge_method
        self.issued_at = time.time()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def is_expired(self):
        return time.time() >= self.issued_at + 60


BOTH_SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
SECRET_GRANTS = {"client_credentials", "password", "refresh_token"}

CLIENTS = {
    client.client_id: client
    for client in [
        Client("basic-client", "client_secret_basic", SECRET_GRANTS, TRICKY_SECRET, short_lived=True),
        Client("post-client", "client_secret_post", SECRET_GRANTS, TRICKY_SECRET, short_lived=True),
        Client("long-lived-client", "client_secret_basic", SECRET_GRANTS, TRICKY_SECRET),
        Client("secret-jwt-client", "client_secret_jwt", {"client_credentials"}, TRICKY_SECRET),
        Client("key-jwt-client", "private_key_jwt", {"client_credentials"}, jwks=public_jwks()),
        Client("native-app", "none", {"authorization_code", "refresh_token"}),
    ]
}
USERS = {"ana": User(1, "ana", "pa55 w0rd")}

lock = threading.Lock()
by_access = {}
by_refresh = {}
codes = {}
# (client id, jti) → when the assertion expires; a jti seen again before then is refused.
seen_jtis = {}
token_log = []
# Every revocation and introspection request, as server.py logs it.
endpoint_log = []


def expires_in(client, grant_type):
    if grant_type in ("password", "refresh_token") and client.short_lived:
        return SHORT_LIFETIME
    return LONG_LIFETIME


def save_token(fields, oauth_request):
    token = Token(oauth_request.client, oauth_request.user, fields)
    with lock:
        by_access[token.access_token] = token
        if token.refresh_token:
            by_refresh[token.refresh_token] = token


def find_token(token_string, hint):
    """The token `token_string` names, looked up as `hint` says first, then as the other kind
    (RFC 7009 §2.1: a wrong hint only costs a longer search)."""
    kinds = ["refresh_token", "access_token"] if hint == "refresh_token" else ["access_token", "refresh_token"]
    with lock:
        for kind in kinds:
            token = (by_access if kind == "access_token" else by_refresh).get(token_string)
            if token is not None:
                return Held(token, kind)
    return None


def first_use_of(client_id, jti, expires_at):
    """Records an assertion's `jti`; False if it was seen before (a replay)."""
    now = time.time()
    with lock:
        for key in [key for key, until in seen_jtis.items() if until < now]:
            del seen_jtis[key]
        if (client_id, jti) in seen_jtis:
            return False
        seen_jtis[(client_id, jti)] = max(expires_at, now) + 60
        return True
