// Wire rules across operations: public operations ignore a bearer the
// configured client sends anyway (bogus, or a session that ended); every
// other operation answers 401 without a live token; bad input is a 4xx
// JSON object with a string message, never a 5xx (every call's answer is
// also checked in lib.mjs); and @epilot/user-client 3.13.1 drives the same
// server as the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GROUP_ID, account, assertErrorBody, sdk, uc, ok, data, refused, raw, rawRefused, windmillLogin, freshEmail, ids, mailCount, newMail, tokenIn,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const MULTI = account('MULTI');

/** deadToken answers a session token that ended: a Windmill login, logged out. */
async function deadToken() {
  const login = await windmillLogin(MEMBER.email, MEMBER.password);
  assert.equal(login.status, 200);
  const out = await raw('POST', '/api/auth/logout', { token: login.token });
  assert.equal(out.status, 200, 'Windmill logout');
  await refused(sdk(login.token).getMeV2(), 401);
  return login.token;
}

const EXPIRED_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiZXhwIjoxfQ.c2lnbmF0dXJl';

test('public operations ignore a present bearer: bogus, expired or ended', async () => {
  const inviteEmail = freshEmail('public.bearer');
  const before = await mailCount(inviteEmail);
  await data(sdk(ADMIN.token).inviteUser(null, { email: inviteEmail, language: 'en' }), 201);
  const token = tokenIn(await newMail(inviteEmail, before));
  for (const bearer of ['bogus', EXPIRED_JWT, await deadToken()]) {
    for (const c of [sdk(bearer), uc(bearer)]) {
      assert.equal((await data(c.getUserLoginParametersV2({ username: ADMIN.email }))).login_parameters[0].organization_id, ADMIN.orgId);
      assert.equal((await data(c.getUserLoginParameters({ username: ADMIN.email }))).login_parameters[0].organization_id, ADMIN.orgId);
      assert.equal((await data(c.checkInviteToken({ token }))).invitation_org_id, ADMIN.orgId);
      assert.equal(typeof (await data(c.beginDiscoverablePasskeyAuthentication())).challenge_token, 'string');
      // An unknown address gets the same shape as a real one (a decoy
      // credential): the answer tells nothing of who has an account.
      assert.equal(typeof (await data(c.beginPasskeyAuthentication(null, { email: freshEmail('nobody') }))).challenge_token, 'string');
      await refused(c.activateUser({ token: 'A'.repeat(22) }, { password: 'a long enough password' }), 404);
      await refused(c.rejectInvite({ token: 'A'.repeat(22) }), 404);
      await refused(c.verifyEmailWithToken({ token: 'A'.repeat(22) }, { password: 'a long enough password' }), 404);
    }
    const s = sdk(bearer);
    assert.equal(typeof (await data(s.requestPasswordReset(null, { email: freshEmail('nobody') }))).message, 'string');
    const r = await refused(s.resetPassword(null, { email: freshEmail('nobody'), token: 'A'.repeat(22), password: 'a long enough password' }), 400);
    assert.equal(r.data.error, 'INVALID_RESET_LINK');
    await refused(s.signUpUser(null, {}), 400);
  }
});

