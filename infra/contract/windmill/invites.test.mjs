// Invitations: inviteUser and addUser (WorkspaceService, the client's paths
// /w/{ws}/workspaces/invite_user and /w/{ws}/workspaces/add_user), the seed
// path /w/{ws}/users/add, listWorkspaceInvites, acceptInvite and
// declineInvite. Adding an address is an invitation that its holder accepts
// (the core's rule, see README.md): the answer does not tell whether the
// address has an account, and the workspace sees nothing of it until then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserService, WorkspaceService } from 'windmill-client';
import {
  WS, account, as, text, json, refused, raw, expectStatus, expectText, effektifOrg, freshEmail, mailsTo, usernameOf,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const ACCEPTER = account('ACCEPTER');
const DECLINER = account('DECLINER');
const ADDED = account('ADDED');
const ADDED_SEED = account('ADDED_SEED');

const uniqueName = (p) => `${p}_${Date.now().toString(36)}`;

/** invitesOf answers the invites a user sees for WS. */
async function invitesOf(user) {
  as(user.token);
  const list = await json(UserService.listWorkspaceInvites());
  assert.ok(Array.isArray(list));
  return list.filter((i) => i.workspace_id === WS);
}

async function usernames() {
  as(ADMIN.token);
  return json(UserService.listUsernames({ workspace: WS }));
}

async function adminName() {
  as(ADMIN.token);
  return usernameOf(await json(UserService.listUsers({ workspace: WS })), ADMIN.email);
}

test('inviteUser invites and mails an address; the answer does not tell whether it has an account; admins only', async () => {
  as(MEMBER.token);
  await refused(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: ACCEPTER.email, is_admin: false, operator: true } }), 403);
  assert.deepEqual(await invitesOf(ACCEPTER), [], 'a refused invite makes nothing');

  const mailsBefore = (await mailsTo(ACCEPTER.email)).length;
  as(ADMIN.token);
  const known = await text(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: ACCEPTER.email, is_admin: false, operator: true } }), 201);
  assert.equal(known, 'user invited');
  assert.ok((await mailsTo(ACCEPTER.email)).length > mailsBefore, 'the invitee got a mail');

  const fresh = freshEmail('fresh.invitee');
  as(ADMIN.token);
  const unknown = await text(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: fresh, is_admin: false, operator: false } }), 201);
  assert.equal(unknown, known, 'same answer for an address without an account');
  assert.ok((await mailsTo(fresh)).length > 0, 'an address without an account is mailed too');

  as(ADMIN.token);
  await refused(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: 'not an address', is_admin: false, operator: false } }), 400);
  await refused(WorkspaceService.inviteUser({ workspace: WS, requestBody: { is_admin: false, operator: false } }), 400);
  await refused(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: freshEmail('x'), is_admin: 'no', operator: false } }), 400);
});

test('listWorkspaceInvites and acceptInvite: the invitee joins under the username they choose', async () => {
  const invites = await invitesOf(ACCEPTER);
  assert.equal(invites.length, 1, `invites ${JSON.stringify(invites)}`);
  const [inv] = invites;
  assert.equal(inv.workspace_id, WS);
  assert.equal(inv.email, ACCEPTER.email);
  assert.equal(inv.is_admin, false);
  assert.equal(inv.operator, true);
  as(ACCEPTER.token);
  await refused(UserService.whoami({ workspace: WS }), 404);

  const taken = await adminName();
  as(ACCEPTER.token);
  await refused(UserService.acceptInvite({ requestBody: { workspace_id: WS, username: taken } }), 409);
  await refused(UserService.acceptInvite({ requestBody: { workspace_id: WS, username: 'bad name/x' } }), 400);
  await refused(UserService.acceptInvite({ requestBody: { username: 'someone' } }), 400);
  assert.equal((await invitesOf(ACCEPTER)).length, 1, 'refused accepts keep the invite');

  const chosen = uniqueName('accepter');
  as(ACCEPTER.token);
  assert.equal(await text(UserService.acceptInvite({ requestBody: { workspace_id: WS, username: chosen } })), 'invite accepted');
  as(ACCEPTER.token);
  const me = await json(UserService.whoami({ workspace: WS }));
  assert.equal(me.username, chosen);
  assert.equal(me.email, ACCEPTER.email);
  assert.equal(me.is_admin, false);
  assert.equal(me.operator, true, 'the invite\'s operator flag');
  assert.deepEqual(await invitesOf(ACCEPTER), [], 'the invite is gone');
  const org = await effektifOrg(WS, ACCEPTER.token);
  assert.equal(org.status, 200, 'a member in Effektif too');
  assert.equal(org.json?.admin, false);
  as(ACCEPTER.token);
  await refused(UserService.acceptInvite({ requestBody: { workspace_id: WS, username: uniqueName('again') } }), 404);
});

