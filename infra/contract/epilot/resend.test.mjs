// resendUserInvitation, on an invitation made through the Effektif API
// when the stack was seeded (EPT_RESEND_EMAIL at EPT_RESEND_AT): its code
// is an epilot invite token too. The core sends an invitation again at
// most once a minute, so the resend waits until 62 s after the first mail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  account, env, sdk, ok, data, refused, effektifLogin, freshEmail, mailsTo, newMail, tokenIn, remember, sleep,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const OUTSIDER = account('OUTSIDER');
const EMAIL = env('EPT_RESEND_EMAIL');
const INVITED_AT = Number(env('EPT_RESEND_AT'));

test('resendUserInvitation mails a new token; the old one stops working', async () => {
  const first = await mailsTo(EMAIL);
  assert.ok(first.length >= 1, 'the seeded invitation was mailed');
  const oldToken = tokenIn(first[first.length - 1]);
  const check = await data(sdk().checkInviteToken({ token: oldToken }));
  assert.equal(check.invitation_org_id, ADMIN.orgId, 'an Effektif invitation code is an epilot invite token');

  // Refused callers and unknown addresses first (nothing is sent).
  await refused(sdk(MEMBER.token).resendUserInvitation(null, { email: EMAIL, language: 'en' }), 403);
  await refused(sdk(OUTSIDER.token).resendUserInvitation(null, { email: EMAIL, language: 'en' }), 400);
  await refused(sdk(ADMIN.token).resendUserInvitation(null, { email: freshEmail('never.invited'), language: 'en' }), 400);
  await refused(sdk(ADMIN.token).resendUserInvitation(null, { email: EMAIL, language: 'fr' }), 400);
  await refused(sdk(ADMIN.token).resendUserInvitation(null, {}), 400);
  assert.equal((await mailsTo(EMAIL)).length, first.length, 'refused resends send nothing');

  const wait = INVITED_AT + 62_000 - Date.now();
  if (wait > 0) await sleep(wait);
  const answer = await data(sdk(ADMIN.token).resendUserInvitation(null, { email: EMAIL, language: 'de' }));
  assert.equal(answer.email, EMAIL);
  assert.equal(answer.status, 'Pending');
  assert.equal(answer.organization_id, ADMIN.orgId);
  const token = tokenIn(await newMail(EMAIL, first.length));
  assert.notEqual(token, oldToken);
  await refused(sdk().checkInviteToken({ token: oldToken }), 404);
  assert.equal((await data(sdk().checkInviteToken({ token }))).invitation_org_id, ADMIN.orgId);

  // At most once a minute.
  await refused(sdk(ADMIN.token).resendUserInvitation(null, { email: EMAIL, language: 'en' }), 429);

  const password = remember(`resent-password-${Date.now()}`);
  await ok(sdk().activateUser({ token }, { display_name: 'Rhea Resent', password }));
  const login = await effektifLogin(EMAIL, password);
  assert.equal(login.status, 200);
  assert.equal((await data(sdk(login.token).getMeV2())).organization_id, ADMIN.orgId);
  // Accepted: nothing is left to resend.
  await refused(sdk(ADMIN.token).resendUserInvitation(null, { email: EMAIL, language: 'en' }), 400);
});
