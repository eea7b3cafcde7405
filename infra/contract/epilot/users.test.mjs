// Users v2 and v1: getMeV2, getMe, listUsersV2, getUserV2, updateUserV2,
// deleteUserV2, listUsers (org_ids[] repeated and comma forms), getUser,
// the login parameters (v1 and v2) and switchOrganization. The epilot
// tenant is the caller's current organization (README.md): a session bound
// by switchOrganization's login_token, else the user's primary
// organization (the first one they joined or created).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HEX24, account, sdk, data, ok, refused, raw, rawRefused, effektif, effektifLogin, freshEmail, isInstant, ids, remember,
  mailCount, newMail, tokenIn,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const MEMBER2 = account('MEMBER2');
const DELETEE = account('DELETEE');
const MULTI = account('MULTI');
const OUTSIDER = account('OUTSIDER');

/** checkUserV2 checks the UserV2 of an account seen in an organization. */
function checkUserV2(u, a, orgId, what) {
  assert.equal(u.id, a.userId, `${what}: id`);
  assert.match(u.id, HEX24, `${what}: id is the identity's 24-hex id`);
  assert.equal(u.organization_id, orgId, `${what}: organization_id`);
  assert.equal(u.email, a.email, `${what}: email`);
  assert.equal(u.status, 'Active', `${what}: status`);
  assert.ok(isInstant(u.created_at), `${what}: created_at ${u.created_at}`);
  assert.equal(typeof u.display_name, 'string', `${what}: display_name`);
  assert.equal(typeof u.has_passkeys, 'boolean', `${what}: has_passkeys`);
  assert.equal(u.token, undefined, `${what}: no invite token on an active user`);
}

/** checkUserV1 checks the legacy User shape and its role ids. */
function checkUserV1(u, a, orgId, role, what) {
  for (const k of ['id', 'organization_id', 'email', 'name', 'preferred_language', 'roles', 'properties']) {
    assert.ok(k in u, `${what}: V1 User requires ${k}: ${JSON.stringify(u)}`);
  }
  assert.equal(u.id, a.userId, `${what}: id`);
  assert.equal(u.organization_id, orgId, `${what}: organization_id`);
  assert.equal(u.email, a.email, `${what}: email`);
  assert.equal(typeof u.name, 'string');
  assert.equal(typeof u.preferred_language, 'string');
  assert.ok(Array.isArray(u.properties), `${what}: properties is an array`);
  assert.deepEqual(u.roles, [`${orgId}:${role}`], `${what}: roles`);
}

test('getMeV2 and getMe answer the caller in their current organization', async () => {
  const me = await data(sdk(ADMIN.token).getMeV2());
  checkUserV2(me, ADMIN, ADMIN.orgId, 'ADMIN getMeV2');
  assert.equal(me.display_name, 'Olga Owner', 'display_name is first and last name joined by a space');
  const v1 = await data(sdk(ADMIN.token).getMe());
  checkUserV1(v1, ADMIN, ADMIN.orgId, 'owner', 'ADMIN getMe');
  assert.equal(v1.name, 'Olga Owner');

  const member = await data(sdk(MEMBER.token).getMeV2());
  checkUserV2(member, MEMBER, ADMIN.orgId, 'MEMBER getMeV2');
  assert.equal(member.display_name, 'Mia');
  checkUserV1(await data(sdk(MEMBER.token).getMe()), MEMBER, ADMIN.orgId, 'member', 'MEMBER getMe');

  // MULTI created its own organization first and joined ADMIN's later.
  checkUserV2(await data(sdk(MULTI.token).getMeV2()), MULTI, MULTI.orgId, 'MULTI getMeV2 (primary organization)');
});

