// Navigations: createNavigation (201) and getNavigation. Navigations are
// immutable and global: the id is a hash of the normalized {name,
// configuration} (object keys in any order, no insignificant whitespace),
// so identical content gives the same id in every organization. One level
// of nesting: a group item's subItems are key items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, sdk, data, refused, raw, rawRefused } from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const OUTSIDER = account('OUTSIDER');

const NAVIGATION_ID = /^[0-9a-z]{8,64}$/;

test('createNavigation answers 201 with a content-hash id; getNavigation reads it from any organization', async () => {
  const name = `Sales Team Navigation ${Date.now()}`;
  const configuration = {
    customer_relations: [{ key: 'dashboard' }, { key: 'contact' }],
    configurations: [{ name: 'Product Catalog', subItems: [{ key: 'product' }, { key: 'price' }] }, { key: 'journey' }],
  };
  const nav = await data(sdk(ADMIN.token).createNavigation(null, { name, configuration }), 201);
  assert.match(nav.id, NAVIGATION_ID);
  assert.equal(nav.name, name);
  assert.deepEqual(nav.configuration, configuration);

  const again = await data(sdk(ADMIN.token).createNavigation(null, { name, configuration }), 201);
  assert.equal(again.id, nav.id, 'identical content, identical id');
  const elsewhere = await data(sdk(OUTSIDER.token).createNavigation(null, { name, configuration }), 201);
  assert.equal(elsewhere.id, nav.id, 'the same id in another organization');

  // Normalized before hashing: object keys and sections in another order.
  const reordered = {
    configurations: [{ subItems: [{ key: 'product' }, { key: 'price' }], name: 'Product Catalog' }, { key: 'journey' }],
    customer_relations: [{ key: 'dashboard' }, { key: 'contact' }],
  };
  const body = `{ "configuration" : ${JSON.stringify(reordered, null, 2)},\n  "name": ${JSON.stringify(name)} }`;
  const r = await raw('POST', '/v2/user/navigations', { token: MEMBER.token, body });
  assert.equal(r.status, 201, r.text.slice(0, 300));
  assert.equal(r.json.id, nav.id, 'key order and whitespace do not change the id');

  // Other content, other id: the item order matters, and so does the name.
  const swapped = { ...configuration, customer_relations: [{ key: 'contact' }, { key: 'dashboard' }] };
  assert.notEqual((await data(sdk(ADMIN.token).createNavigation(null, { name, configuration: swapped }), 201)).id, nav.id);
  assert.notEqual((await data(sdk(ADMIN.token).createNavigation(null, { name: `${name}!`, configuration }), 201)).id, nav.id);

  for (const reader of [MEMBER, OUTSIDER]) {
    const got = await data(sdk(reader.token).getNavigation({ id: nav.id }));
    assert.deepEqual(got, { id: nav.id, name, configuration }, `${reader.role} reads it`);
  }
  // A user points their custom_navigation at it.
  const me = await data(sdk(MEMBER.token).updateUserV2({ id: MEMBER.userId }, { custom_navigation: nav.id }));
  assert.equal(me.custom_navigation, nav.id);
  assert.equal((await data(sdk(MEMBER.token).getMe())).custom_navigation, nav.id);
});

test('navigations: unknown ids 404; bad content 400', async () => {
  const c = sdk(ADMIN.token);
  await refused(c.getNavigation({ id: 'zzzzzzzzzzzzz' }), 404);
  await refused(c.getNavigation({ id: 'x'.repeat(2048) }), 404);
  for (const bad of [
    {}, { name: 'No configuration' }, { configuration: { s: [{ key: 'a' }] } }, { name: 42, configuration: {} },
    { name: 'x', configuration: [] }, { name: 'x', configuration: { s: 'dashboard' } },
    { name: 'x', configuration: { s: [{ label: 'neither a key nor a group' }] } },
    { name: 'x', configuration: { s: [{ name: 'Group', subItems: [{ name: 'Nested', subItems: [{ key: 'deep' }] }] }] } },
    { name: 'x', configuration: { s: [{ name: 'Group', subItems: 'product' }] } },
    { name: 'x', configuration: { s: [{ key: 7 }] } },
  ]) {
    await refused(c.createNavigation(null, bad), 400);
  }
  rawRefused(await raw('POST', '/v2/user/navigations', { token: ADMIN.token, body: '{"name": "x", "configuration": {' }), 400);
  await refused(sdk().createNavigation(null, { name: 'x', configuration: {} }), 401);
});
