// Login, logout, the caller's identity, passwords and OAuth, through
// windmill-client's UserService. One identity across APIs: the tokens of
// either API work on the other, and a logout ends a token for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserService } from 'windmill-client';
import {
  WS, OAUTH_CLIENT, account, as, env, text, json, refused, raw, expectStatus, expectText, lastResponse,
  effektifLogin, effektifOrg, freshEmail, noSecret,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const OUTSIDER = account('OUTSIDER');
const PASSWORD = account('PASSWORD');

/** setCookies lists the Set-Cookie lines of the client's last answer. */
function setCookies() {
  const h = lastResponse().headers;
  return typeof h.getSetCookie === 'function' ? h.getSetCookie() : [h.get('set-cookie')].filter(Boolean);
}

/** tokenCookie finds the `token` cookie line of the last answer. */
function tokenCookie() {
  const line = setCookies().find((c) => /^token=/.test(c));
  assert.ok(line, `no Set-Cookie for token; got ${JSON.stringify(setCookies())}`);
  return line;
}

/** windmillLogin logs in through the client with its default no_token bearer. */
async function windmillLogin(email, password) {
  as(undefined);
  return text(UserService.login({ requestBody: { email, password } }));
}

test('login: with Bearer no_token, answers the token as text/plain and sets it as the token cookie', async () => {
  const token = await windmillLogin(ADMIN.email, ADMIN.password);
  const cookie = tokenCookie();
  assert.equal(cookie.split(';')[0], `token=${token}`, 'the cookie holds the same token as the body');
  assert.match(cookie, /;\s*HttpOnly/i, 'the cookie is HttpOnly');
  assert.match(cookie, /;\s*Path=\/(;|$)/i, 'the cookie has Path=/');
  assert.notEqual(token, ADMIN.token, 'a login makes a new session');
  noSecret(token, [ADMIN.password], 'the login answer');

  as(token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
  // A Windmill login token is an Effektif token.
  assert.equal((await effektifOrg(WS, token)).status, 200, 'the Windmill token reads the organization through Effektif');

  // Without any Authorization header (a plain fetch), login works as well.
  const r = expectStatus(await raw('POST', '/api/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } }), 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  as(r.text);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
});

test('login: a user invited through Effektif logs in through Windmill', async () => {
  const token = await windmillLogin(MEMBER.email, MEMBER.password);
  as(token);
  const me = await json(UserService.whoami({ workspace: WS }));
  assert.equal(me.email, MEMBER.email);
  assert.equal(me.is_admin, false);
});

test('login: wrong credentials are 401, bad input 400/413/415, never 5xx', async () => {
  as(undefined);
  await refused(UserService.login({ requestBody: { email: OUTSIDER.email, password: 'not the password at all' } }), 401);
  await refused(UserService.login({ requestBody: { email: freshEmail('nobody'), password: 'whatever password' } }), 401);
  await refused(UserService.login({ requestBody: { email: OUTSIDER.email } }), 400);
  await refused(UserService.login({ requestBody: { password: 'whatever password' } }), 400);
  await refused(UserService.login({ requestBody: { email: 42, password: 'whatever password' } }), 400);
  await refused(UserService.login({ requestBody: [] }), 400);
  for (const [body, headers, status] of [
    ['{"email":', {}, 400],
    ['', {}, 400],
    [JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 << 20) }), {}, 413],
    ['<login/>', { 'Content-Type': 'application/xml' }, 415],
  ]) {
    expectStatus(await raw('POST', '/api/auth/login', { body, headers }), status);
  }
});

test('an Effektif session token is a Windmill bearer; getCurrentEmail answers the address as text', async () => {
  as(ADMIN.token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
  as(MEMBER.token);
  assert.equal(await text(UserService.getCurrentEmail()), MEMBER.email);
});

test('unknown, malformed and no_token bearers get 401 on every authenticated route, never 5xx', async () => {
  as(ADMIN.token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email, 'control: a good token works');
  const calls = [
    () => UserService.getCurrentEmail(),
    () => UserService.globalWhoami(),
    () => UserService.whoami({ workspace: WS }),
    () => UserService.listUsers({ workspace: WS }),
    () => UserService.listTokens(),
    () => UserService.createToken({ requestBody: { label: 'nope' } }),
    () => UserService.setPassword({ requestBody: { password: 'a long new password' } }),
    () => UserService.listWorkspaceInvites(),
    () => UserService.logout(),
  ];
  for (const bad of [undefined /* no_token */, 'A'.repeat(43), 'x', '%00', 'Bearer', ADMIN.token + 'x']) {
    for (const call of calls) {
      as(bad);
      await refused(call(), 401);
    }
  }
});

test('globalWhoami answers the caller\'s GlobalUserInfo', async () => {
  as(ADMIN.token);
  const me = await json(UserService.globalWhoami());
  assert.equal(me.email, ADMIN.email);
  assert.equal(me.login_type, 'password');
  assert.equal(me.super_admin, false);
  assert.equal(me.verified, true, 'an activated Effektif account is verified');
  assert.equal(me.name, env('WMT_ADMIN_NAME'), 'name is the first and last name');
  assert.equal(typeof me.first_time_user, 'boolean');
  assert.equal(me.role_source, 'manual');
  assert.equal(me.disabled, false);
  noSecret(me, [ADMIN.password, ADMIN.token], 'globalWhoami');
});

test('logout (client path POST /auth/logout) ends that token at once for Windmill and Effektif', async () => {
  const token = await windmillLogin(ADMIN.email, ADMIN.password);
  assert.equal((await effektifOrg(WS, token)).status, 200, 'control: the token works on Effektif');
  as(token);
  assert.equal(await text(UserService.logout()), 'logged out');
  const cleared = tokenCookie();
  assert.match(cleared, /^token=;|;\s*Max-Age=0|;\s*Expires=Thu, 01 Jan 1970/i, `the token cookie is cleared: ${cleared}`);
  await refused(UserService.getCurrentEmail(), 401);
  await refused(UserService.whoami({ workspace: WS }), 401);
  assert.equal((await effektifOrg(WS, token)).status, 401, 'the logged-out token is dead on Effektif too');
  as(ADMIN.token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email, 'the other sessions stay');
});

test('logout on the seed path POST /users/logout does the same', async () => {
  const token = await windmillLogin(ADMIN.email, ADMIN.password);
  expectText(await raw('POST', '/api/users/logout', { token }), 200, 'logged out');
  as(token);
  await refused(UserService.getCurrentEmail(), 401);
  assert.equal((await effektifOrg(WS, token)).status, 401);
});

test('logout of an Effektif session through Windmill ends it for Effektif', async () => {
  const login = await effektifLogin(ADMIN.email, ADMIN.password);
  assert.equal(login.status, 200, login.body);
  as(login.token);
  assert.equal(await text(UserService.logout()), 'logged out');
  assert.equal((await effektifOrg(WS, login.token)).status, 401);
});

test('setPassword: the new password logs in through Effektif and Windmill, the old one no more, other sessions end', async () => {
  const current = await windmillLogin(PASSWORD.email, PASSWORD.password);
  as(current);
  await refused(UserService.setPassword({ requestBody: { password: 'short' } }), 400);
  await refused(UserService.setPassword({ requestBody: { password: 12345678 } }), 400);
  await refused(UserService.setPassword({ requestBody: {} }), 400);
  await refused(UserService.setPassword({ requestBody: { password: 'p'.repeat(257) } }), 400);
  assert.equal((await effektifLogin(PASSWORD.email, PASSWORD.password)).status, 200, 'bad input changed nothing');

  const next = `new ${PASSWORD.password} ${Date.now()}`;
  as(current);
  assert.equal(await text(UserService.setPassword({ requestBody: { password: next } })), 'password set');
  assert.equal((await effektifLogin(PASSWORD.email, next)).status, 200, 'the new password logs in through Effektif');
  assert.equal((await effektifLogin(PASSWORD.email, PASSWORD.password)).status, 401, 'the old password is refused');
  const again = await windmillLogin(PASSWORD.email, next);
  assert.notEqual(again, current);
  as(current);
  assert.equal(await text(UserService.getCurrentEmail()), PASSWORD.email, 'the session that set it stays');
  assert.equal((await effektifOrg(PASSWORD.org, PASSWORD.token)).status, 401, 'every other session ends');
  as(PASSWORD.token);
  await refused(UserService.getCurrentEmail(), 401);
});

test('loginWithOauth: Bearer no_token is ignored; bad callbacks are refused, never 5xx', async () => {
  as(undefined);
  await refused(UserService.loginWithOauth({ clientName: OAUTH_CLIENT, requestBody: {} }), 400);
  await refused(UserService.loginWithOauth({ clientName: OAUTH_CLIENT, requestBody: { code: 'c' } }), 400);
  await refused(UserService.loginWithOauth({ clientName: OAUTH_CLIENT, requestBody: { code: 'not-a-code', state: 'not-a-state-we-issued' } }), 401);
  await refused(UserService.loginWithOauth({ clientName: 'no_such_client', requestBody: { code: 'c', state: 's' } }), 404);
});
