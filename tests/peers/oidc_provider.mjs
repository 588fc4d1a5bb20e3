// An OpenID Provider for the sign-in tests: the npm package oidc-provider (an independent,
// certified implementation), started by tests/peers/oidc.py.
//
//   node tests/peers/oidc_provider.mjs PORT
//
// Environment:
//   OIDC_PEER_CLIENT_ID, OIDC_PEER_CLIENT_SECRET  the one client (the app)
//   OIDC_PEER_ACCOUNTS_FILE  JSON {subject: {claims}}, read at every sign-in, so a test
//                            writes the people it needs before it signs in
//   OIDC_PEER_TOKEN_CLOCK_OFFSET  seconds added to the provider's clock while it answers at
//                            its token endpoint: a negative value makes every ID token it
//                            issues expired already, without waiting (its cookies keep the
//                            real time, so the browser keeps them)
//
// Its development login form takes any login (the subject) and any password; a consent
// page follows ("Continue"), as oidc-provider asks it of every native client.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const env = process.env;
const offset = Number(env.OIDC_PEER_TOKEN_CLOCK_OFFSET || 0);
const realNow = Date.now;

function accounts() {
  return JSON.parse(readFileSync(env.OIDC_PEER_ACCOUNTS_FILE, 'utf8'));
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: env.OIDC_PEER_CLIENT_ID,
      client_secret: env.OIDC_PEER_CLIENT_SECRET,
      // "native": loopback redirect URIs match on any port (RFC 8252 7.3), and the tests'
      // servers listen on ports chosen at run time
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/login/sso/callback', 'http://localhost/login/sso/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/login', 'http://localhost/login'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'locale', 'employee_id', 'department', 'country', 'groups'],
    email: ['email', 'email_verified'],
  },
  // every claim of the granted scopes in the ID token, as the IdPs in the README are set up
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, sub) {
    const claims = accounts()[sub];
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
  ttl: { IdToken: 600, AccessToken: 600, Interaction: 600, Session: 600, Grant: 600 },
  cookies: { keys: ['oidc-peer-test-only'] },
});
if (offset) {
  // the tests send one request at a time, so the shifted clock never leaks into another
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token') return next();
    Date.now = () => realNow() + offset * 1000;
    try {
      return await next();
    } finally {
      Date.now = realNow;
    }
  });
}
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`oidc peer on ${port}`));