test('declineInvite deletes the invite without joining', async () => {
  as(ADMIN.token);
  await text(WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: DECLINER.email, is_admin: true, operator: false } }), 201);
  const invites = await invitesOf(DECLINER);
  assert.equal(invites.length, 1);
  assert.equal(invites[0].is_admin, true);
  as(DECLINER.token);
  await refused(UserService.declineInvite({ requestBody: {} }), 400);
  assert.equal(await text(UserService.declineInvite({ requestBody: { workspace_id: WS } })), 'invite declined');
  assert.deepEqual(await invitesOf(DECLINER), []);
  as(DECLINER.token);
  await refused(UserService.whoami({ workspace: WS }), 404);
  await refused(UserService.declineInvite({ requestBody: { workspace_id: WS } }), 404);
  await refused(UserService.acceptInvite({ requestBody: { workspace_id: WS } }), 404);
  assert.equal((await effektifOrg(WS, DECLINER.token)).status, 404);
});

test('addUser (client path /w/{ws}/workspaces/add_user) invites; on acceptance the member has the admin\'s username and flags', async () => {
  const chosen = uniqueName('added');
  as(MEMBER.token);
  await refused(WorkspaceService.addUser({ workspace: WS, requestBody: { email: ADDED.email, is_admin: true, username: chosen, operator: false } }), 403);
  assert.deepEqual(await invitesOf(ADDED), []);

  as(ADMIN.token);
  await refused(WorkspaceService.addUser({ workspace: WS, requestBody: { email: ADDED.email, is_admin: false, username: 'bad name', operator: false } }), 400);
  await refused(WorkspaceService.addUser({ workspace: WS, requestBody: { email: 'nope', is_admin: false, username: uniqueName('x'), operator: false } }), 400);
  await refused(WorkspaceService.addUser({ workspace: WS, requestBody: { email: ADDED.email, is_admin: false, username: await adminName(), operator: false } }), 409);
  assert.deepEqual(await invitesOf(ADDED), [], 'refused adds make nothing');

  as(ADMIN.token);
  const known = await text(WorkspaceService.addUser({ workspace: WS, requestBody: { email: ADDED.email, is_admin: true, username: chosen, operator: false } }), 201);
  assert.equal(known, 'user invited');
  as(ADMIN.token);
  const unknown = await text(WorkspaceService.addUser({ workspace: WS, requestBody: { email: freshEmail('fresh.added'), is_admin: false, username: uniqueName('fresh'), operator: false } }), 201);
  assert.equal(unknown, known, 'same answer for an address without an account');

  assert.ok(!(await usernames()).includes(chosen), 'not a member before accepting');
  as(ADMIN.token);
  await refused(UserService.whois({ workspace: WS, username: chosen }), 404);
  const invites = await invitesOf(ADDED);
  assert.equal(invites.length, 1);
  assert.equal(invites[0].is_admin, true);
  assert.equal(invites[0].operator, false);

  as(ADDED.token);
  assert.equal(await text(UserService.acceptInvite({ requestBody: { workspace_id: WS } })), 'invite accepted');
  as(ADDED.token);
  const me = await json(UserService.whoami({ workspace: WS }));
  assert.equal(me.username, chosen, 'the username the admin gave');
  assert.equal(me.is_admin, true);
  assert.equal((await effektifOrg(WS, ADDED.token)).json?.admin, true, 'an Effektif admin too');
  assert.ok((await usernames()).includes(chosen));
});

test('createUser on the seed path POST /w/{ws}/users/add does the same', async () => {
  const chosen = uniqueName('seedadded');
  const body = { email: ADDED_SEED.email, username: chosen, is_admin: false };
  expectStatus(await raw('POST', `/api/w/${WS}/users/add`, { token: MEMBER.token, body }), 403);
  expectStatus(await raw('POST', `/api/w/${WS}/users/add`, { token: ADMIN.token, body: { ...body, email: 'nope' } }), 400);
  expectText(await raw('POST', `/api/w/${WS}/users/add`, { token: ADMIN.token, body }), 201, 'user invited');
  assert.equal((await invitesOf(ADDED_SEED)).length, 1);
  as(ADDED_SEED.token);
  await text(UserService.acceptInvite({ requestBody: { workspace_id: WS } }));
  as(ADDED_SEED.token);
  const me = await json(UserService.whoami({ workspace: WS }));
  assert.equal(me.username, chosen);
  assert.equal(me.is_admin, false);
});
