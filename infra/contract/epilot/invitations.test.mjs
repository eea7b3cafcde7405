// Sign-up and invitations through epilot: signUpUser, inviteUser (201,
// roles <orgId>:<role>), the invitation mail, checkInviteToken,
// activateUser (200, no body), rejectInvite; the invitee then logs in
// through Windmill (/api/auth/login) and Effektif (/api/v1/users/login).
// Inviting an existing account is an invitation its holder accepts (the
// core's rule): the answer is the same as for a new address, and accepting
// joins the account as it is. resendUserInvitation is in resend.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HEX24, account, sdk, ok, data, refused, raw, rawRefused, effektif, effektifLogin, windmillLogin,
  freshEmail, isInstant, ids, mailCount, newMail, tokenIn, remember,
} from './lib.mjs';

const ADMIN = account('ADMIN');
const MEMBER = account('MEMBER');
const EXISTING = account('EXISTING');
const OUTSIDER = account('OUTSIDER');

/** invite invites an address into ADMIN's organization and answers {answer, token} from the mail. */
async function invite(body) {
  const before = await mailCount(body.email);
  const answer = await data(sdk(ADMIN.token).inviteUser(null, body), 201);
  return { answer, token: tokenIn(await newMail(body.email, before)) };
}

/** isAdminIn tells whether Effektif shows the user as an admin of ADMIN's organization. */
async function isAdminIn(userId) {
  const r = await effektif(`/${ADMIN.org}/users/${userId}`, ADMIN.token);
  assert.equal(r.status, 200, `Effektif user ${userId}`);
  return r.json.admin === true;
}

test('inviteUser → mail → checkInviteToken → activateUser → login through Windmill and Effektif', async () => {
  await refused(sdk(MEMBER.token).inviteUser(null, { email: freshEmail('by.member'), language: 'en' }), 403);

  const email = freshEmail('ina');
  const { answer, token } = await invite({ email, language: 'en', roles: [`${ADMIN.orgId}:member`] });
  assert.equal(answer.email, email);
  assert.equal(answer.status, 'Pending');
  assert.equal(answer.organization_id, ADMIN.orgId);

  // Public: no bearer needed.
  const check = await data(sdk().checkInviteToken({ token }));
  assert.equal(check.invitation_org_id, ADMIN.orgId);
  assert.equal(check.invitation_org_name, ADMIN.orgName);
  assert.equal(typeof check.invitee_user_id, 'string');
  assert.notEqual(check.invitee_user_id, '');
  assert.equal(check.invitee_primary_org_id ?? undefined, undefined, 'a new address has no primary organization');

  // A password the core's policy refuses leaves the invitation usable.
  await refused(sdk().activateUser({ token }, { display_name: 'Ina Invitee', password: 'short' }), 400);
  const password = remember(`ina-password-${Date.now()}`);
  const act = await ok(sdk().activateUser({ token }, { display_name: 'Ina Invitee', password }));
  assert.ok(act.data === '' || act.data === undefined, `activateUser answers no body: ${JSON.stringify(act.data)}`);
  await refused(sdk().checkInviteToken({ token }), 404);
  await refused(sdk().activateUser({ token }, { display_name: 'Again', password }), 404);
  await refused(sdk().rejectInvite({ token }), 404);

  const wm = await windmillLogin(email, password);
  assert.equal(wm.status, 200, 'Windmill login');
  const ef = await effektifLogin(email, password);
  assert.equal(ef.status, 200, 'Effektif login');
  for (const t of [wm.token, ef.token]) {
    const me = await data(sdk(t).getMeV2());
    assert.equal(me.email, email);
    assert.equal(me.display_name, 'Ina Invitee');
    assert.equal(me.organization_id, ADMIN.orgId, 'the organization they joined is their primary one');
    assert.equal(me.status, 'Active');
    assert.ok(isInstant(me.activated_at), 'activated_at is set');
    assert.equal(me.id, check.invitee_user_id, 'the user checkInviteToken named');
    assert.match(me.id, HEX24);
  }
  assert.deepEqual((await data(sdk(ef.token).getMe())).roles, [`${ADMIN.orgId}:member`]);
  assert.equal(await isAdminIn(check.invitee_user_id), false);
  assert.ok(ids((await data(sdk(ADMIN.token).listUsersV2())).results).includes(check.invitee_user_id));
});

