// Passkeys (WebAuthn) with a software authenticator that really signs
// (webauthn.mjs): registration begin/complete for the caller, list,
// delete; authentication begin by email; discoverable begin (empty
// allowCredentials) and resolveDiscoverableCredential, which verifies the
// assertion and answers the identity and its login parameters. Challenge
// tokens are single-use and bound to the user; a signature counter that
// does not increase (a cloned authenticator) is refused. Options are
// accepted plain or wrapped as {publicKey: …} (go-webauthn's shape).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGIN, RP_ID, account, sdk, data, refused, isInstant, unwrapOptions } from './lib.mjs';
import { Authenticator } from './webauthn.mjs';

const PASSKEY = account('PASSKEY');
const MEMBER = account('MEMBER');

const key1 = new Authenticator({ rpId: RP_ID, origin: ORIGIN });
const key2 = new Authenticator({ rpId: RP_ID, origin: ORIGIN, transports: ['usb'] });
const stranger = new Authenticator({ rpId: RP_ID, origin: ORIGIN });

async function begin(token, friendly = 'My Laptop') {
  const r = await data(sdk(token).beginPasskeyRegistration(null, { friendly_name: friendly }));
  assert.equal(typeof r.challenge_token, 'string');
  return { token: r.challenge_token, options: unwrapOptions(r.options) };
}

async function loginParams() {
  return (await data(sdk().getUserLoginParametersV2({ username: PASSKEY.email }))).login_parameters;
}

async function discoverable() {
  const r = await data(sdk().beginDiscoverablePasskeyAuthentication());
  const options = unwrapOptions(r.options);
  assert.deepEqual(options.allowCredentials ?? [], [], 'discoverable: empty allowCredentials');
  assert.equal(typeof options.challenge, 'string');
  assert.equal(typeof r.challenge_token, 'string');
  return { token: r.challenge_token, options };
}

test('before any passkey: none listed, has_passkeys false; authenticateBegin answers a decoy, as for any address', async () => {
  assert.deepEqual(await data(sdk(PASSKEY.token).listPasskeys()), { passkeys: [] });
  assert.equal((await data(sdk(PASSKEY.token).getMeV2())).has_passkeys, false);
  for (const p of await loginParams()) assert.equal(p.passkeys_registered, false);
  // The same shape whether or not the address has an account or passkeys:
  // the answer tells nothing of who has one.
  for (const email of [PASSKEY.email, `nobody.${Date.now()}@example.com`]) {
    const begun = await data(sdk().beginPasskeyAuthentication(null, { email }));
    assert.equal(typeof begun.challenge_token, 'string');
  }
});

test('registerBegin and registerComplete: a verified attestation makes a passkey', async () => {
  const { token, options } = await begin(PASSKEY.token);
  assert.equal(options.rp?.id, RP_ID, 'the configured RP ID');
  assert.equal(typeof options.challenge, 'string');
  assert.equal(typeof options.user?.id, 'string');
  assert.equal(options.user?.name, PASSKEY.email);
  assert.ok(options.pubKeyCredParams?.some((p) => p.type === 'public-key' && p.alg === -7), 'ES256 is offered');

  const passkey = await data(sdk(PASSKEY.token).completePasskeyRegistration(null, {
    challenge_token: token, registration_response: key1.create(options), friendly_name: 'My Laptop',
  }));
  assert.equal(passkey.credential_id, key1.id, 'credential_id is the base64url credential id');
  assert.equal(passkey.friendly_name, 'My Laptop');
  assert.ok(isInstant(passkey.created_at));
  assert.deepEqual([...(passkey.transports ?? [])].sort(), ['hybrid', 'internal']);
  assert.equal(typeof passkey.aaguid, 'string');

  // A challenge token is single-use.
  await refused(sdk(PASSKEY.token).completePasskeyRegistration(null, {
    challenge_token: token, registration_response: stranger.create(options), friendly_name: 'Replay',
  }), 400);

  const list = (await data(sdk(PASSKEY.token).listPasskeys())).passkeys;
  assert.deepEqual(list.map((p) => p.credential_id), [key1.id]);
  assert.equal(list[0].friendly_name, 'My Laptop');
  assert.equal((await data(sdk(PASSKEY.token).getMeV2())).has_passkeys, true);
  for (const p of await loginParams()) assert.equal(p.passkeys_registered, true);

  // A second key, named at begin only; the first is excluded from creation.
  const second = await begin(PASSKEY.token, 'Security Key');
  assert.ok((second.options.excludeCredentials ?? []).some((c) => c.id === key1.id), 'excludeCredentials lists the registered passkey');
  const p2 = await data(sdk(PASSKEY.token).completePasskeyRegistration(null, { challenge_token: second.token, registration_response: key2.create(second.options) }));
  assert.equal(p2.credential_id, key2.id);
  assert.equal(p2.friendly_name, 'Security Key', 'the name given at begin');
  assert.deepEqual((await data(sdk(PASSKEY.token).listPasskeys())).passkeys.map((p) => p.credential_id).sort(), [key1.id, key2.id].sort());
  // Passkeys are the caller's own.
  assert.ok(!(await data(sdk(MEMBER.token).listPasskeys())).passkeys.some((p) => p.credential_id === key1.id));
});