test('listUsersV2: the current organization\'s users; query, limit and offset', async () => {
  const all = (await data(sdk(ADMIN.token).listUsersV2())).results;
  assert.ok(Array.isArray(all), 'results is an array');
  const listed = ids(all);
  for (const a of [ADMIN, MEMBER, MULTI]) assert.ok(listed.includes(a.userId), `${a.role} is listed`);
  assert.ok(!listed.includes(OUTSIDER.userId), 'a user of another organization is not listed');
  for (const u of all) assert.equal(u.organization_id, ADMIN.orgId);
  checkUserV2(all.find((u) => u.id === MEMBER.userId), MEMBER, ADMIN.orgId, 'MEMBER in the list');

  const q = MEMBER.email.split('@')[0].toUpperCase();
  const found = (await data(sdk(ADMIN.token).listUsersV2({ query: q }))).results;
  assert.deepEqual(ids(found), [MEMBER.userId], `query ${q} (case-insensitive, email or display name)`);
  const byName = (await data(sdk(ADMIN.token).listUsersV2({ query: 'olga own' }))).results;
  assert.ok(ids(byName).includes(ADMIN.userId), 'query matches the display name');

  const p0 = (await data(sdk(ADMIN.token).listUsersV2({ limit: 1, offset: 0 }))).results;
  const p1 = (await data(sdk(ADMIN.token).listUsersV2({ limit: 1, offset: 1 }))).results;
  assert.equal(p0.length, 1);
  assert.equal(p1.length, 1);
  assert.notEqual(p0[0].id, p1[0].id, 'pages do not overlap');
  assert.ok(listed.includes(p0[0].id) && listed.includes(p1[0].id));
  const beyond = (await data(sdk(ADMIN.token).listUsersV2({ limit: 10, offset: all.length }))).results;
  assert.deepEqual(beyond, [], 'an offset past the end answers no users');

  for (const bad of [{ limit: 'many' }, { limit: -1 }, { offset: -1 }, { offset: 'x' }]) {
    await refused(sdk(ADMIN.token).listUsersV2(bad), 400);
  }
  // A plain member reads the organization's users too.
  assert.ok(ids((await data(sdk(MEMBER.token).listUsersV2())).results).includes(ADMIN.userId));
  // MULTI's current organization is its own: ADMIN's users are not there.
  const multi = ids((await data(sdk(MULTI.token).listUsersV2())).results);
  assert.ok(multi.includes(MULTI.userId));
  assert.ok(!multi.includes(ADMIN.userId), 'MULTI lists its primary organization');
});

test('getUserV2 and getUser: a user of the organization; 404 otherwise', async () => {
  checkUserV2(await data(sdk(ADMIN.token).getUserV2({ id: MEMBER.userId })), MEMBER, ADMIN.orgId, 'getUserV2 MEMBER');
  checkUserV2(await data(sdk(MEMBER.token).getUserV2({ id: ADMIN.userId })), ADMIN, ADMIN.orgId, 'a member reads the admin');
  checkUserV1(await data(sdk(ADMIN.token).getUser({ id: MEMBER.userId })), MEMBER, ADMIN.orgId, 'member', 'getUser MEMBER');
  checkUserV1(await data(sdk(MEMBER.token).getUser({ id: ADMIN.userId })), ADMIN, ADMIN.orgId, 'owner', 'getUser ADMIN');
  for (const id of ['0123456789abcdef01234567', 'not-an-id', 'f'.repeat(2048), OUTSIDER.userId]) {
    await refused(sdk(ADMIN.token).getUserV2({ id }), 404);
    await refused(sdk(ADMIN.token).getUser({ id }), 404);
  }
  await refused(sdk(OUTSIDER.token).getUserV2({ id: ADMIN.userId }), 404);
  await refused(sdk(OUTSIDER.token).getUser({ id: MEMBER.userId }), 404);
});

