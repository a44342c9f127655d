// The oidc-provider authorization server the interop suite (`cargo xtask interop`) runs against.
//
// Listens on 127.0.0.1 on a port the system picks and prints one line on stdout,
// `listening http://127.0.0.1:<port>`; everything else goes to stderr. Exits when stdin closes,
// so it never outlives the task that started it.
//
// Clients (both may use client_credentials; oidc-provider accepts either authentication method
// from either client, whatever was registered):
//   basic-client  client_secret_basic, secret `a b+c/d:e%f&g=h`
//   post-client   client_secret_post,  secret `a b+c/d:e%f&g=h`
//
// `GET /admin/token-log` lists every token request seen so far: the client authentication the
// request used, its grant type, the answer's status and error code.

import http from 'node:http';

import Provider from 'oidc-provider';

const TRICKY_SECRET = 'a b+c/d:e%f&g=h';

const client = (id, method) => ({
  client_id: id,
  client_secret: TRICKY_SECRET,
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
});

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
    clients: [client('basic-client', 'client_secret_basic'), client('post-client', 'client_secret_post')],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      // No resource indicator is sent: client_credentials then gets an opaque token for no
      // particular resource server, which is all a token client needs.
      resourceIndicators: { enabled: true },
    },
    scopes: ['api:read'],
    routes: { token: '/token' },
    ttl: { ClientCredentials: 3600 },
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
