// Workspace users: whoami, whois, getUser, listUsers, listUsernames,
// updateUser, deleteUser and leaveWorkspace (both paths), through
// windmill-client's UserService, AdminService and WorkspaceService. The
// workspace is the Effektif organization WS; its members were made through
// Effektif (ADMIN signed up, the others accepted Effektif invitations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminService, UserService, WorkspaceService } from 'windmill-client';
import {
  WS, GROUP, USERNAME, account, as, text, json, refused, raw, expectText, effektifOrg, isInstant, usernameOf, noSecret,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const OUTSIDER = account('OUTSIDER');
const UPDATEE = account('UPDATEE');
const DELETEE = account('DELETEE');
const LEAVER = account('LEAVER');
const LEAVER_SEED = account('LEAVER_SEED');

/** checkUser checks the shape of a workspace User. */
function checkUser(u, email, isAdmin) {
  assert.equal(u.email, email);
  assert.match(u.username, USERNAME, 'usernames are URL-safe');
  assert.equal(u.is_admin, isAdmin);
  assert.equal(u.is_super_admin, false);
  assert.equal(u.operator, false);
  assert.equal(u.disabled, false);
  assert.ok(isInstant(u.created_at), `created_at ${u.created_at}`);
  for (const k of ['folders', 'folders_read', 'folders_owners']) {
    assert.ok(Array.isArray(u[k]), `${k} is an array (required by the client's User)`);
  }
  assert.ok(Array.isArray(u.groups), 'groups is an array');
}

/** members answers ADMIN's view of listUsers of WS. */
async function members() {
  as(ADMIN.token);
  return json(UserService.listUsers({ workspace: WS }));
}

async function usernameIn(email) {
  return usernameOf(await members(), email);
}

test('whoami answers the caller\'s workspace User, groups by name', async () => {
  as(ADMIN.token);
  const me = await json(UserService.whoami({ workspace: WS }));
  checkUser(me, ADMIN.email, true);
  assert.ok(me.groups.includes(GROUP), `groups ${JSON.stringify(me.groups)} name the Effektif group`);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).username, me.username, 'the username is stable');
  noSecret(me, [ADMIN.password, ADMIN.token], 'whoami');

  as(MEMBER.token);
  const member = await json(UserService.whoami({ workspace: WS }));
  checkUser(member, MEMBER.email, false);
  assert.ok(member.groups.includes(GROUP));
  assert.notEqual(member.username, me.username);
});

test('listUsers and listUsernames list the members to every member', async () => {
  as(MEMBER.token);
  const users = await json(UserService.listUsers({ workspace: WS }));
  assert.ok(Array.isArray(users));
  checkUser(users.find((u) => u.email === ADMIN.email), ADMIN.email, true);
  checkUser(users.find((u) => u.email === MEMBER.email), MEMBER.email, false);
  assert.equal(users.find((u) => u.email === OUTSIDER.email), undefined, 'a non-member is not listed');
  const names = users.map((u) => u.username);
  assert.equal(new Set(names).size, names.length, 'usernames are unique in a workspace');
  noSecret(users, [ADMIN.password, MEMBER.password, ADMIN.token, MEMBER.token], 'listUsers');

  const usernames = await json(UserService.listUsernames({ workspace: WS }));
  assert.ok(usernames.every((n) => typeof n === 'string'));
  assert.deepEqual([...usernames].sort(), [...names].sort(), 'listUsernames has the usernames of listUsers');
});

test('whois and getUser answer another member\'s User; an unknown username is 404', async () => {
  const adminName = await usernameIn(ADMIN.email);
  as(MEMBER.token);
  const who = await json(UserService.whois({ workspace: WS, username: adminName }));
  checkUser(who, ADMIN.email, true);
  assert.deepEqual(await json(UserService.getUser({ workspace: WS, username: adminName })), who);
  assert.deepEqual(await json(AdminService.getUser({ workspace: WS, username: adminName })), who);
  await refused(UserService.whois({ workspace: WS, username: 'no_such_user_here' }), 404);
  await refused(UserService.getUser({ workspace: WS, username: 'no_such_user_here' }), 404);
});

test('a non-member and an unknown workspace get 404 on every workspace route', async () => {
  as(OUTSIDER.token);
  const own = await json(UserService.whoami({ workspace: OUTSIDER.org }));
  assert.equal(own.is_admin, true, 'control: the outsider is the admin of their own workspace');
  const adminName = await usernameIn(ADMIN.email);
  as(OUTSIDER.token);
  const calls = [
    () => UserService.whoami({ workspace: WS }),
    () => UserService.whois({ workspace: WS, username: adminName }),
    () => UserService.getUser({ workspace: WS, username: adminName }),
    () => UserService.listUsers({ workspace: WS }),
    () => UserService.listUsernames({ workspace: WS }),
    () => UserService.updateUser({ workspace: WS, username: adminName, requestBody: { is_admin: false } }),
    () => UserService.deleteUser({ workspace: WS, username: adminName }),
    () => WorkspaceService.leaveWorkspace({ workspace: WS }),
    () => WorkspaceService.addUser({ workspace: WS, requestBody: { email: OUTSIDER.email, is_admin: true, operator: false } }),
    () => WorkspaceService.inviteUser({ workspace: WS, requestBody: { email: OUTSIDER.email, is_admin: true, operator: false } }),
  ];
  for (const call of calls) await refused(call(), 404);
  as(ADMIN.token);
  await refused(UserService.whoami({ workspace: 'no-such-workspace-here' }), 404);
  await refused(UserService.listUsers({ workspace: 'no-such-workspace-here' }), 404);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).is_admin, true, 'nothing changed');
});

