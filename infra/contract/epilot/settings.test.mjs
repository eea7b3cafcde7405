// User settings (only in @epilot/sdk): listUserSettings (scopes and keys,
// no values), getUserSettingsScope, getUserSetting (404 when missing),
// putUserSetting (create or replace), deleteUserSetting (204). Settings
// are the caller's own (per identity, the same in every organization).
// Sizes: scope 1..64 characters, key 1..128, a value at most 65,536 bytes
// as serialized JSON. What the SDK puts on the wire: objects and arrays
// as JSON; a string raw and unquoted as application/x-www-form-urlencoded
// (the value is that string, verbatim, never form-decoded or parsed); null
// as an empty form body (400: no value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, sdk, ok, data, refused, raw, rawRefused, isInstant, sleep } from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const MULTI = account('MULTI');

function checkSetting(s, scope, key, value, what) {
  for (const k of ['scope', 'key', 'value', 'created_at', 'updated_at']) assert.ok(k in s, `${what}: UserSetting requires ${k}`);
  assert.equal(s.scope, scope, `${what}: scope`);
  assert.equal(s.key, key, `${what}: key`);
  assert.deepEqual(s.value, value, `${what}: value`);
  assert.ok(isInstant(s.created_at) && isInstant(s.updated_at), `${what}: instants`);
}

test('putUserSetting creates and replaces; getUserSetting, getUserSettingsScope, listUserSettings read it', async () => {
  const c = sdk(ADMIN.token);
  const v1 = { calendar_ids: ['holidays'] };
  const created = await data(c.putUserSetting({ scope: 'calendar', key: 'visible_calendars' }, v1));
  checkSetting(created, 'calendar', 'visible_calendars', v1, 'put');
  checkSetting(await data(c.getUserSetting({ scope: 'calendar', key: 'visible_calendars' })), 'calendar', 'visible_calendars', v1, 'get');

  await sleep(20);
  const v2 = { calendar_ids: ['holidays', 'team'] };
  const replaced = await data(c.putUserSetting({ scope: 'calendar', key: 'visible_calendars' }, v2));
  checkSetting(replaced, 'calendar', 'visible_calendars', v2, 'replace');
  assert.equal(replaced.created_at, created.created_at, 'created_at stays');
  assert.ok(Date.parse(replaced.updated_at) > Date.parse(created.updated_at), 'updated_at moves');

  await data(c.putUserSetting({ scope: 'calendar', key: 'order' }, ['team', 1, { x: null }]));
  const scope = await data(c.getUserSettingsScope({ scope: 'calendar' }));
  assert.deepEqual(scope, { scope: 'calendar', settings: { visible_calendars: v2, order: ['team', 1, { x: null }] } });
  assert.deepEqual(await data(c.getUserSettingsScope({ scope: 'never-used-scope' })), { scope: 'never-used-scope', settings: {} });

  const list = await data(c.listUserSettings());
  const entry = list.results.find((r) => r.scope === 'calendar');
  assert.ok(entry, `the scope is listed: ${JSON.stringify(list)}`);
  assert.deepEqual([...entry.keys].sort(), ['order', 'visible_calendars']);
  assert.deepEqual(Object.keys(entry).sort(), ['keys', 'scope'], 'no values in the list');
  assert.ok(!JSON.stringify(list).includes('holidays'), 'no value in the list');
});

test('raw strings as the SDK sends them (form content type, unquoted), and any JSON value', async () => {
  const c = sdk(ADMIN.token);
  for (const [key, value] of [['greeting', 'hello'], ['form-looking', 'a+b=c&d %20e'], ['json-looking', '{"a":1}']]) {
    const put = await data(c.putUserSetting({ scope: 'strings', key }, value));
    assert.equal(put.value, value, `${key}: the raw string, verbatim`);
    assert.equal((await data(c.getUserSetting({ scope: 'strings', key }))).value, value);
  }
  // null goes out as an empty form body: no value.
  await refused(c.putUserSetting({ scope: 'strings', key: 'nothing' }, null), 400);
  await refused(c.getUserSetting({ scope: 'strings', key: 'nothing' }), 404);
  // Other JSON values, sent as JSON (the SDK cannot send these: axios refuses them).
  for (const [key, body, value] of [['number', '42', 42], ['boolean', 'true', true], ['quoted', '"quoted"', 'quoted'], ['null', 'null', null]]) {
    const r = await raw('PUT', `/v2/users/me/settings/json/${key}`, { token: ADMIN.token, body });
    assert.equal(r.status, 200, `${key}: ${r.text.slice(0, 200)}`);
    assert.deepEqual(r.json.value, value);
    assert.deepEqual((await data(c.getUserSetting({ scope: 'json', key }))).value, value);
  }
  rawRefused(await raw('PUT', '/v2/users/me/settings/json/broken', { token: ADMIN.token, body: '{"a": ' }), 400);
  await refused(c.getUserSetting({ scope: 'json', key: 'broken' }), 404);
});

