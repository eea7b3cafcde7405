// Groups: getGroups (hits, query, limit, offset, hydrate), createGroup (201),
// getGroup, updateGroup (201, as the client expects), deleteGroup (204),
// getGroupsForUser, and advanceUserAssignment: a round-robin assignee that
// follows the group's listed users, exactly once under concurrent calls,
// 422 without users. Groups are the core's groups: a group made in epilot
// is the same group in Effektif (GET /api/v1/{org}/groups/{id}, the
// members' groupIds), and Effektif's groups are epilot's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GROUP_ID, GROUP_NAME, HEX24, account, sdk, data, refused, raw, rawRefused, effektif, isInstant, ids, sleep,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const MEMBER2 = account('MEMBER2');
const MEMBER3 = account('MEMBER3');
const OUTSIDER = account('OUTSIDER');

/** userIds answers the sorted ids of a group's users (items are {id, …} objects). */
function userIds(group) {
  assert.ok(Array.isArray(group.users), `users is an array: ${JSON.stringify(group)}`);
  for (const u of group.users) assert.equal(typeof u?.id, 'string', `a user item is an object with an id: ${JSON.stringify(u)}`);
  return group.users.map((u) => u.id).sort();
}

function checkGroup(g, what) {
  for (const k of ['id', 'org_id', 'name', 'created_at', 'updated_at']) assert.ok(k in g, `${what}: Group requires ${k}`);
  assert.match(g.id, HEX24, `${what}: id is the core's group id`);
  assert.equal(g.org_id, ADMIN.orgId, `${what}: org_id`);
  assert.ok(isInstant(g.created_at) && isInstant(g.updated_at), `${what}: instants`);
}

/** effektifGroupIds answers a member's groupIds as Effektif shows them. */
async function effektifGroupIds(userId) {
  const r = await effektif(`/${ADMIN.org}/users/${userId}`, ADMIN.token);
  assert.equal(r.status, 200);
  return r.json.groupIds ?? [];
}

test('a group made in Effektif is an epilot group', async () => {
  const { hits, groups } = await data(sdk(MEMBER.token).getGroups());
  assert.equal(typeof hits, 'number');
  assert.ok(Array.isArray(groups) && hits >= groups.length);
  const g = groups.find((x) => x.id === GROUP_ID);
  assert.ok(g, `the Effektif group ${GROUP_ID} is listed: ${JSON.stringify(groups.map((x) => x.id))}`);
  checkGroup(g, 'getGroups item');
  assert.equal(g.name, GROUP_NAME);
  assert.deepEqual(userIds(g), [ADMIN.userId, MEMBER.userId].sort());
  const got = await data(sdk(MEMBER.token).getGroup({ id: GROUP_ID }));
  assert.equal(got.name, GROUP_NAME);
  const forMember = await data(sdk(ADMIN.token).getGroupsForUser({ id: MEMBER.userId }));
  assert.ok(Array.isArray(forMember), 'getGroupsForUser answers a bare array');
  assert.ok(ids(forMember).includes(GROUP_ID));
});