test('every other operation answers 401 without a live token', async () => {
  const ended = await deadToken();
  const calls = (c) => [
    () => c.getMeV2(), () => c.getMe(), () => c.listUsersV2(), () => c.listUsers({ org_ids: [ADMIN.orgId] }),
    () => c.getUserV2({ id: ADMIN.userId }), () => c.getUser({ id: ADMIN.userId }),
    () => c.updateUserV2({ id: MEMBER.userId }, { display_name: 'x' }), () => c.deleteUserV2({ id: MEMBER.userId }),
    () => c.inviteUser(null, { email: freshEmail('x') }), () => c.resendUserInvitation(null, { email: freshEmail('x'), language: 'en' }),
    () => c.sendUserPasswordReset(null, { email: MEMBER.email }), () => c.getGroupsForUser({ id: MEMBER.userId }),
    () => c.getGroups(), () => c.createGroup(null, { name: 'x' }), () => c.getGroup({ id: GROUP_ID }),
    () => c.updateGroup({ id: GROUP_ID }, { name: 'x' }), () => c.deleteGroup({ id: GROUP_ID }),
    () => c.advanceUserAssignment({ id: GROUP_ID }), () => c.createNavigation(null, { name: 'x', configuration: {} }),
    () => c.getNavigation({ id: 'abcdefghijklm' }), () => c.listUserSettings(), () => c.getUserSettingsScope({ scope: 's' }),
    () => c.getUserSetting({ scope: 's', key: 'k' }), () => c.putUserSetting({ scope: 's', key: 'k' }, { v: 1 }),
    () => c.deleteUserSetting({ scope: 's', key: 'k' }), () => c.beginPasskeyRegistration(null, { friendly_name: 'x' }),
    () => c.completePasskeyRegistration(null, { challenge_token: 'x', registration_response: {} }), () => c.listPasskeys(),
    () => c.deletePasskey({ credentialId: 'x' }), () => c.switchOrganization(null, { org_id: ADMIN.orgId }),
  ];
  for (const c of [sdk(), sdk('bogus'), sdk(EXPIRED_JWT), sdk(ended)]) {
    for (const call of calls(c)) await refused(call(), 401);
  }
  assert.equal((await data(sdk(ADMIN.token).getGroup({ id: GROUP_ID }))).id, GROUP_ID, 'nothing changed');
});

test('bad input: 4xx JSON with a string message, never a 5xx', async () => {
  const t = ADMIN.token;
  const bodies = ['{', '[]', '"text"', 'null', '{"a":'];
  for (const [method, path] of [['POST', '/v1/groups'], ['PATCH', `/v1/groups/${GROUP_ID}`], ['POST', '/v2/users/invite'],
    ['POST', '/v2/users/invite:resendEmail'], ['POST', '/v2/users:sendPasswordReset'], ['POST', '/v2/user/navigations'],
    ['PATCH', `/v2/users/${ADMIN.userId}`], ['POST', '/v2/users/switchOrganization'], ['POST', '/v2/users/me/passkeys:registerBegin'],
    ['POST', '/v2/users/me/passkeys:registerComplete'], ['POST', '/v2/users/public/signup'], ['POST', '/v2/users/public/requestPasswordReset'],
    ['POST', '/v2/users/public/resetPassword'], ['POST', '/v2/users/public/passkeys:authenticateBegin'],
    ['POST', '/v2/users/public/passkeys:resolveCredential']]) {
    for (const body of bodies) {
      const r = await raw(method, path, { token: t, body });
      assert.ok(r.status >= 400 && r.status < 500, `${r.what} with ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 200)}`);
      rawRefused(r, r.status);
    }
  }
  const big = JSON.stringify({ name: 'x'.repeat(2 << 20) });
  for (const path of ['/v1/groups', '/v2/user/navigations', '/v2/users/invite']) {
    const r = await raw('POST', path, { token: t, body: big });
    assert.ok(r.status === 400 || r.status === 413, `${r.what} with 2 MiB: ${r.status}`);
    rawRefused(r, r.status);
  }
  const xml = await raw('POST', '/v1/groups', { token: t, body: '<group name="x"/>', headers: { 'Content-Type': 'application/xml' } });
  rawRefused(xml, [400, 415]);
  // Long ids are 404, not key errors.
  const long = 'f'.repeat(2048);
  await refused(sdk(t).getUserV2({ id: long }), 404);
  await refused(sdk(t).getGroup({ id: long }), 404);
  await refused(sdk(t).getGroupsForUser({ id: long }), 404);
  await refused(sdk(t).getNavigation({ id: long }), 404);
  await refused(sdk(t).getUserSetting({ scope: long, key: 'k' }), [400, 404]);
  // An absurd username: no organizations, or a 4xx; never more.
  const lp = await sdk().getUserLoginParametersV2({ username: long }).then((r) => r, (e) => { if (!e.response) throw e; return e.response; });
  if (lp.status === 200) assert.deepEqual(lp.data.login_parameters, []);
  else {
    assert.ok(lp.status >= 400 && lp.status < 500, `a 2 KB username: ${lp.status}`);
    assertErrorBody(lp.headers['content-type'], lp.data, 'a 2 KB username');
  }
  const noGroup = await data(sdk(t).getGroup({ id: GROUP_ID }));
  assert.equal(noGroup.id, GROUP_ID, 'bad input changed nothing');
});