test('registerComplete refuses what does not verify (400) and stores nothing', async () => {
  const c = sdk(PASSKEY.token);
  const cases = [
    ['another origin', (o) => stranger.create(o, { origin: 'https://evil.example' })],
    ['another RP ID', (o) => stranger.create(o, { rpId: 'evil.example' })],
    ['another challenge', (o) => stranger.create(o, { challenge: Buffer.from('not the challenge').toString('base64url') })],
    ['a get, not a create', (o) => stranger.create(o, { type: 'webauthn.get' })],
    ['no attestation', (o) => ({ ...stranger.create(o), response: {} })],
  ];
  for (const [what, make] of cases) {
    const { token, options } = await begin(PASSKEY.token, what);
    await refused(c.completePasskeyRegistration(null, { challenge_token: token, registration_response: make(options) }), 400);
  }
  // A challenge token is bound to the user who began.
  const theirs = await begin(MEMBER.token);
  await refused(c.completePasskeyRegistration(null, { challenge_token: theirs.token, registration_response: stranger.create(theirs.options) }), 400);
  const mine = await begin(PASSKEY.token);
  const tampered = mine.token.slice(0, -2) + (mine.token.endsWith('AA') ? 'BB' : 'AA');
  await refused(c.completePasskeyRegistration(null, { challenge_token: tampered, registration_response: stranger.create(mine.options) }), 400);
  await refused(c.completePasskeyRegistration(null, { registration_response: stranger.create(mine.options) }), 400);
  await refused(c.completePasskeyRegistration(null, { challenge_token: mine.token }), 400);
  assert.equal((await data(c.listPasskeys())).passkeys.length, 2, 'nothing was stored');
  await refused(sdk().beginPasskeyRegistration(null, { friendly_name: 'x' }), 401);
  await refused(sdk().listPasskeys(), 401);
});

test('beginPasskeyAuthentication by email lists the user\'s credentials', async () => {
  for (const email of [PASSKEY.email, PASSKEY.email.toUpperCase()]) {
    const r = await data(sdk().beginPasskeyAuthentication(null, { email }));
    const options = unwrapOptions(r.options);
    assert.equal(typeof r.challenge_token, 'string');
    assert.equal(typeof options.challenge, 'string');
    assert.equal(options.rpId, RP_ID);
    assert.deepEqual((options.allowCredentials ?? []).map((c) => c.id).sort(), [key1.id, key2.id].sort());
  }
  await refused(sdk().beginPasskeyAuthentication(null, {}), 400);
  await refused(sdk().beginPasskeyAuthentication(null, { email: 42 }), 400);
});

