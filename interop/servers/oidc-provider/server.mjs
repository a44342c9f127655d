// The oidc-provider authorization server the interop suite (`cargo xtask interop`) runs against.
//
// Listens on 127.0.0.1 on two ports the system picks — plain HTTP, and HTTPS asking for a
// client certificate (mutual TLS, RFC 8705), both serving the same provider — and prints two
// lines on stdout, `listening-tls https://127.0.0.1:<port>` and `listening http://127.0.0.1:<port>`
// (the issuer); everything else goes to stderr. Exits when stdin closes, so it never outlives
// the task that started it. Its test-only keys and certificates (`jwt/`, `tls/`, made by
// `make-test-keys.sh`) are read from the folder named by `OAUTH_INTEROP_SERVER_SOURCE`, this
// file's folder in the repository.
//
// Clients (oidc-provider accepts either secret-based authentication method from any
// confidential client, whatever was registered):
//   basic-client  client_secret_basic, secret `a b+c/d:e%f&g=h`: client_credentials
//   post-client   client_secret_post,  secret `a b+c/d:e%f&g=h`: client_credentials
//   native-app    public (`none`), native: authorization_code with PKCE, refresh_token,
//                 device_code; redirect URI `http://127.0.0.1/callback` on any port (RFC 8252
//                 §7.3: oidc-provider ignores a native client's loopback port)
//   token-admin   client_secret_basic, secret `a b+c/d:e%f&g=h`: may introspect and revoke any
//                 client's tokens (a resource server's or an operator's client)
//   jwt-secret-client  client_secret_jwt (HS256 with the secret `a b+c/d:e%f&g=h`):
//                      client_credentials
//   jwt-key-client     private_key_jwt, its JWK Set the public keys of `jwt/` (kids es256-key,
//                      ed25519-key, rs256-key): client_credentials
//   mtls-client        tls_client_auth: the CA-signed `tls/client.pem`, registered by its subject
//                      DN; client_credentials, certificate-bound tokens
//   self-signed-mtls-client  self_signed_tls_client_auth: `tls/self-signed.pem`, registered as
//                      a JWK with `x5c`; client_credentials, certificate-bound tokens
// Only client_secret_basic and client_secret_post are interchangeable: every other method is
// accepted only from a client registered with it. The mutual-TLS methods need the HTTPS
// listener (the plain one has no certificate to show).
//
// The user-facing flows (`interop/src/user_flows.rs`): oidc-provider's own development login
// and consent pages (`devInteractions`: any login, any password), which the suite drives with
// plain HTTP; the device flow (`/device/auth`, the user at `/device`); revocation
// (`/token/revocation`) and introspection (`/token/introspection`). PKCE is required of every
// authorization request. Every client allowed the refresh_token grant gets a refresh token with
// the code or device grant, whatever the scope: oidc-provider's default issues one only for
// `offline_access`, which it drops unless the request also says `prompt=consent` — and a
// command-line login has no way to say that. The discovery document is served at both
// `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`.
//
// `GET /admin/token-log` lists every token request seen so far: the client authentication the
// request used (for an assertion, its `alg` and `kid` too), whether it came over TLS and with
// which client certificate (subject, whether the test CA signed it, its SHA-256 thumbprint),
// its grant type, the answer's status and error code, and the method that authenticated the
// client when the answer was 200. `GET /admin/endpoint-log` lists the same for every
// introspection and revocation request (`endpoint` names which), with the client it named and,
// for an assertion, its `aud` too.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

import Provider, { errors } from 'oidc-provider';

const TRICKY_SECRET = 'a b+c/d:e%f&g=h';

const client = (id, method) => ({
  client_id: id,
  client_secret: TRICKY_SECRET,
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
});

// A native app with a loopback redirect (RFC 8252): no secret, PKCE instead.
const nativeApp = {
  client_id: 'native-app',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
};

const TOKEN_ADMIN = 'token-admin';

const SOURCE = process.env.OAUTH_INTEROP_SERVER_SOURCE;
if (!SOURCE) {
  process.stderr.write('OAUTH_INTEROP_SERVER_SOURCE must name interop/servers/oidc-provider\n');
  process.exit(2);
}
const fixture = (name) => fs.readFileSync(path.join(SOURCE, name), 'utf8');

// A public key of `jwt/` as a JWK of the client's JWK Set.
const publicJwk = (file, kid) => ({ ...crypto.createPublicKey(fixture(file)).export({ format: 'jwk' }), kid, use: 'sig' });