test('inviteUser roles: <orgId>:owner and :admin make an admin, other roles a member', async () => {
  for (const [role, admin] of [['owner', true], ['admin', true], ['user', false]]) {
    const email = freshEmail(`role.${role}`);
    const { token } = await invite({ email, language: 'de', roles: [`${ADMIN.orgId}:${role}`] });
    const password = remember(`role-password-${role}-${Date.now()}`);
    // Without display_name it defaults to the address.
    await ok(sdk().activateUser({ token }, { password }));
    const login = await effektifLogin(email, password);
    assert.equal(login.status, 200);
    const me = await data(sdk(login.token).getMeV2());
    assert.equal(me.display_name, email, 'display_name defaults to the address');
    assert.equal(await isAdminIn(me.id), admin, `${role} → admin ${admin}`);
    assert.deepEqual((await data(sdk(login.token).getMe())).roles, [`${ADMIN.orgId}:${admin ? 'owner' : 'member'}`]);
  }
});

test('inviteUser: bad input 400; an existing member 400; nothing is sent', async () => {
  const c = sdk(ADMIN.token);
  for (const body of [{}, { email: 'not an address' }, { email: 42 }, { email: freshEmail('lang'), language: 'fr' },
    { email: freshEmail('roles'), roles: 'owner' }, { email: freshEmail('roles'), roles: ['owner'] },
    { email: freshEmail('roles'), roles: [`${OUTSIDER.orgId}:owner`] }]) {
    await refused(c.inviteUser(null, body), 400);
    if (typeof body.email === 'string' && body.email.includes('@')) assert.equal(await mailCount(body.email), 0, 'no mail for a refused invitation');
  }
  rawRefused(await raw('POST', '/v2/users/invite', { token: ADMIN.token, body: '{"email": ' }), 400);
  await refused(c.inviteUser(null, { email: MEMBER.email }), 400);
  await refused(sdk().inviteUser(null, { email: freshEmail('anon') }), 401);
});

test('inviting an existing account: the same answer; accepting joins it as it is', async () => {
  const fresh = freshEmail('control');
  const control = (await invite({ email: fresh, language: 'en' })).answer;
  const { answer, token } = await invite({ email: EXISTING.email, language: 'en' });
  assert.deepEqual(Object.keys(answer).sort(), Object.keys(control).sort(), 'the answer does not tell an account from a new address');
  assert.equal(answer.status, 'Pending');
  assert.notEqual(answer.display_name, 'Olga Owner', 'no profile of the account before it accepts');
  assert.ok(!ids((await data(sdk(ADMIN.token).listUsersV2())).results).includes(EXISTING.userId), 'not a member before accepting');

  const check = await data(sdk().checkInviteToken({ token }));
  assert.equal(check.invitee_user_id, EXISTING.userId);
  assert.equal(check.invitee_primary_org_id, EXISTING.orgId);
  assert.equal(check.invitation_org_id, ADMIN.orgId);

  const other = remember(`not-the-password-${Date.now()}`);
  await ok(sdk().activateUser({ token }, { display_name: 'Someone Else', password: other }));
  assert.equal((await effektifLogin(EXISTING.email, EXISTING.password)).status, 200, 'the account keeps its password');
  assert.equal((await effektifLogin(EXISTING.email, other)).status, 401, 'activation set no password on an existing account');
  const me = await data(sdk(EXISTING.token).getMeV2());
  assert.equal(me.display_name, 'Olga Owner', 'and keeps its name');
  assert.equal(me.organization_id, EXISTING.orgId, 'its primary organization stays');
  assert.equal((await effektif(`/${ADMIN.org}`, EXISTING.token)).status, 200, 'now a member of the inviting organization');
  const lp = (await data(sdk().getUserLoginParametersV2({ username: EXISTING.email }))).login_parameters;
  assert.deepEqual(lp.map((p) => p.organization_id), [EXISTING.orgId, ADMIN.orgId]);
});