test('updateUserV2: fields sent change, the rest stay; server-owned fields are ignored', async () => {
  const me = sdk(MEMBER2.token);
  const before = await data(me.getMeV2());
  const profile = {
    display_name: 'Max Updated', department: 'Sales', phone: '+49 30 1234567', secondary_phone: '+49 30 7654321',
    preferred_language: 'de', signature: '<p>Thanks</p>', is_signature_enabled: true, custom_start_page: '/app/dashboard',
    favorites: { entity_views: { opportunity: '891a5409850abf8b92bd2cb7bdd2844d32ce6bec' }, dashboard: '751ff121-9ac2-4511-a2e6-851f11287380' },
    email_notification_setting: { assigned_task: true, deleted_task: false },
    feature_preferences: { feature_name: true },
    properties: [{ name: 'profileImageName', value: 'avatar.png' }],
  };
  const updated = await data(me.updateUserV2({ id: MEMBER2.userId }, profile));
  checkUserV2(updated, MEMBER2, ADMIN.orgId, 'updateUserV2 answer');
  for (const [k, v] of Object.entries(profile)) assert.deepEqual(updated[k], v, `updateUserV2 sets ${k}`);

  const partial = await data(me.updateUserV2({ id: MEMBER2.userId }, { department: 'Finance' }));
  assert.equal(partial.department, 'Finance');
  for (const k of ['display_name', 'phone', 'preferred_language', 'signature', 'favorites', 'properties']) {
    assert.deepEqual(partial[k], profile[k], `${k} was left out and stays`);
  }

  // The SDK's example sends every field: the server-owned ones are ignored.
  const owned = await data(me.updateUserV2({ id: MEMBER2.userId }, {
    display_name: 'Max Again', id: OUTSIDER.userId, organization_id: OUTSIDER.orgId, status: 'Deactivated',
    token: 'an-invite-token', mfa_enabled: true, has_passkeys: true, phone_verified: true,
    created_at: '2000-01-01T00:00:00.000Z', activated_at: '2000-01-01T00:00:00.000Z',
    draft_email_expires_at: '2100-01-01T00:00:00.000Z', password_reset_token_hash: 'ab'.repeat(32),
    password_reset_token_expires_at: '2100-01-01T00:00:00.000Z',
  }));
  assert.equal(owned.display_name, 'Max Again', 'the writable field in the same body changes');
  checkUserV2(owned, MEMBER2, ADMIN.orgId, 'after server-owned fields');
  assert.equal(owned.created_at, before.created_at, 'created_at is server-owned');
  assert.equal(owned.has_passkeys, false, 'has_passkeys is server-owned');
  assert.notEqual(owned.mfa_enabled, true, 'mfa_enabled is server-owned');
  assert.notEqual(owned.phone_verified, true, 'phone_verified is server-owned');
  assert.equal(owned.draft_email_expires_at ?? null, null, 'draft_email_expires_at is server-owned');

  // Another reader sees it, and it is the core's name (the Effektif names).
  assert.equal((await data(sdk(ADMIN.token).getUserV2({ id: MEMBER2.userId }))).display_name, 'Max Again');
  const eff = await effektif(`/${ADMIN.org}/users/${MEMBER2.userId}`, ADMIN.token);
  assert.equal(eff.status, 200);
  assert.equal(`${eff.json.firstName ?? ''} ${eff.json.lastName ?? ''}`.trim(), 'Max Again', 'display_name is the identity\'s name');

  // The profile is the identity's own (the core's rule): an admin may not change another user's.
  await refused(sdk(ADMIN.token).updateUserV2({ id: MEMBER2.userId }, { display_name: 'Hijacked' }), 403);
  await refused(sdk(OUTSIDER.token).updateUserV2({ id: MEMBER2.userId }, { display_name: 'Hijacked' }), 404);
  assert.equal((await data(me.getMeV2())).display_name, 'Max Again', 'refused updates change nothing');

  for (const bad of [{ display_name: 42 }, { custom_start_page: 'https://elsewhere.example/' }, { preferred_language: ['de'] },
    { favorites: 'all' }, { properties: [{ name: 'x' }] }, { email: 'not an address' }]) {
    await refused(me.updateUserV2({ id: MEMBER2.userId }, bad), 400);
  }
  rawRefused(await raw('PATCH', `/v2/users/${MEMBER2.userId}`, { token: MEMBER2.token, body: '{"display_name": "x"' }), 400);
  rawRefused(await raw('PATCH', `/v2/users/${MEMBER2.userId}`, { token: MEMBER2.token, body: '[]' }), 400);
  assert.equal((await data(me.getMeV2())).display_name, 'Max Again', 'bad input changes nothing');
});

