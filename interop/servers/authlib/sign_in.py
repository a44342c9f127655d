# The pages a person signs in at, for the authorization code grant of `native-app`: a login
# form, then a consent form, then the redirect to the client (or, cancelled, `access_denied`).
# Plain HTML forms, so the suite's headless user (interop/src/browser.rs) can walk them; like
# oidc-provider's development pages, the login takes any password for a known user.
#
#   GET  /authorize                          Authlib checks the request (client, redirect URI,
#                                            PKCE); the login form, or the error
#   POST /authorize/<uid>                    `login`, `password` → the consent form
#   POST /authorize/<uid>/consent            consent given → 302 to the client with a code
#   GET  /authorize/<uid>/consent/abort      consent refused → 302 with `access_denied`
#
# The request's parameters are kept server-side under <uid> between the pages.

import html
import secrets

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from flask import Blueprint
from flask import request

import store

pages = Blueprint("sign_in", __name__)
# Set by server.py: the AuthorizationServer.
server = None
# <uid> → {"url": the authorization URL, "args": its parameters, "user": who signed in}
pending = {}


class StoredRequest(OAuth2Request):
    """The authorization request of the first page, replayed on the later ones."""

    def __init__(self, url, args):
        super().__init__("GET", url)
        self._args = args
        self.payload = BasicOAuth2Payload(args)

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return {}


def page(title, body):
    return f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"


def stored(uid):
    with store.lock:
        return pending.get(uid)


UNKNOWN = page("Unknown request", "<p>This sign-in request is unknown or finished.</p>"), 400


@pages.get("/authorize")
def authorize():
    try:
        server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return server.handle_error_response(request, error)
    uid = secrets.token_urlsafe(16)
    with store.lock:
        pending[uid] = {"url": request.url, "args": request.args.to_dict(), "user": None}
    return page(
        "Sign in",
        f'<form method="post" action="/authorize/{uid}">'
        '<input type="text" name="login" required> <input type="password" name="password" required>'
        '<button type="submit">Sign in</button></form>',
    )


@pages.post("/authorize/<uid>")
def login(uid):
    entry = stored(uid)
    if entry is None:
        return UNKNOWN
    user = store.USERS.get(request.form.get("login", ""))
    if user is None or not request.form.get("password"):
        return page("Sign in", "<p>Unknown user.</p>"), 401
    with store.lock:
        entry["user"] = user
    scope = html.escape(entry["args"].get("scope", ""))
    client = html.escape(entry["args"].get("client_id", ""))
    return page(
        "Consent",
        f"<p>{client} asks for `{scope}`.</p>"
        f'<form method="post" action="/authorize/{uid}/consent">'
        '<input type="hidden" name="prompt" value="consent"><button type="submit">Allow</button></form>'
        f'<a href="/authorize/{uid}/consent/abort">Cancel</a>',
    )


@pages.post("/authorize/<uid>/consent")
def consent(uid):
    return answer(uid, granted=True)


@pages.get("/authorize/<uid>/consent/abort")
def abort(uid):
    return answer(uid, granted=False)


def answer(uid, granted):
    with store.lock:
        entry = pending.pop(uid, None)
    if entry is None:
        return UNKNOWN
    if entry["user"] is None:
        return page("Sign in first", "<p>No one signed in for this request.</p>"), 400
    oauth_request = StoredRequest(entry["url"], entry["args"])
    try:
        grant = server.get_consent_grant(request=oauth_request, end_user=entry["user"])
    except OAuth2Error as error:
        return server.handle_error_response(oauth_request, error)
    user = entry["user"] if granted else None
    return server.create_authorization_response(request=oauth_request, grant_user=user, grant=grant)