test('discoverable authentication resolves the identity; counters must increase', async () => {
  let d = await discoverable();
  const who = await data(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options) }));
  const accepted = key1.counter;
  assert.equal(who.email, PASSKEY.email);
  assert.equal(who.user_id, PASSKEY.userId);
  assert.equal(who.organization_id, PASSKEY.orgId, 'the primary organization');
  assert.deepEqual(who.login_parameters.map((p) => p.organization_id), [PASSKEY.orgId]);
  assert.equal(who.login_parameters[0].passkeys_registered, true);
  // Single-use: the same challenge token again is refused.
  await refused(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: accepted + 1 }) }), 401);

  // A cloned authenticator: the counter repeats, then goes back.
  d = await discoverable();
  await refused(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: accepted }) }), 401);
  d = await discoverable();
  await refused(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: 0 }) }), 401);
  d = await discoverable();
  const next = await data(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: accepted + 5 }) }));
  assert.equal(next.user_id, PASSKEY.userId, 'an increasing counter is accepted');

  // The second key, its own counter.
  d = await discoverable();
  assert.equal((await data(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key2.get(d.options) }))).user_id, PASSKEY.userId);
});

test('resolveDiscoverableCredential refuses what does not verify', async () => {
  const resolve = async (assertion, status, token) => {
    const d = await discoverable();
    const body = { challenge_token: token ?? d.token, assertion_response: assertion(d.options) };
    return refused(sdk().resolveDiscoverableCredential(null, body), status);
  };
  await resolve((o) => key1.get(o, { signWith: stranger, counter: key1.counter + 10 }), 401); // not the key's signature
  await resolve((o) => key1.get(o, { origin: 'https://evil.example', counter: key1.counter + 10 }), 401);
  await resolve((o) => key1.get(o, { rpId: 'evil.example', counter: key1.counter + 10 }), 401);
  await resolve((o) => key1.get(o, { challenge: Buffer.from('another challenge').toString('base64url'), counter: key1.counter + 10 }), 401);
  await resolve((o) => stranger.get(o, { userHandle: key1.userHandle }), 401); // a credential never registered: refused like any failed assertion
  await resolve((o) => key1.get(o, { counter: key1.counter + 10 }), [400, 401], 'not-a-challenge-token');
  await refused(sdk().resolveDiscoverableCredential(null, {}), 400);
  // After all that, the key still works.
  const d = await discoverable();
  assert.equal((await data(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: key1.counter + 20 }) }))).user_id, PASSKEY.userId);
});

test('deletePasskey: 204, then 404; the last one gone, has_passkeys false', async () => {
  await refused(sdk(MEMBER.token).deletePasskey({ credentialId: key1.id }), 404);
  assert.equal((await data(sdk(PASSKEY.token).listPasskeys())).passkeys.length, 2, 'another user cannot delete it');
  assert.equal((await sdk(PASSKEY.token).deletePasskey({ credentialId: key1.id })).status, 204);
  await refused(sdk(PASSKEY.token).deletePasskey({ credentialId: key1.id }), 404);
  assert.deepEqual((await data(sdk(PASSKEY.token).listPasskeys())).passkeys.map((p) => p.credential_id), [key2.id]);
  assert.equal((await data(sdk(PASSKEY.token).getMeV2())).has_passkeys, true, 'one is left');
  let d = await discoverable();
  await refused(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key1.get(d.options, { counter: key1.counter + 30 }) }), 401);

  assert.equal((await sdk(PASSKEY.token).deletePasskey({ credentialId: key2.id })).status, 204);
  assert.deepEqual(await data(sdk(PASSKEY.token).listPasskeys()), { passkeys: [] });
  assert.equal((await data(sdk(PASSKEY.token).getMeV2())).has_passkeys, false);
  for (const p of await loginParams()) assert.equal(p.passkeys_registered, false);
  assert.equal(typeof (await data(sdk().beginPasskeyAuthentication(null, { email: PASSKEY.email }))).challenge_token, 'string');
  d = await discoverable();
  await refused(sdk().resolveDiscoverableCredential(null, { challenge_token: d.token, assertion_response: key2.get(d.options) }), 401);
  // Path parameters are percent-encoded (cred/1 → cred%2F1).
  await refused(sdk(PASSKEY.token).deletePasskey({ credentialId: 'cred/1' }), 404);
  await refused(sdk(PASSKEY.token).deletePasskey({ credentialId: 'x'.repeat(2048) }), 404);
});