test('deleteUserV2: an admin removes a member from the organization and gets the V1 user', async () => {
  await refused(sdk(MEMBER.token).deleteUserV2({ id: DELETEE.userId }), 403);
  await refused(sdk(OUTSIDER.token).deleteUserV2({ id: DELETEE.userId }), 404);
  const gone = await data(sdk(ADMIN.token).deleteUserV2({ id: DELETEE.userId }));
  checkUserV1(gone, DELETEE, ADMIN.orgId, 'member', 'deleteUserV2 answer');
  await refused(sdk(ADMIN.token).getUserV2({ id: DELETEE.userId }), 404);
  await refused(sdk(ADMIN.token).deleteUserV2({ id: DELETEE.userId }), 404);
  assert.ok(!ids((await data(sdk(ADMIN.token).listUsersV2())).results).includes(DELETEE.userId));
  assert.equal((await effektif(`/${ADMIN.org}/users/${DELETEE.userId}`, ADMIN.token)).status, 404, 'gone from Effektif too');
  assert.equal((await effektifLogin(DELETEE.email, DELETEE.password)).status, 200, 'the identity stays');
  // The last admin of an organization cannot be removed.
  await refused(sdk(OUTSIDER.token).deleteUserV2({ id: OUTSIDER.userId }), 409);
  assert.equal((await data(sdk(OUTSIDER.token).getMeV2())).organization_id, OUTSIDER.orgId);
});

test('listUsers (v1): the caller\'s organizations, filtered by org_ids[] (repeated) or org_ids=a,b', async () => {
  const A = ADMIN.orgId;
  const C = MULTI.orgId;
  const pairs = (users) => users.map((u) => `${u.organization_id}/${u.id}`).sort();
  const c = sdk(MULTI.token);

  const inA = (await data(c.listUsers({ org_ids: [A] }))).users;
  assert.ok(Array.isArray(inA));
  for (const u of inA) assert.equal(u.organization_id, A);
  assert.ok(ids(inA).includes(ADMIN.userId) && ids(inA).includes(MULTI.userId));
  checkUserV1(inA.find((u) => u.id === ADMIN.userId), ADMIN, A, 'owner', 'ADMIN in listUsers');
  checkUserV1(inA.find((u) => u.id === MULTI.userId), MULTI, A, 'member', 'MULTI in A');

  const inC = (await data(c.listUsers({ org_ids: [C] }))).users;
  assert.deepEqual(pairs(inC), [`${C}/${MULTI.userId}`]);
  checkUserV1(inC[0], MULTI, C, 'owner', 'MULTI in its own organization');

  const both = pairs((await data(c.listUsers({ org_ids: [A, C] }))).users);
  assert.deepEqual(both, [...pairs(inA), ...pairs(inC)].sort(), 'org_ids[]=A&org_ids[]=C');
  const comma = await raw('GET', `/v1/users?org_ids=${A},${C}`, { token: MULTI.token });
  assert.equal(comma.status, 200, comma.text.slice(0, 300));
  assert.deepEqual(pairs(comma.json.users), both, 'org_ids=A,C is the same filter');
  const all = pairs((await data(c.listUsers())).users);
  assert.deepEqual(all, both, 'without org_ids: every organization of the caller');

  // An organization the caller is not in contributes nothing.
  const foreign = (await data(c.listUsers({ org_ids: [OUTSIDER.orgId] }))).users;
  assert.ok(!ids(foreign).includes(OUTSIDER.userId));
  for (const u of foreign) assert.notEqual(u.organization_id, OUTSIDER.orgId);

  const q = (await data(c.listUsers({ org_ids: [A], query: ADMIN.email.split('@')[0] }))).users;
  assert.deepEqual(ids(q), [ADMIN.userId], 'query');
  assert.equal((await data(c.listUsers({ org_ids: [A], limit: 1 }))).users.length, 1, 'limit');
  await refused(c.listUsers({ limit: 'all' }), 400);
});