test('createGroup, getGroup, updateGroup, getGroupsForUser, deleteGroup; the same group in Effektif', async () => {
  const admin = sdk(ADMIN.token);
  const body = { name: 'Finance', user_ids: [MEMBER.userId, MEMBER2.userId], image_uri: { gradient_colors: ['#0588f0', '#3358d4'] }, abbreviation: 'FN' };
  const g = await data(admin.createGroup(null, body), 201);
  checkGroup(g, 'createGroup');
  assert.equal(g.name, 'Finance');
  assert.equal(g.created_by, ADMIN.userId);
  assert.deepEqual(userIds(g), [MEMBER.userId, MEMBER2.userId].sort());
  assert.deepEqual(g.image_uri?.gradient_colors, body.image_uri.gradient_colors);
  assert.equal(g.abbreviation, 'FN');

  const eff = await effektif(`/${ADMIN.org}/groups/${g.id}`, ADMIN.token);
  assert.equal(eff.status, 200, 'Effektif sees the group');
  assert.equal(eff.json.name, 'Finance');
  assert.deepEqual([...eff.json.userIds].sort(), [MEMBER.userId, MEMBER2.userId].sort());
  assert.ok((await effektifGroupIds(MEMBER.userId)).includes(g.id), 'the member\'s Effektif groupIds');

  const plain = await data(sdk(MEMBER.token).getGroup({ id: g.id }));
  assert.deepEqual(plain, g, 'getGroup answers what createGroup did');
  const hydrated = await data(sdk(MEMBER.token).getGroup({ id: g.id, hydrate: true }));
  assert.deepEqual(userIds(hydrated), userIds(g));
  const m = hydrated.users.find((u) => u.id === MEMBER.userId);
  assert.equal(m.email, MEMBER.email, 'hydrate: full users');
  assert.equal(m.display_name, 'Mia');
  const listedHydrated = (await data(admin.getGroups({ hydrate: true }))).groups.find((x) => x.id === g.id);
  assert.equal(listedHydrated.users.find((u) => u.id === MEMBER2.userId)?.email, MEMBER2.email, 'getGroups hydrate');

  assert.ok(ids(await data(admin.getGroupsForUser({ id: MEMBER2.userId }))).includes(g.id));
  assert.ok(!ids(await data(admin.getGroupsForUser({ id: MEMBER3.userId }))).includes(g.id));

  await sleep(5);
  const u1 = await data(admin.updateGroup({ id: g.id }, { name: 'Finance Team', user_ids: [MEMBER2.userId, MEMBER3.userId] }), 201);
  assert.equal(u1.name, 'Finance Team');
  assert.deepEqual(userIds(u1), [MEMBER2.userId, MEMBER3.userId].sort());
  assert.equal(u1.abbreviation, 'FN', 'left out, stays');
  assert.deepEqual(u1.image_uri?.gradient_colors, body.image_uri.gradient_colors, 'left out, stays');
  assert.equal(u1.created_at, g.created_at);
  assert.ok(Date.parse(u1.updated_at) >= Date.parse(g.updated_at), 'updated_at moves forward');
  const u2 = await data(admin.updateGroup({ id: g.id }, { abbreviation: 'FT' }), 201);
  assert.equal(u2.name, 'Finance Team', 'name left out, stays');
  assert.deepEqual(userIds(u2), userIds(u1), 'user_ids left out, stay');
  assert.equal(u2.abbreviation, 'FT');
  assert.ok(!(await effektifGroupIds(MEMBER.userId)).includes(g.id), 'removed from the group in Effektif');
  assert.ok((await effektifGroupIds(MEMBER3.userId)).includes(g.id), 'added in Effektif');
  assert.equal((await effektif(`/${ADMIN.org}/groups/${g.id}`, ADMIN.token)).json.name, 'Finance Team');

  // Groups are written by admins and read by members.
  await refused(sdk(MEMBER.token).createGroup(null, { name: 'Not mine' }), 403);
  await refused(sdk(MEMBER.token).updateGroup({ id: g.id }, { name: 'Not mine' }), 403);
  await refused(sdk(MEMBER.token).deleteGroup({ id: g.id }), 403);
  assert.equal((await data(admin.getGroup({ id: g.id }))).name, 'Finance Team', 'refused writes change nothing');

  const del = await admin.deleteGroup({ id: g.id });
  assert.equal(del.status, 204);
  await refused(admin.getGroup({ id: g.id }), 404);
  await refused(admin.updateGroup({ id: g.id }, { name: 'x' }), 404);
  await refused(admin.deleteGroup({ id: g.id }), 404);
  assert.equal((await effektif(`/${ADMIN.org}/groups/${g.id}`, ADMIN.token)).status, 404, 'gone from Effektif');
  assert.ok(!(await effektifGroupIds(MEMBER2.userId)).includes(g.id), 'gone from the groupIds');
});

test('getGroups: query, limit, offset; hits counts every match', async () => {
  const admin = sdk(ADMIN.token);
  const tag = `Q${Date.now().toString(36)}`;
  const made = [];
  for (const name of [`${tag} Alpha`, `${tag} Beta`, `${tag} Gamma`]) {
    made.push((await data(admin.createGroup(null, { name, user_ids: [] }), 201)).id);
  }
  const all = await data(admin.getGroups({ query: tag.toLowerCase() }));
  assert.equal(all.hits, 3);
  assert.deepEqual(ids(all.groups), [...made].sort());
  const p0 = await data(admin.getGroups({ query: tag, limit: 2, offset: 0 }));
  const p1 = await data(admin.getGroups({ query: tag, limit: 2, offset: 2 }));
  assert.equal(p0.hits, 3, 'hits counts every match, not the page');
  assert.equal(p0.groups.length, 2);
  assert.equal(p1.groups.length, 1);
  assert.deepEqual([...ids(p0.groups), ...ids(p1.groups)].sort(), [...made].sort(), 'pages do not overlap');
  await refused(admin.getGroups({ limit: 'x' }), 400);
  await refused(admin.getGroups({ offset: -1 }), 400);
  for (const id of made) assert.equal((await admin.deleteGroup({ id })).status, 204);
});

