// Super-admin operations (createUserGlobally, globalUserUpdate,
// listUsersAsSuperAdmin) are refused to a workspace admin who is not a super
// admin (Effektif's systemAdmin): 403, and nothing is written. Without a
// valid token they are 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserService } from 'windmill-client';
import { WS, account, as, text, json, refused, effektifLogin, freshEmail } from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');

/** control fails unless ADMIN is a workspace admin and not a super admin. */
async function control() {
  as(ADMIN.token);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).is_admin, true, 'control: ADMIN is a workspace admin');
  as(ADMIN.token);
  assert.equal((await json(UserService.globalWhoami())).super_admin, false, 'control: ADMIN is no super admin');
}

test('createUserGlobally is refused to a workspace admin; nothing is created', async () => {
  await control();
  const email = freshEmail('global');
  const password = 'a global password';
  for (const superAdmin of [false, true]) {
    as(ADMIN.token);
    await refused(UserService.createUserGlobally({ requestBody: { email, password, super_admin: superAdmin, name: 'Glo Bal', company: 'Co' } }), 403);
  }
  as(undefined);
  await refused(UserService.createUserGlobally({ requestBody: { email, password, super_admin: false } }), 401);
  assert.equal((await effektifLogin(email, password)).status, 401, 'no account was made');
  as(undefined);
  await refused(UserService.login({ requestBody: { email, password } }), 401);
});

test('globalUserUpdate is refused to a workspace admin, for their own address too', async () => {
  await control();
  as(ADMIN.token);
  await refused(UserService.globalUserUpdate({ email: ADMIN.email, requestBody: { is_super_admin: true } }), 403);
  await refused(UserService.globalUserUpdate({ email: MEMBER.email, requestBody: { disabled: true, name: 'Taken Over' } }), 403);
  // The client sends the address raw in the path (encodeURI keeps @ and +).
  await refused(UserService.globalUserUpdate({ email: 'some+one@example.com', requestBody: { is_devops: true } }), 403);
  as(ADMIN.token);
  assert.equal((await json(UserService.globalWhoami())).super_admin, false, 'still no super admin');
  as(MEMBER.token);
  const member = await json(UserService.globalWhoami());
  assert.equal(member.disabled, false, 'the member was not disabled');
  assert.notEqual(member.name, 'Taken Over');
  assert.equal(await text(UserService.getCurrentEmail()), MEMBER.email);
  as(undefined);
  await refused(UserService.globalUserUpdate({ email: ADMIN.email, requestBody: { is_super_admin: true } }), 401);
});

test('listUsersAsSuperAdmin is refused to a workspace admin', async () => {
  await control();
  as(ADMIN.token);
  await refused(UserService.listUsersAsSuperAdmin(), 403);
  await refused(UserService.listUsersAsSuperAdmin({ page: 1, perPage: 100, activeOnly: true }), 403);
  as(undefined);
  await refused(UserService.listUsersAsSuperAdmin({ page: 1 }), 401);
});
