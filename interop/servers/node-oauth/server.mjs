// The @node-oauth/oauth2-server authorization server the interop suite (`cargo xtask interop`)
// runs against: the library behind a small express wrapper, with its model kept in memory.
//
// Listens on 127.0.0.1 on a port the system picks and prints one line on stdout,
// `listening http://127.0.0.1:<port>`; everything else goes to stderr. Exits when stdin closes,
// so it never outlives the task that started it.
//
// The library reads client credentials from a Basic header (split on the first `:`, nothing
// decoded) or from `client_id` + `client_secret` in the body, and has no notion of a registered
// authentication method: every client may use either. Clients, all with the client_credentials,
// password and refresh_token grants and the secret `a b+c/d:e%f&g=h`:
//   basic-client, post-client    the names the other servers use
//   abc+def/ghi==                a client id that percent-encoded Basic changes
//   urn:app:1                    a client id with colons: only the body can carry it
// and one allowed client_credentials only (for `unauthorized_client`):
//   cc-only-client
// User for the password grant: `bob`, password `p@ss w0rd+&=%`.
//
// Lifetimes: client_credentials tokens 3600 s; password and refresh_token tokens 3 s, so a
// client sees them expire within a test. The library answers the time left rounded down, so
// `expires_in` is 3599 or 3600, and 2 or 3.
//
// Endpoints:
//   POST /token                  the library's token endpoint with its defaults: a refresh
//                                issues a new refresh token and revokes the one used
//                                (`alwaysIssueNewRefreshToken`)
//   POST /no-rotation/token      the same with `alwaysIssueNewRefreshToken: false`: a refresh
//                                answers no refresh token and the one used stays valid
//   GET  /api/me                 bearer-protected (the library's `authenticate`): 401 with a
//                                Bearer `invalid_token` challenge for an unknown, expired or
//                                revoked token, else 200 JSON
//   POST /admin/revoke-all       revokes every access token issued so far
//   POST /admin/revoke-refresh-tokens   revokes every refresh token issued so far
//   GET  /admin/token-log        every token request so far: the client authentication it used,
//                                its grant type, the answer's status and error code

import { timingSafeEqual } from 'node:crypto';

import OAuth2Server from '@node-oauth/oauth2-server';
import express from 'express';

const { Request, Response, UnauthorizedRequestError } = OAuth2Server;

const TRICKY_SECRET = 'a b+c/d:e%f&g=h';
const SHORT_LIFETIME = 3;
const LONG_LIFETIME = 3600;
const ALL_GRANTS = ['client_credentials', 'password', 'refresh_token'];

const CLIENTS = new Map(
  [
    ['basic-client', ALL_GRANTS],
    ['post-client', ALL_GRANTS],
    ['abc+def/ghi==', ALL_GRANTS],
    ['urn:app:1', ALL_GRANTS],
    ['cc-only-client', ['client_credentials']],
  ].map(([id, grants]) => [id, { id, secret: TRICKY_SECRET, grants }]),
);
const USERS = new Map([['bob', { id: 'bob', username: 'bob', password: 'p@ss w0rd+&=%' }]]);

function same(expected, given) {
  const a = Buffer.from(expected);
  const b = Buffer.from(String(given));
  return a.length === b.length && timingSafeEqual(a, b);
}

// Issued tokens: one record per token response, found by its access or its refresh token.
const byAccess = new Map();
const byRefresh = new Map();
const tokenLog = [];

// The library's model (the part of it these grants use), in memory.
const model = {
  async getClient(clientId, clientSecret) {
    const client = CLIENTS.get(clientId);
    if (!client || (clientSecret != null && !same(client.secret, clientSecret))) {
      return null;
    }
    return { id: client.id, grants: client.grants };
  },

  async getUser(username, password) {
    const user = USERS.get(username);
    return user && same(user.password, password) ? { id: user.id, username: user.username } : null;
  },

  // client_credentials: the client acts for itself.
  async getUserFromClient(client) {
    return { id: client.id, username: null };
  },

  async saveToken(token, client, user) {
    const record = { ...token, client, user, revoked: false, refreshRevoked: false };
    byAccess.set(record.accessToken, record);
    if (record.refreshToken) {
      byRefresh.set(record.refreshToken, record);
    }
    return record;
  },

  async getAccessToken(accessToken) {
    const record = byAccess.get(accessToken);
    return record && !record.revoked ? record : null;
  },

  async getRefreshToken(refreshToken) {
    const record = byRefresh.get(refreshToken);
    return record && !record.refreshRevoked ? record : null;
  },

  // Called on a refresh that rotates: the refresh token used is spent.
  async revokeToken(token) {
    const record = byRefresh.get(token.refreshToken);
    if (!record || record.refreshRevoked) {
      return false;
    }
    record.refreshRevoked = true;
    return true;
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime: LONG_LIFETIME });

// How the request presented its client, for the token log.
function authMethodOf(req) {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    return authorization.split(' ')[0].toLowerCase() === 'basic' ? 'client_secret_basic' : 'other';
  }
  return req.body?.client_secret !== undefined ? 'client_secret_post' : 'none';
}

// The answer to an error of the library, as its own express adapter writes it: the headers the
// handler set (here also for `authenticate`, whose challenge that adapter drops), the error's
// status, and `{error, error_description}` (no body for a request with no token at all).
function sendError(res, response, e) {
  res.set(response.headers);
  res.status(e.code ?? 500);
  if (e instanceof UnauthorizedRequestError) {
    return res.send();
  }
  return res.send({ error: e.name, error_description: e.message });
}

function tokenEndpoint(options) {
  return async (req, res) => {
    const grantType = req.body?.grant_type;
    const lifetime = grantType === 'password' || grantType === 'refresh_token' ? SHORT_LIFETIME : LONG_LIFETIME;
    const response = new Response(res);
    try {
      await oauth.token(new Request(req), response, { ...options, accessTokenLifetime: lifetime });
      res.set(response.headers);
      res.status(response.status).send(response.body);
    } catch (e) {
      sendError(res, response, e);
    }
    tokenLog.push({
      method: authMethodOf(req),
      grant_type: grantType ?? null,
      status: res.statusCode,
      error: response.body?.error ?? null,
    });
  };
}

const app = express();
app.disable('x-powered-by');
const form = express.urlencoded({ extended: false });

app.post('/token', form, tokenEndpoint({}));
app.post('/no-rotation/token', form, tokenEndpoint({ alwaysIssueNewRefreshToken: false }));

app.get('/api/me', async (req, res) => {
  const response = new Response(res);
  let token;
  try {
    token = await oauth.authenticate(new Request(req), response);
  } catch (e) {
    return sendError(res, response, e);
  }
  res.set(response.headers);
  return res.send({ client_id: token.client.id, user: token.user.username });
});

app.post('/admin/revoke-all', (req, res) => {
  for (const record of byAccess.values()) {
    record.revoked = true;
  }
  res.send({ revoked: byAccess.size });
});

app.post('/admin/revoke-refresh-tokens', (req, res) => {
  for (const record of byRefresh.values()) {
    record.refreshRevoked = true;
  }
  res.send({ revoked: byRefresh.size });
});

app.get('/admin/token-log', (req, res) => {
  res.send({ entries: tokenLog });
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