test('advanceUserAssignment: round robin over the listed users, wrapping around', async () => {
  const admin = sdk(ADMIN.token);
  const g = await data(admin.createGroup(null, { name: 'Round robin', user_ids: [MEMBER.userId, ADMIN.userId, MEMBER2.userId] }), 201);
  const order = (await data(admin.getGroup({ id: g.id }))).users.map((u) => u.id);
  assert.equal(order.length, 3);
  assert.equal(g.crt_assignee ?? null, null, 'no assignee before the first advance');
  // The bodyless POST goes out with Content-Type: application/x-www-form-urlencoded and an empty body.
  const steps = [];
  for (let i = 0; i < 4; i++) steps.push(await data(sdk(MEMBER.token).advanceUserAssignment({ id: g.id })));
  steps.forEach((s, i) => {
    checkGroup(s, `advance ${i + 1}`);
    assert.equal(s.crt_assignee?.crt_index, i % 3, `advance ${i + 1}: crt_index`);
    assert.equal(s.crt_assignee?.id, order[i % 3], `advance ${i + 1}: the next user in the listed order`);
  });
  const after = await data(admin.getGroup({ id: g.id }));
  assert.equal(after.crt_assignee?.id, order[0]);
  assert.equal(after.crt_assignee?.crt_index, 0);
  assert.deepEqual(after.users.map((u) => u.id), order, 'the order is stable');
  assert.equal((await admin.deleteGroup({ id: g.id })).status, 204);
});

test('advanceUserAssignment: N concurrent calls advance exactly N steps', async () => {
  const admin = sdk(ADMIN.token);
  const g = await data(admin.createGroup(null, { name: 'Concurrent robin', user_ids: [MEMBER.userId, MEMBER2.userId, MEMBER3.userId] }), 201);
  const order = (await data(admin.getGroup({ id: g.id }))).users.map((u) => u.id);
  const N = 7;
  const answers = await Promise.all(Array.from({ length: N }, () => data(sdk(MEMBER.token).advanceUserAssignment({ id: g.id }))));
  const indexes = answers.map((a) => a.crt_assignee?.crt_index).sort();
  assert.deepEqual(indexes, [0, 0, 0, 1, 1, 2, 2], 'each call took its own step: steps 1..7 of 3 users');
  for (const a of answers) assert.equal(a.crt_assignee.id, order[a.crt_assignee.crt_index]);
  const after = await data(admin.getGroup({ id: g.id }));
  assert.equal(after.crt_assignee?.crt_index, (N - 1) % 3, 'the group moved N steps');
  assert.equal((await admin.deleteGroup({ id: g.id })).status, 204);
});

test('advanceUserAssignment: 422 for a group without users, 404 for an unknown one', async () => {
  const admin = sdk(ADMIN.token);
  const empty = await data(admin.createGroup(null, { name: 'Nobody', user_ids: [] }), 201);
  assert.deepEqual(empty.users ?? [], []);
  await refused(admin.advanceUserAssignment({ id: empty.id }), 422);
  await refused(admin.advanceUserAssignment({ id: '0123456789abcdef01234567' }), 404);
  await refused(admin.advanceUserAssignment({ id: 'f'.repeat(2048) }), 404);
  assert.equal((await admin.deleteGroup({ id: empty.id })).status, 204);
});

test('groups of another organization: 404 on every id; bad input 400', async () => {
  const outsider = sdk(OUTSIDER.token);
  await refused(outsider.getGroup({ id: GROUP_ID }), 404);
  await refused(outsider.updateGroup({ id: GROUP_ID }, { name: 'Taken' }), 404);
  await refused(outsider.deleteGroup({ id: GROUP_ID }), 404);
  await refused(outsider.advanceUserAssignment({ id: GROUP_ID }), 404);
  await refused(outsider.getGroupsForUser({ id: MEMBER.userId }), 404);
  assert.ok(!ids((await data(outsider.getGroups())).groups).includes(GROUP_ID));
  assert.equal((await data(sdk(ADMIN.token).getGroup({ id: GROUP_ID }))).name, GROUP_NAME, 'nothing changed');

  const admin = sdk(ADMIN.token);
  for (const bad of [{}, { name: '' }, { name: 42 }, { name: 'x', abbreviation: 'ABC' }, { name: 'x', user_ids: 'all' },
    { name: 'x', user_ids: [OUTSIDER.userId] }, { name: 'x', user_ids: ['not-an-id'] }, { name: 'x', image_uri: { gradient_colors: 'red' } }]) {
    await refused(admin.createGroup(null, bad), 400);
  }
  await refused(admin.updateGroup({ id: GROUP_ID }, { user_ids: [OUTSIDER.userId] }), 400);
  await refused(admin.updateGroup({ id: GROUP_ID }, { name: 7 }), 400);
  rawRefused(await raw('POST', '/v1/groups', { token: ADMIN.token, body: '{"name": "x",' }), 400);
  rawRefused(await raw('POST', '/v1/groups', { token: ADMIN.token, body: '["x"]' }), 400);
  await refused(admin.getGroupsForUser({ id: OUTSIDER.userId }), 404);
  const g = await data(admin.getGroup({ id: GROUP_ID }));
  assert.equal(g.name, GROUP_NAME);
  assert.deepEqual(userIds(g), [ADMIN.userId, MEMBER.userId].sort(), 'bad input changed nothing');
});
