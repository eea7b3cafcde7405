// API tokens: createToken, listTokens, deleteToken, through windmill-client's
// UserService. An API token is a token of the one token store: a bearer for
// Windmill and Effektif alike, listed by its prefix only, revoked at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserService } from 'windmill-client';
import { WS, account, as, text, json, refused, effektifOrg, isInstant, noSecret } from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');

const inADay = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();

/** create makes an API token as ADMIN and answers it. */
async function create(requestBody) {
  as(ADMIN.token);
  return text(UserService.createToken({ requestBody }), 201);
}

/** listed answers ADMIN's listTokens entry for a token, or undefined. */
async function listed(token, data) {
  as(ADMIN.token);
  const list = await json(UserService.listTokens(data));
  assert.ok(Array.isArray(list));
  assert.ok(!JSON.stringify(list).includes(token), 'the list never shows a whole token');
  return list.find((t) => token.startsWith(t.token_prefix));
}

test('createToken answers 201 with the token as text; it is a bearer for Windmill and Effektif', async () => {
  const token = await create({ label: 'contract ci', expiration: inADay() });
  assert.notEqual(token, ADMIN.token);
  assert.ok(token.length >= 32, 'a token carries enough randomness');
  as(token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).email, ADMIN.email);
  assert.equal((await effektifOrg(WS, token)).status, 200, 'the API token works on Effektif');
  // Without a label or an expiration as well.
  const plain = await create({});
  as(plain);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
});

test('listTokens lists the caller\'s own tokens by prefix, label and dates, never the secret', async () => {
  const label = `listed ${Date.now()}`;
  const expiration = inADay();
  const token = await create({ label, expiration });
  const t = await listed(token);
  assert.ok(t, 'the new token is listed');
  assert.equal(t.label, label);
  assert.match(t.token_prefix, /^[A-Za-z0-9_-]+$/, 'a prefix is URL-safe without / (the client uses encodeURI)');
  assert.ok(t.token_prefix.length >= 8 && t.token_prefix.length <= token.length / 2, `prefix length ${t.token_prefix.length}`);
  assert.equal(Date.parse(t.expiration), Date.parse(expiration), 'expiration is the requested instant');
  assert.ok(isInstant(t.created_at), `created_at ${t.created_at}`);
  assert.ok(isInstant(t.last_used_at), `last_used_at ${t.last_used_at}`);
  assert.equal(t.read_only, false);
  assert.ok(await listed(token, { excludeEphemeral: true, page: 1, perPage: 100 }), 'the client\'s query parameters are accepted');

  as(MEMBER.token);
  const theirs = await json(UserService.listTokens());
  assert.ok(!theirs.some((x) => token.startsWith(x.token_prefix) && x.label === label), 'another user does not see it');
  noSecret(theirs, [token, ADMIN.token], 'listTokens');
});

test('deleteToken by prefix revokes the token at once; only the owner can', async () => {
  const token = await create({ label: `doomed ${Date.now()}` });
  const { token_prefix: prefix } = await listed(token);

  as(MEMBER.token);
  await refused(UserService.deleteToken({ tokenPrefix: prefix }), 404);
  as(token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email, 'another user\'s delete did nothing');

  as(ADMIN.token);
  assert.equal(await text(UserService.deleteToken({ tokenPrefix: prefix })), 'token deleted');
  as(token);
  await refused(UserService.getCurrentEmail(), 401);
  assert.equal((await effektifOrg(WS, token)).status, 401, 'dead on Effektif too');
  assert.equal(await listed(token), undefined, 'no longer listed');
  as(ADMIN.token);
  await refused(UserService.deleteToken({ tokenPrefix: prefix }), 404);
  await refused(UserService.deleteToken({ tokenPrefix: 'nosuchprefix' }), 404);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email, 'the caller\'s own session stays');
});

test('a token stops working after its expiration', async () => {
  const token = await create({ label: 'short lived', expiration: new Date(Date.now() + 3000).toISOString() });
  as(token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
  await new Promise((r) => setTimeout(r, 4500));
  as(token);
  await refused(UserService.getCurrentEmail(), 401);
});

test('createToken refuses bad input with 400 and makes nothing', async () => {
  as(ADMIN.token);
  const before = (await json(UserService.listTokens())).length;
  for (const requestBody of [
    { label: 'x', expiration: 'not a date' },
    { label: 'x', expiration: new Date(Date.now() - 60000).toISOString() },
    { label: 42 },
    { label: 'l'.repeat(1001) },
    { expiration: 12 },
  ]) {
    as(ADMIN.token);
    await refused(UserService.createToken({ requestBody }), 400);
  }
  as(ADMIN.token);
  assert.equal((await json(UserService.listTokens())).length, before, 'no token was made');
});

test('createToken with workspace_id and read_only: a bound, read-only token, listed as such', async () => {
  const token = await create({ label: `bound ${Date.now()}`, workspace_id: WS, read_only: true });
  const t = await listed(token);
  assert.equal(t.workspace_id, WS);
  assert.equal(t.read_only, true);
  as(token);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).email, ADMIN.email, 'it reads its workspace');
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
  await refused(UserService.createToken({ requestBody: { label: 'wider' } }), 403);
  as(ADMIN.token);
  assert.equal(await text(UserService.getCurrentEmail()), ADMIN.email);
});

test('createToken refuses a workspace the caller is no member of (404) and scopes (400)', async () => {
  as(ADMIN.token);
  await refused(UserService.createToken({ requestBody: { workspace_id: account('OUTSIDER').org } }), 404);
  await refused(UserService.createToken({ requestBody: { workspace_id: 'no-such-workspace' } }), 404);
  await refused(UserService.createToken({ requestBody: { scopes: ['jobs:read'] } }), 400);
});