test('rejectInvite declines: the token is gone, no account is made', async () => {
  const email = freshEmail('decliner');
  const { token } = await invite({ email, language: 'en' });
  assert.deepEqual(await data(sdk().rejectInvite({ token })), { success: true });
  await refused(sdk().checkInviteToken({ token }), 404);
  await refused(sdk().activateUser({ token }, { password: remember(`decliner-${Date.now()}`) }), 404);
  await refused(sdk().rejectInvite({ token }), 404);
  assert.equal((await effektifLogin(email, 'any password at all')).status, 401);
  // Unknown tokens, also ones that need encoding in the query.
  for (const bogus of ['t/1+2', 'A'.repeat(22), 'x'.repeat(2048)]) {
    await refused(sdk().checkInviteToken({ token: bogus }), 404);
    await refused(sdk().activateUser({ token: bogus }, { password: 'a long enough password' }), 404);
    await refused(sdk().rejectInvite({ token: bogus }), 404);
  }
});

test('signUpUser mails a code; activateUser takes it and makes the organization and its owner, who logs in through Effektif', async () => {
  const email = freshEmail('signup');
  const password = remember(`signup-password-${Date.now()}`);
  const name = `epilot Signup ${Date.now()}`;
  const before = await mailCount(email);
  const answer = await data(sdk().signUpUser(null, {
    organization_detail: { type: 'Vendor', name, pricing_tier: 'professional', email, phone: '+49 30 1', website: 'https://example.com', is_privacy_policy_checked: true, is_terms_and_conditions_checked: true },
    user_detail: { full_name: 'Sam Signup', email, password },
    language: 'en',
  }));
  const { user, organization } = answer;
  assert.equal(organization.name, name);
  assert.equal(organization.type, 'Vendor');
  assert.equal(organization.pricing_tier, 'professional');
  assert.equal(user.email, email);
  assert.equal(user.name, 'Sam Signup');
  // Nothing exists before the mailed code is taken (the core's sign-up: an
  // address is never claimed by someone who cannot read its mail).
  assert.equal((await effektifLogin(email, password)).status, 401);
  const code = tokenIn(await newMail(email, before));
  await ok(sdk('stale-bearer').activateUser({ token: code }, {}));

  const login = await effektifLogin(email, password);
  assert.equal(login.status, 200);
  const org = login.json.organizations.find((o) => o.name === name);
  assert.ok(org, 'the organization was made');
  const me = await data(sdk(login.token).getMeV2());
  assert.equal(me.organization_id, org.id);
  assert.equal(me.display_name, 'Sam Signup');
  assert.deepEqual((await data(sdk(login.token).getMe())).roles, [`${org.id}:owner`]);

  const detail = (over) => ({ type: 'Vendor', name: `x ${Date.now()}`, pricing_tier: 'professional', email: freshEmail('org'), ...over });
  const person = (over) => ({ full_name: 'X', email: freshEmail('person'), password: 'a long enough password', ...over });
  for (const body of [{}, { organization_detail: detail() }, { user_detail: person() },
    { organization_detail: detail({ type: 'Other' }), user_detail: person() },
    { organization_detail: detail({ name: '' }), user_detail: person() },
    { organization_detail: detail(), user_detail: person({ email: 'not an address' }) },
    { organization_detail: detail(), user_detail: person({ password: 'short' }) },
    { organization_detail: detail(), user_detail: person(), language: 'fr' }]) {
    await refused(sdk().signUpUser(null, body), 400);
  }
});