test('updateUser sets is_admin, operator and disabled; fields left out stay; only admins', async () => {
  const name = await usernameIn(UPDATEE.email);
  const whois = async () => { as(ADMIN.token); return json(UserService.whois({ workspace: WS, username: name })); };
  const update = (body) => text(UserService.updateUser({ workspace: WS, username: name, requestBody: body }));

  as(MEMBER.token);
  await refused(UserService.updateUser({ workspace: WS, username: name, requestBody: { operator: true } }), 403);
  assert.equal((await whois()).operator, false, 'a refused update changes nothing');

  as(ADMIN.token);
  assert.equal(await update({ operator: true }), 'user updated');
  let u = await whois();
  assert.equal(u.operator, true);
  assert.equal(u.is_admin, false);

  as(ADMIN.token);
  assert.equal(await update({ is_admin: true }), 'user updated');
  u = await whois();
  assert.equal(u.is_admin, true);
  assert.equal(u.operator, true, 'operator was left out and stays');
  assert.equal((await effektifOrg(WS, UPDATEE.token)).json?.admin, true, 'a Windmill admin is an Effektif admin');

  as(ADMIN.token);
  await update({ is_admin: false, operator: false });
  u = await whois();
  assert.equal(u.is_admin, false);
  assert.equal(u.operator, false);
  assert.equal((await effektifOrg(WS, UPDATEE.token)).json?.admin, false, 'demoted in Effektif too');
  as(UPDATEE.token);
  await refused(UserService.updateUser({ workspace: WS, username: name, requestBody: { is_admin: true } }), 403);

  as(ADMIN.token);
  await update({ disabled: true });
  assert.equal((await whois()).disabled, true);
  as(UPDATEE.token);
  await refused(UserService.whoami({ workspace: WS }), 403);
  as(ADMIN.token);
  await update({ disabled: false });
  assert.equal((await whois()).disabled, false);
  as(UPDATEE.token);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).disabled, false, 'enabled again');

  as(ADMIN.token);
  await refused(UserService.updateUser({ workspace: WS, username: name, requestBody: { is_admin: 'yes' } }), 400);
  await refused(UserService.updateUser({ workspace: WS, username: name, requestBody: { disabled: 1 } }), 400);
  await refused(UserService.updateUser({ workspace: WS, username: 'no_such_user_here', requestBody: { operator: true } }), 404);
  assert.equal((await whois()).is_admin, false, 'bad input changed nothing');
});

test('the last admin cannot be demoted, deleted or leave: 409', async () => {
  as(OUTSIDER.token);
  const me = await json(UserService.whoami({ workspace: OUTSIDER.org }));
  assert.equal(me.is_admin, true);
  await refused(UserService.updateUser({ workspace: OUTSIDER.org, username: me.username, requestBody: { is_admin: false } }), 409);
  await refused(UserService.deleteUser({ workspace: OUTSIDER.org, username: me.username }), 409);
  await refused(WorkspaceService.leaveWorkspace({ workspace: OUTSIDER.org }), 409);
  assert.equal((await json(UserService.whoami({ workspace: OUTSIDER.org }))).is_admin, true, 'still the admin');
});

test('deleteUser takes a member out of the workspace (admins only); the identity stays', async () => {
  const name = await usernameIn(DELETEE.email);
  as(MEMBER.token);
  await refused(UserService.deleteUser({ workspace: WS, username: name }), 403);
  as(DELETEE.token);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).username, name, 'a refused delete changes nothing');

  as(ADMIN.token);
  assert.equal(await text(UserService.deleteUser({ workspace: WS, username: name })), 'user deleted');
  assert.ok(!(await json(UserService.listUsernames({ workspace: WS }))).includes(name));
  await refused(UserService.whois({ workspace: WS, username: name }), 404);
  await refused(UserService.deleteUser({ workspace: WS, username: name }), 404);
  as(DELETEE.token);
  await refused(UserService.whoami({ workspace: WS }), 404);
  assert.equal((await effektifOrg(WS, DELETEE.token)).status, 404, 'no longer a member in Effektif');
  assert.equal(await text(UserService.getCurrentEmail()), DELETEE.email, 'the identity and its session stay');
});

test('leaveWorkspace on the client path POST /w/{ws}/workspaces/leave', async () => {
  const name = await usernameIn(LEAVER.email);
  as(LEAVER.token);
  assert.equal((await json(UserService.whoami({ workspace: WS }))).username, name);
  assert.equal(await text(WorkspaceService.leaveWorkspace({ workspace: WS })), 'left workspace');
  await refused(UserService.whoami({ workspace: WS }), 404);
  assert.equal((await effektifOrg(WS, LEAVER.token)).status, 404, 'no longer a member in Effektif');
  as(ADMIN.token);
  assert.ok(!(await json(UserService.listUsernames({ workspace: WS }))).includes(name));
});

test('leaveWorkspace on the seed path POST /w/{ws}/users/leave_workspace', async () => {
  await usernameIn(LEAVER_SEED.email);
  expectText(await raw('POST', `/api/w/${WS}/users/leave_workspace`, { token: LEAVER_SEED.token }), 200, 'left workspace');
  as(LEAVER_SEED.token);
  await refused(UserService.whoami({ workspace: WS }), 404);
  assert.equal((await effektifOrg(WS, LEAVER_SEED.token)).status, 404);
});
