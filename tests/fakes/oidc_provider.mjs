// A real, certified OpenID Provider (the npm package oidc-provider) configured like the Belgian
// providers: PKCE, private_key_jwt, signed ID tokens, acr_values and custom claims.
// Usage: node oidc_provider.mjs <config.json>; tests/fakes/oidc.py writes the config and starts it.
// The login page is a plain HTML form: usable with the keyboard, labelled, in Dutch and English.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const moduleUrl = new URL('../e2e/node_modules/oidc-provider/lib/index.js', import.meta.url);
const { default: Provider } = await import(moduleUrl);

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

const provider = new Provider(config.issuer, {
  clients: [
    {
      client_id: config.client.client_id,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: config.client.jwks },
      redirect_uris: config.client.redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: config.signing_keys },
  pkce: { required: () => true },
  acrValues: config.acr_values,
  scopes: ['openid', 'profile', 'email', 'egovnrn'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'birthdate'],
    email: ['email'],
    egovnrn: ['egovNRN'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ['test-cookie-key-not-secret'] },
  ttl: { IdToken: config.id_token_ttl || 600 },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  async loadExistingGrant(ctx) {
    // First-party test provider: everything asked is granted, no consent page.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, requested) {
  const wanted = (requested || '').split(' ').filter(Boolean);
  const options = config.acr_values
    .map((acr) => {
      const selected = wanted.includes(acr) ? ' selected' : '';
      return `<option value="${escape(acr)}"${selected}>${escape(acr)}</option>`;
    })
    .join('');
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Test-aanmelding / Test sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;margin:2rem;color:#111;background:#fff}
label{display:block;margin-top:1rem}input,select,button{font-size:1rem;padding:.4rem}
button{margin-top:1rem;margin-right:1rem}:focus{outline:3px solid #1a56db}</style></head>
<body><main><h1>Test-aanmelding <span lang="en">(test sign-in)</span></h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="account">Gebruiker <span lang="en">(user)</span></label>
<input id="account" name="account" type="text" autocomplete="username" value="">
<label for="acr">Niveau <span lang="en">(level)</span></label>
<select id="acr" name="acr">${options}</select>
<div><button type="submit" name="choice" value="login">Aanmelden <span lang="en">(sign in)</span></button>
<button type="submit" name="choice" value="cancel">Annuleren <span lang="en">(cancel)</span></button></div>
</form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();

const server = createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(loginPage(details.uid, details.params.acr_values));
      return undefined;
    }
    const form = await readForm(req);
    if (form.get("choice") === "cancel") {
      const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    const accountId = form.get('account') || '';
    if (!accounts[accountId]) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(loginPage(details.uid, details.params.acr_values));
      return undefined;
    }
    const result = { login: { accountId, acr: form.get('acr') || config.acr_values[0] } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 400;
    res.end(String(error));
    return undefined;
  }
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${config.port}\n`);
});