const clientCredentialsOnly = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };

const jwtSecretClient = {
  client_id: 'jwt-secret-client',
  client_secret: TRICKY_SECRET,
  token_endpoint_auth_method: 'client_secret_jwt',
  ...clientCredentialsOnly,
};

const jwtKeyClient = {
  client_id: 'jwt-key-client',
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: {
    keys: [
      publicJwk('jwt/es256.pub.pem', 'es256-key'),
      publicJwk('jwt/ed25519.pub.pem', 'ed25519-key'),
      publicJwk('jwt/rs256.pub.pem', 'rs256-key'),
    ],
  },
  ...clientCredentialsOnly,
};

// RFC 4514: the subject's RDNs, most specific first, comma-separated (Node lists them the
// other way round, one a line). Enough for the test certificates' plain values.
const subjectDn = (certificate) => certificate.subject.split('\n').reverse().join(',');

const mtlsClient = {
  client_id: 'mtls-client',
  token_endpoint_auth_method: 'tls_client_auth',
  tls_client_auth_subject_dn: subjectDn(new crypto.X509Certificate(fixture('tls/client.pem'))),
  tls_client_certificate_bound_access_tokens: true,
  ...clientCredentialsOnly,
};

const selfSigned = new crypto.X509Certificate(fixture('tls/self-signed.pem'));
const selfSignedMtlsClient = {
  client_id: 'self-signed-mtls-client',
  token_endpoint_auth_method: 'self_signed_tls_client_auth',
  jwks: {
    keys: [{
      ...selfSigned.publicKey.export({ format: 'jwk' }),
      kid: 'self-signed-certificate',
      use: 'sig',
      x5c: [selfSigned.raw.toString('base64')],
    }],
  },
  tls_client_certificate_bound_access_tokens: true,
  ...clientCredentialsOnly,
};

// The certificate the client presented on this request's TLS connection, if any.
function peerCertificate(ctx) {
  const { socket } = ctx.req;
  if (socket.encrypted !== true) {
    return undefined;
  }
  const peer = socket.getPeerCertificate();
  return peer?.raw ? new crypto.X509Certificate(peer.raw) : undefined;
}

const mTLS = {
  enabled: true,
  tlsClientAuth: true,
  selfSignedTlsClientAuth: true,
  certificateBoundAccessTokens: true,
  getCertificate: (ctx) => peerCertificate(ctx)?.toString(),
  // The HTTPS listener verifies the chain against the test CA but lets any certificate in
  // (`rejectUnauthorized: false`): a self-signed one must reach self_signed_tls_client_auth.
  certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
  certificateSubjectMatches(ctx, property, expected) {
    const certificate = peerCertificate(ctx);
    return property === 'tls_client_auth_subject_dn' && certificate !== undefined && subjectDn(certificate) === expected;
  },
};

// oidc-provider's default lets a confidential client revoke only its own tokens (and answers
// invalid_request otherwise); `token-admin` may revoke anyone's. A public client asking about
// another's token is ignored (200, nothing revoked), as by default.
function revocationAllowed(ctx, client, token) {
  if (client.clientId === TOKEN_ADMIN || token.clientId === client.clientId) {
    return true;
  }
  if (client.clientAuthMethod === 'none') {
    return false;
  }
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}

const tokenLog = [];

const endpointLog = [];
const LOGGED_ENDPOINTS = { '/token/introspection': 'introspection', '/token/revocation': 'revocation' };

// A part of a compact JWT, decoded (nothing is verified: this only shows what was sent).
const jwtPart = (assertion, index) => JSON.parse(Buffer.from(assertion.split('.')[index], 'base64url').toString('utf8'));

// The JOSE header of the request's client assertion (`alg`, `kid`), if it has one.
function assertionHeader(ctx) {
  const assertion = ctx.oidc?.params?.client_assertion;
  if (typeof assertion !== 'string') {
    return undefined;
  }
  try {
    const { alg, kid } = jwtPart(assertion, 0);
    return { alg: alg ?? null, kid: kid ?? null };
  } catch {
    return { alg: null, kid: null };
  }
}

// The `aud` of the request's client assertion, if it has one that parses.
function assertionAudience(ctx) {
  try {
    return jwtPart(ctx.oidc.params.client_assertion, 1).aud ?? null;
  } catch {
    return null;
  }
}