test('scope and key are path parameters, percent-encoded by the client', async () => {
  const c = sdk(ADMIN.token);
  const scope = 'cal.ü';
  const key = 'view:list all';
  await data(c.putUserSetting({ scope, key }, { on: true }));
  checkSetting(await data(c.getUserSetting({ scope, key })), scope, key, { on: true }, 'encoded scope and key');
  assert.deepEqual((await data(c.getUserSettingsScope({ scope }))).settings, { [key]: { on: true } });
  assert.ok((await data(c.listUserSettings())).results.some((r) => r.scope === scope && r.keys.includes(key)));
  assert.equal((await c.deleteUserSetting({ scope, key })).status, 204);
});

test('sizes: scope 64, key 128, value 65,536 serialized bytes', async () => {
  const c = sdk(ADMIN.token);
  const s64 = 's'.repeat(64);
  const k128 = 'k'.repeat(128);
  await data(c.putUserSetting({ scope: s64, key: k128 }, { ok: true }));
  checkSetting(await data(c.getUserSetting({ scope: s64, key: k128 })), s64, k128, { ok: true }, 'at the limits');
  await refused(c.putUserSetting({ scope: 's'.repeat(65), key: 'k' }, { ok: true }), 400);
  await refused(c.putUserSetting({ scope: 's', key: 'k'.repeat(129) }, { ok: true }), 400);

  const fits = { v: 'x'.repeat(65536 - '{"v":""}'.length) };
  assert.equal(Buffer.byteLength(JSON.stringify(fits)), 65536);
  const put = await data(c.putUserSetting({ scope: 'sizes', key: 'fits' }, fits));
  assert.equal(put.value.v.length, fits.v.length);
  const over = { v: fits.v + 'x' };
  await refused(c.putUserSetting({ scope: 'sizes', key: 'over' }, over), 400);
  await refused(c.getUserSetting({ scope: 'sizes', key: 'over' }), 404); // nothing was written
  const overString = 'y'.repeat(65535); // as JSON, with its quotes, 65,537 bytes
  await refused(c.putUserSetting({ scope: 'sizes', key: 'over-string' }, overString), 400);
  await ok(c.deleteUserSetting({ scope: 'sizes', key: 'fits' }), 204);
});

test('deleteUserSetting answers 204, also for a key that is not there', async () => {
  const c = sdk(ADMIN.token);
  await data(c.putUserSetting({ scope: 'temp', key: 'gone' }, { a: 1 }));
  assert.equal((await c.deleteUserSetting({ scope: 'temp', key: 'gone' })).status, 204);
  await refused(c.getUserSetting({ scope: 'temp', key: 'gone' }), 404);
  assert.equal((await c.deleteUserSetting({ scope: 'temp', key: 'gone' })).status, 204);
  assert.ok(!(await data(c.listUserSettings())).results.some((r) => r.scope === 'temp' && r.keys.includes('gone')));
});

test('settings are the caller\'s own, the same in every organization of theirs', async () => {
  const admin = sdk(ADMIN.token);
  const member = sdk(MEMBER.token);
  await data(admin.putUserSetting({ scope: 'private', key: 'mine' }, { owner: 'admin' }));
  await refused(member.getUserSetting({ scope: 'private', key: 'mine' }), 404);
  assert.deepEqual((await data(member.getUserSettingsScope({ scope: 'private' }))).settings, {});
  assert.ok(!(await data(member.listUserSettings())).results.some((r) => r.scope === 'private'));
  await data(member.putUserSetting({ scope: 'private', key: 'mine' }, { owner: 'member' }));
  assert.deepEqual((await data(admin.getUserSetting({ scope: 'private', key: 'mine' }))).value, { owner: 'admin' }, 'untouched by the member');
  assert.equal((await member.deleteUserSetting({ scope: 'private', key: 'mine' })).status, 204);
  assert.deepEqual((await data(admin.getUserSetting({ scope: 'private', key: 'mine' }))).value, { owner: 'admin' }, 'a member deletes only their own');

  // MULTI in its primary organization and through a login token bound to ADMIN's.
  await data(sdk(MULTI.token).putUserSetting({ scope: 'everywhere', key: 'k' }, { v: 1 }));
  const { login_token: bound } = await data(sdk(MULTI.token).switchOrganization(null, { org_id: ADMIN.orgId }));
  assert.deepEqual((await data(sdk(bound).getUserSetting({ scope: 'everywhere', key: 'k' }))).value, { v: 1 });

  await refused(sdk().listUserSettings(), 401);
  await refused(sdk().getUserSetting({ scope: 'private', key: 'mine' }), 401);
  await refused(sdk().putUserSetting({ scope: 'private', key: 'mine' }, { owner: 'nobody' }), 401);
  await refused(sdk().deleteUserSetting({ scope: 'private', key: 'mine' }), 401);
  assert.deepEqual((await data(admin.getUserSetting({ scope: 'private', key: 'mine' }))).value, { owner: 'admin' });
});
