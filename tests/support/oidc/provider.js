// A real OpenID Connect provider (npm's oidc-provider) for korps's tests; never deployed.
//
//   node provider.js PORT        (or OIDC_PORT=PORT node provider.js)
//
// Issuer http://127.0.0.1:PORT, one confidential client from the environment
// (OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI), the accounts of accounts.json
// (claims sub, email, email_verified, name, groups), authorization code flow with PKCE S256
// required. Login is a plain HTML form that a test can POST without a browser:
//   GET  /interaction/:uid        -> form (fields username, password)
//   POST /interaction/:uid/login  -> 303 back into the flow, or 401 with the form again
// Consent is granted at once: the client is first-party. Prints "ready ISSUER" when listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.OIDC_PORT);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node provider.js PORT (or OIDC_PORT=PORT)');
  process.exit(2);
}
const required = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'];
const missing = required.filter((name) => !process.env[name]);
if (missing.length) {
  console.error(`missing environment: ${missing.join(', ')}`);
  process.exit(2);
}

const issuer = `http://127.0.0.1:${port}`;
const { accounts } = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));

// A fresh signing key per run: a token from an earlier run must never validate.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `korps-test-${randomBytes(4).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

const ttl = 600;
const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: {
    AccessToken: ttl,
    AuthorizationCode: 60,
    IdToken: ttl,
    Interaction: ttl,
    Session: ttl,
    Grant: ttl,
  },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          groups: account.groups,
        };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
  },
};

const provider = new Provider(issuer, configuration);
const providerHandler = provider.callback();

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid, message) {
  const error = message ? `<p role="alert">${escapeHtml(message)}</p>` : '';
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Aanmelden</title></head>
<body><h1>Aanmelden (testprovider)</h1>${error}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Gebruikersnaam <input name="username" autocomplete="username"></label>
<label>Wachtwoord <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Aanmelden</button></form></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

async function grantEverythingRequested(details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  return grant.save();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'interaction mismatch');
  const { prompt } = details;
  if (prompt.name === 'consent') {
    const grantId = await grantEverythingRequested(details);
    return provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
  }
  if (prompt.name !== 'login') return send(res, 501, `prompt ${prompt.name} not supported`);
  if (action !== 'login' || req.method !== 'POST') return send(res, 200, loginForm(uid));
  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const account = accounts[username];
  if (!account || account.password !== form.get('password')) {
    return send(res, 401, loginForm(uid, 'Onbekende gebruikersnaam of wachtwoord.'));
  }
  return provider.interactionFinished(req, res, { login: { accountId: username } }, {
    mergeWithLastSubmission: false,
  });
}

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, issuer);
  const match = pathname.match(/^\/interaction\/([\w-]+)(?:\/(login))?$/);
  if (!match) return providerHandler(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(`interaction failed: ${error.message}`);
    if (!res.headersSent) send(res, 400, escapeHtml(error.message));
  });
});

server.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