test('@epilot/user-client 3.13.1 against the same server', async () => {
  const a = uc(ADMIN.token);
  const me = await data(a.getMeV2());
  assert.equal(me.id, ADMIN.userId);
  assert.equal((await data(a.getMe())).id, ADMIN.userId);
  assert.ok(ids((await data(a.listUsersV2({ limit: 50 }))).results).includes(MEMBER.userId));
  assert.equal((await data(a.getUserV2({ id: MEMBER.userId }))).email, MEMBER.email);
  assert.equal((await data(a.getUser({ id: MEMBER.userId }))).email, MEMBER.email);
  const users = (await data(uc(MULTI.token).listUsers({ org_ids: [ADMIN.orgId, MULTI.orgId] }))).users;
  assert.ok(users.some((u) => u.organization_id === MULTI.orgId) && users.some((u) => u.organization_id === ADMIN.orgId), 'org_ids[] from user-client');
  assert.equal((await data(a.updateUserV2({ id: ADMIN.userId }, { department: 'Board' }))).department, 'Board');
  assert.ok(ids(await data(a.getGroupsForUser({ id: MEMBER.userId }))).includes(GROUP_ID));

  const g = await data(a.createGroup(null, { name: 'User-client group', user_ids: [MEMBER.userId] }), 201);
  assert.equal((await data(a.getGroup({ id: g.id }))).name, 'User-client group');
  assert.equal((await data(a.updateGroup({ id: g.id }, { name: 'Renamed by user-client' }), 201)).name, 'Renamed by user-client');
  assert.ok(ids((await data(a.getGroups({ query: 'renamed by user-client' }))).groups).includes(g.id));
  const step = await data(a.advanceUserAssignment({ id: g.id }));
  assert.equal(step.crt_assignee?.id, MEMBER.userId);
  await ok(a.deleteGroup({ id: g.id }), 204);

  const nav = await data(a.createNavigation(null, { name: `uc ${Date.now()}`, configuration: { main: [{ key: 'dashboard' }] } }), 201);
  assert.equal((await data(a.getNavigation({ id: nav.id }))).id, nav.id);
  assert.equal((await data(uc().getUserLoginParametersV2({ username: ADMIN.email }))).login_parameters[0].organization_id, ADMIN.orgId);
  assert.equal((await data(uc().getUserLoginParameters({ username: ADMIN.email }))).login_parameters[0].organization_id, ADMIN.orgId);
  assert.equal(typeof (await data(uc().beginDiscoverablePasskeyAuthentication())).challenge_token, 'string');
  assert.ok(Array.isArray((await data(a.listPasskeys())).passkeys));
  assert.equal(typeof (await data(a.beginPasskeyRegistration(null, { friendly_name: 'uc' }))).challenge_token, 'string');
  const { login_token: bound } = await data(uc(MULTI.token).switchOrganization(null, { org_id: ADMIN.orgId }));
  assert.equal((await data(uc(bound).getMeV2())).organization_id, ADMIN.orgId);

  const email = freshEmail('uc.invitee');
  const before = await mailCount(email);
  assert.equal((await data(a.inviteUser(null, { email, language: 'en' }), 201)).email, email);
  const token = tokenIn(await newMail(email, before));
  assert.equal((await data(uc().checkInviteToken({ token }))).invitation_org_id, ADMIN.orgId);
  assert.deepEqual(await data(uc().rejectInvite({ token })), { success: true });
});
