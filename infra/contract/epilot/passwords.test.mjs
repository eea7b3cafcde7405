// Passwords and addresses: requestPasswordReset (public, the same answer
// for every address), resetPassword (the SDK's 42nd operation),
// sendUserPasswordReset (an admin for a member of their organization), and
// verifyEmailWithToken (an address change started by updateUserV2 with a
// new `email` takes effect only with the token mailed to the new address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  account, sdk, data, refused, raw, rawRefused, effektifLogin, windmillLogin, freshEmail, mailCount, newMail, tokenIn, remember,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const OUTSIDER = account('OUTSIDER');
const RESETTER = account('RESETTER');
const RESET_TARGET = account('RESET_TARGET');
const EMAILER = account('EMAILER');

/** refusedReset checks a 400 of resetPassword: {error, message}. */
async function refusedReset(call, error) {
  const r = await refused(call, 400);
  assert.equal(r.data.error, error, `resetPassword error: ${JSON.stringify(r.data)}`);
  return r.data;
}

test('requestPasswordReset answers the same for every address; resetPassword sets the password once', async () => {
  const anon = sdk();
  const before = await mailCount(RESETTER.email);
  const known = await data(anon.requestPasswordReset(null, { email: RESETTER.email }));
  const unknown = await data(anon.requestPasswordReset(null, { email: freshEmail('nobody') }));
  assert.deepEqual(known, unknown, 'no account enumeration');
  assert.deepEqual(Object.keys(known), ['message']);
  assert.equal(typeof known.message, 'string');
  const token = tokenIn(await newMail(RESETTER.email, before));

  const policy = await refusedReset(anon.resetPassword(null, { email: RESETTER.email, token, password: 'short' }), 'PASSWORD_POLICY');
  assert.ok(Array.isArray(policy.violations) && policy.violations.includes('too_short'), `violations ${JSON.stringify(policy.violations)}`);
  await refusedReset(anon.resetPassword(null, { email: MEMBER.email, token, password: 'another long password' }), 'INVALID_RESET_LINK');
  await refusedReset(anon.resetPassword(null, { email: RESETTER.email, token: 'A'.repeat(22), password: 'another long password' }), 'INVALID_RESET_LINK');

  const password = remember(`reset-password-${Date.now()}`);
  assert.deepEqual(await data(anon.resetPassword(null, { email: RESETTER.email, token, password })), { success: true },
    'the refused attempts left the token usable');
  await refusedReset(anon.resetPassword(null, { email: RESETTER.email, token, password: 'yet another password' }), 'INVALID_RESET_LINK');

  assert.equal((await effektifLogin(RESETTER.email, password)).status, 200, 'the new password logs in through Effektif');
  assert.equal((await effektifLogin(RESETTER.email, RESETTER.password)).status, 401, 'the old one does not');
  assert.equal((await windmillLogin(RESETTER.email, password)).status, 200, 'and through Windmill');
  await refused(sdk(RESETTER.token).getMeV2(), 401); // a reset ends every session

  for (const body of [{}, { email: 42 }]) await refused(anon.requestPasswordReset(null, body), 400);
  for (const body of [{}, { email: RESETTER.email, token }, { email: RESETTER.email, password }]) await refused(anon.resetPassword(null, body), 400);
});

test('sendUserPasswordReset: an admin for a member of their organization', async () => {
  await refused(sdk(MEMBER.token).sendUserPasswordReset(null, { email: ADMIN.email }), 403);
  await refused(sdk(ADMIN.token).sendUserPasswordReset(null, { email: OUTSIDER.email }), 400);
  await refused(sdk(ADMIN.token).sendUserPasswordReset(null, { email: freshEmail('nobody') }), 400);
  await refused(sdk(ADMIN.token).sendUserPasswordReset(null, {}), 400);
  await refused(sdk(OUTSIDER.token).sendUserPasswordReset(null, { email: RESET_TARGET.email }), 400);
  await refused(sdk().sendUserPasswordReset(null, { email: RESET_TARGET.email }), 401);

  const before = await mailCount(RESET_TARGET.email);
  assert.deepEqual(await data(sdk(ADMIN.token).sendUserPasswordReset(null, { email: RESET_TARGET.email })), { success: true });
  const token = tokenIn(await newMail(RESET_TARGET.email, before));
  assert.equal((await effektifLogin(RESET_TARGET.email, RESET_TARGET.password)).status, 200, 'sending changes no password');
  const password = remember(`sent-reset-${Date.now()}`);
  assert.deepEqual(await data(sdk().resetPassword(null, { email: RESET_TARGET.email, token, password })), { success: true });
  assert.equal((await effektifLogin(RESET_TARGET.email, password)).status, 200);
});

test('verifyEmailWithToken: a new address takes effect with the token mailed to it and the password', async () => {
  const me = sdk(EMAILER.token);
  const next = freshEmail('new.address');
  const oldBefore = await mailCount(EMAILER.email);
  const patched = await data(me.updateUserV2({ id: EMAILER.userId }, { email: next }));
  assert.equal(patched.email, EMAILER.email, 'the old address stays the login until verified');
  assert.equal(patched.draft_email, next, 'the pending address');
  const token = tokenIn(await newMail(next, 0));
  assert.ok((await mailCount(EMAILER.email)) > oldBefore, 'the old address is told');
  assert.equal((await data(me.getMeV2())).draft_email, next);

  const anon = sdk();
  await refused(anon.verifyEmailWithToken({ token: 'A'.repeat(22) }, { password: EMAILER.password }), 404);
  await refused(anon.verifyEmailWithToken({ token }, { password: 'not the password at all' }), 401);
  const verified = await anon.verifyEmailWithToken({ token }, { password: EMAILER.password });
  assert.equal(verified.status, 200);
  await refused(anon.verifyEmailWithToken({ token }, { password: EMAILER.password }), 404);

  const after = await data(me.getMeV2());
  assert.equal(after.email, next);
  assert.equal(after.draft_email ?? null, null, 'no pending address');
  assert.equal((await effektifLogin(next, EMAILER.password)).status, 200, 'the new address logs in');
  assert.equal((await effektifLogin(EMAILER.email, EMAILER.password)).status, 401, 'the old one does not');
  rawRefused(await raw('POST', `/v2/users/public/verifyEmail?token=${encodeURIComponent(token)}`, { body: '{"password": ' }), [400, 404]);
});
