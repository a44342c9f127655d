// The oidc-provider authorization server the interop suite (`cargo xtask interop`) runs against.
//
// Listens on 127.0.0.1 on a port the system picks and prints one line on stdout,
// `listening http://127.0.0.1:<port>`; everything else goes to stderr. Exits when stdin closes,
// so it never outlives the task that started it.
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
// request used, its grant type, the answer's status and error code.

import http from 'node:http';

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

function authMethodOf(ctx) {
  const authorization = ctx.headers.authorization;
  if (authorization !== undefined) {
    return authorization.split(' ')[0].toLowerCase() === 'basic' ? 'client_secret_basic' : 'other';
  }
  return ctx.oidc?.params?.client_secret !== undefined ? 'client_secret_post' : 'none';
}

const server = http.createServer();

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      client('basic-client', 'client_secret_basic'),
      client('post-client', 'client_secret_post'),
      nativeApp,
      client(TOKEN_ADMIN, 'client_secret_basic'),
    ],
    cookies: { keys: ['interop-only-cookie-signing-key'] },
    features: {
      clientCredentials: { enabled: true },
      // The built-in login and consent pages: a development aid, fine for a test server.
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
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
    await next();
    if (ctx.method === 'POST' && ctx.path === '/token') {
      tokenLog.push({
        method: authMethodOf(ctx),
        grant_type: ctx.oidc?.params?.grant_type ?? null,
        status: ctx.status,
        error: ctx.body?.error ?? null,
      });
    }
  });

  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