test('login parameters (v1 and v2): the user\'s organizations, primary first; the same for any letter case', async () => {
  const anon = sdk();
  const lp = (await data(anon.getUserLoginParametersV2({ username: MULTI.email }))).login_parameters;
  assert.deepEqual(lp.map((p) => p.organization_id), [MULTI.orgId, ADMIN.orgId], 'primary (created first) first');
  assert.deepEqual(lp.map((p) => p.organization_name), [MULTI.orgName, ADMIN.orgName]);
  for (const p of lp) {
    assert.equal(typeof p.passkey_enabled, 'boolean');
    assert.equal(p.passkeys_registered, false);
  }
  assert.deepEqual((await data(anon.getUserLoginParameters({ username: MULTI.email }))).login_parameters, lp, 'v1 answers the same');
  assert.deepEqual((await data(anon.getUserLoginParametersV2({ username: MULTI.email.toUpperCase() }))).login_parameters, lp, 'any letter case');
  assert.deepEqual((await data(anon.getUserLoginParametersV2({ username: freshEmail('nobody') }))).login_parameters, [],
    'an unknown username has no organizations');
  assert.deepEqual((await data(anon.getUserLoginParameters({ username: 'not an address' }))).login_parameters, []);

  // The username is percent-encoded before the :getLoginParameters suffix (a+b@c.d → a%2Bb%40c.d).
  const plus = `plus+${Date.now()}.${process.pid}@example.com`;
  const password = remember(`plus-password-${Date.now()}`);
  const name = `epilot Plus ${Date.now()}`;
  const before = await mailCount(plus);
  await data(anon.signUpUser(null, {
    organization_detail: { type: 'Vendor', name, pricing_tier: 'professional', email: plus },
    user_detail: { full_name: 'Pat Plus', email: plus, password }, language: 'en',
  }));
  await ok(anon.activateUser({ token: tokenIn(await newMail(plus, before)) }, {}));
  const plusParams = (await data(anon.getUserLoginParametersV2({ username: plus }))).login_parameters;
  assert.deepEqual(plusParams.map((p) => p.organization_name), [name]);
  assert.match(plusParams[0].organization_id, HEX24);
  assert.deepEqual((await data(anon.getUserLoginParameters({ username: plus }))).login_parameters, plusParams);
});

test('switchOrganization: a login token bound to the chosen organization', async () => {
  const { login_token: token } = await data(sdk(MULTI.token).switchOrganization(null, { org_id: ADMIN.orgId }));
  assert.equal(typeof token, 'string');
  assert.ok(token.length >= 20, 'a real token');
  const bound = sdk(token);
  checkUserV2(await data(bound.getMeV2()), MULTI, ADMIN.orgId, 'getMeV2 with the login token');
  checkUserV1(await data(bound.getMe()), MULTI, ADMIN.orgId, 'member', 'getMe with the login token');
  assert.ok(ids((await data(bound.listUsersV2())).results).includes(ADMIN.userId), 'lists the chosen organization');
  // The token is a session of that organization on every API.
  assert.equal((await effektif(`/${ADMIN.org}`, token)).status, 200);
  assert.equal((await effektif(`/${MULTI.org}`, token)).status, 404, 'bound: other organizations answer 404');
  // The caller's own session stays in the primary organization.
  assert.equal((await data(sdk(MULTI.token).getMeV2())).organization_id, MULTI.orgId);
  const back = (await data(bound.switchOrganization(null, { org_id: MULTI.orgId }))).login_token;
  assert.equal((await data(sdk(back).getMeV2())).organization_id, MULTI.orgId, 'switching back');

  await refused(sdk(MULTI.token).switchOrganization(null, { org_id: OUTSIDER.orgId }), 404);
  await refused(sdk(MULTI.token).switchOrganization(null, { org_id: '0123456789abcdef01234567' }), 404);
  await refused(sdk(MULTI.token).switchOrganization(null, {}), 400);
  await refused(sdk(MULTI.token).switchOrganization(null, { org_id: 42 }), 400);
  await refused(sdk().switchOrganization(null, { org_id: ADMIN.orgId }), 401);
  // Switching changes no primary organization.
  const lp = (await data(sdk().getUserLoginParametersV2({ username: MULTI.email }))).login_parameters;
  assert.equal(lp[0].organization_id, MULTI.orgId);
  await ok(bound.getMeV2());
});