// The client authentication the request carried: Basic, the secret or an assertion in the
// body; with none of these, the mutual-TLS method the named client is registered with, else
// `none`.
function authMethodOf(ctx, assertion) {
  const authorization = ctx.headers.authorization;
  if (authorization !== undefined) {
    return authorization.split(' ')[0].toLowerCase() === 'basic' ? 'client_secret_basic' : 'other';
  }
  if (assertion !== undefined) {
    return assertion.alg?.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt';
  }
  if (ctx.oidc?.params?.client_secret !== undefined) {
    return 'client_secret_post';
  }
  const registered = ctx.oidc?.client?.clientAuthMethod;
  return registered === 'tls_client_auth' || registered === 'self_signed_tls_client_auth' ? registered : 'none';
}

// What the server saw of the client certificate: its subject, whether the test CA signed it,
// and its thumbprint as RFC 8705 §3.1 writes it (`x5t#S256`).
function certificateSeen(ctx) {
  const certificate = peerCertificate(ctx);
  if (certificate === undefined) {
    return null;
  }
  return {
    subject: subjectDn(certificate),
    authorized: ctx.req.socket.authorized === true,
    'x5t#S256': crypto.hash('sha256', certificate.raw, 'base64url'),
  };
}

const server = http.createServer();
const tlsServer = https.createServer({
  key: fixture('tls/server.key.pem'),
  cert: fixture('tls/server.pem'),
  ca: [fixture('tls/ca.pem')],
  requestCert: true,
  rejectUnauthorized: false,
});

const listen = (listener) => new Promise((resolve) => {
  listener.listen(0, '127.0.0.1', () => resolve(listener.address().port));
});

// Never outlive the task that started this: stop when stdin closes, even while starting.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));

const [port, tlsPort] = await Promise.all([listen(server), listen(tlsServer)]);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    client('basic-client', 'client_secret_basic'),
    client('post-client', 'client_secret_post'),
    nativeApp,
    client(TOKEN_ADMIN, 'client_secret_basic'),
    jwtSecretClient,
    jwtKeyClient,
    mtlsClient,
    selfSignedMtlsClient,
  ],
  clientAuthMethods: [
    'none',
    'client_secret_basic',
    'client_secret_post',
    'client_secret_jwt',
    'private_key_jwt',
    'tls_client_auth',
    'self_signed_tls_client_auth',
  ],
  cookies: { keys: ['interop-only-cookie-signing-key'] },
  features: {
    clientCredentials: { enabled: true },
    // The built-in login and consent pages: a development aid, fine for a test server.
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    mTLS,
    revocation: { enabled: true, allowedPolicy: revocationAllowed },
    // No resource indicator is sent: client_credentials then gets an opaque token for no
    // particular resource server, which is all a token client needs.
    resourceIndicators: { enabled: true },
  },
  scopes: ['openid', 'offline_access', 'api:read'],
  routes: { token: '/token' },
  pkce: { required: () => true },
  issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    ClientCredentials: 3600,
    AccessToken: 3600,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 86400,
    Grant: 86400,
    Session: 86400,
  },
});

provider.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/admin/token-log') {
    ctx.body = { entries: tokenLog };
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/admin/endpoint-log') {
    ctx.body = { entries: endpointLog };
    return;
  }
  await next();
  const endpoint = ctx.method === 'POST' ? LOGGED_ENDPOINTS[ctx.path] : undefined;
  if (endpoint !== undefined) {
    const assertion = assertionHeader(ctx);
    const method = authMethodOf(ctx, assertion);
    endpointLog.push({
      endpoint,
      method,
      assertion: assertion === undefined ? null : { ...assertion, aud: assertionAudience(ctx) },
      client_id: ctx.oidc?.client?.clientId ?? null,
      status: ctx.status,
      error: ctx.body?.error ?? null,
      authenticated_by: ctx.status === 200 ? method : null,
    });
  }
  if (ctx.method === 'POST' && ctx.path === '/token') {
    const assertion = assertionHeader(ctx);
    const method = authMethodOf(ctx, assertion);
    tokenLog.push({
      method,
      assertion: assertion ?? null,
      tls: ctx.req.socket.encrypted === true,
      client_certificate: certificateSeen(ctx),
      grant_type: ctx.oidc?.params?.grant_type ?? null,
      status: ctx.status,
      error: ctx.body?.error ?? null,
      authenticated_by: ctx.status === 200 ? method : null,
    });
  }
});

server.on('request', provider.callback());
tlsServer.on('request', provider.callback());
process.stdout.write(`listening-tls https://127.0.0.1:${tlsPort}\n`);
process.stdout.write(`listening ${issuer}\n`);
