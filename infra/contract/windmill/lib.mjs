// Shared helpers of the Windmill contract tests. The tests drive the running
// local stack through the published windmill-client, unchanged: it is only
// configured with setClient(token, base) (which sets OpenAPI.TOKEN and
// OpenAPI.BASE = base + "/api") and one response interceptor that records the
// last answer's status and headers, which the client itself does not return.
//
// Every value comes from the environment, set by the Go test
// infra/e2e/contract_windmill_test.go (see README.md for the list).
import assert from 'node:assert/strict';
import { ApiError, OpenAPI, setClient } from 'windmill-client';

/** env returns a required environment variable or throws naming it. */
export function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new Error(`environment variable ${name} is not set: run these tests through ` +
      '`go test ./infra/e2e -run TestWindmillContract`, which seeds the stack and sets it');
  }
  return v;
}

/** BASE is the gateway's root URL, such as http://127.0.0.1:3000 (no /api). */
export const BASE = env('WMT_BASE_URL').replace(/\/+$/, '');
/** SES is the SES emulator's URL; GET /store lists the mails it recorded. */
export const SES = env('WMT_SES_URL').replace(/\/+$/, '');
/** WS is the seeded workspace: the Effektif organization key of ADMIN's organization. */
export const WS = env('WMT_WORKSPACE');
/** GROUP is the name of an Effektif group of WS that holds ADMIN and MEMBER. */
export const GROUP = env('WMT_GROUP');
/** OAUTH_CLIENT is the key of an OpenID provider configured in the stack. */
export const OAUTH_CLIENT = env('WMT_OAUTH_CLIENT');

/**
 * account returns a seeded account: {email, password, token, org}. token is
 * an Effektif session token (from the account's activation), org the key of
 * the organization the account was seeded in (WS, or its own).
 */
export function account(role) {
  return {
    role,
    email: env(`WMT_${role}_EMAIL`),
    password: env(`WMT_${role}_PASSWORD`),
    token: env(`WMT_${role}_TOKEN`),
    org: env(`WMT_${role}_ORG`),
  };
}

// The last answer the client received: status, headers and URL.
let last;
OpenAPI.interceptors.response.use((response) => {
  last = { status: response.status, headers: response.headers, url: response.url };
  return response;
});

/** lastResponse is the status, headers and URL of the client's last answer. */
export function lastResponse() {
  assert.ok(last, 'the client received no answer yet');
  return last;
}

/**
 * as points the client at the gateway with a bearer token. Without a token
 * it behaves as setClient(undefined, base): the client then sends its
 * default "Authorization: Bearer no_token".
 */
export function as(token) {
  setClient(token, BASE);
  assert.equal(OpenAPI.BASE, BASE + '/api');
  if (token === undefined) {
    assert.equal(OpenAPI.TOKEN, 'no_token', 'WM_TOKEN must not be set in the environment');
  }
}

/**
 * succeeded awaits a client call and turns its ApiError into a short
 * assertion failure: method, URL, status and body, without the request
 * body (which may hold a password).
 */
async function succeeded(call) {
  try {
    return await call;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    throw new assert.AssertionError({
      message: `${e.request.method} ${e.url} answered ${e.status}, want success; body ${JSON.stringify(e.body)}`,
      actual: e.status, expected: 'a 2xx', operator: 'succeeded',
    });
  }
}

/**
 * text awaits a client call that answers text and checks the answer: the
 * status (200 unless told), a text/plain Content-Type and a non-empty body.
 * It answers the text.
 */
export async function text(call, status = 200) {
  const body = await succeeded(call);
  const r = lastResponse();
  assert.equal(r.status, status, `status of ${r.url}`);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/, `Content-Type of ${r.url}`);
  assert.equal(typeof body, 'string', `body of ${r.url} is text`);
  assert.notEqual(body.trim(), '', `body of ${r.url} is not empty`);
  return body;
}

/**
 * json awaits a client call that answers JSON and checks 200 and an
 * application/json Content-Type. It answers the decoded value.
 */
export async function json(call) {
  const body = await succeeded(call);
  const r = lastResponse();
  assert.equal(r.status, 200, `status of ${r.url}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, `Content-Type of ${r.url}`);
  return body;
}

/**
 * refused awaits a client call that must fail with one of the statuses
 * (a number or a list). The error body must be non-empty: a text, or a JSON
 * object with a non-empty "message" or "error". It answers the ApiError.
 */
export async function refused(call, statuses) {
  const want = [statuses].flat();
  let err;
  try {
    const body = await call;
    assert.fail(`expected ${want.join(' or ')}, the call succeeded (${lastResponse().status}) with ${JSON.stringify(body)}`);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    err = e;
  }
  assert.ok(want.includes(err.status), `${err.request.method} ${err.url}: status ${err.status}, want ${want.join(' or ')}; body ${JSON.stringify(err.body)}`);
  assertErrorBody(err.body, `${err.request.method} ${err.url}`);
  return err;
}

/** assertErrorBody checks a decoded error body: non-empty text or a JSON message. */
export function assertErrorBody(body, what) {
  if (typeof body === 'string') {
    assert.notEqual(body.trim(), '', `${what}: the error body is empty`);
    return;
  }
  assert.ok(body && typeof body === 'object', `${what}: no error body (missing or unknown Content-Type)`);
  const msg = body.message ?? body.error;
  assert.ok(typeof msg === 'string' && msg.trim() !== '', `${what}: the error body has no message: ${JSON.stringify(body)}`);
}

/**
 * raw sends a request with fetch, as the client would (Accept:
 * application/json, a bearer token), for the seed paths the client no longer
 * has and for the Effektif API. body, when given, is sent as JSON (a string
 * is sent as is). It answers {status, headers, text, json}.
 */
export async function raw(method, path, { token, body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(BASE + path, { method, headers: h, body: payload });
  const textBody = await res.text();
  let decoded;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
    try { decoded = JSON.parse(textBody); } catch { decoded = undefined; }
  }
  return { what: `${method} ${path}`, status: res.status, headers: res.headers, text: textBody, json: decoded };
}

/**
 * expectStatus checks the status of a raw answer; for a 4xx also a non-empty
 * body. It answers the answer.
 */
export function expectStatus(r, status) {
  assert.equal(r.status, status, `${r.what}: status ${r.status}, want ${status}; body ${r.text.slice(0, 300)}`);
  if (status >= 400) assert.notEqual(r.text.trim(), '', `${r.what}: the error body is empty`);
  return r;
}

/** expectText checks a raw answer: the status, text/plain, the exact text. */
export function expectText(r, status, body) {
  expectStatus(r, status);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/, `${r.what}: Content-Type`);
  assert.equal(r.text, body, `${r.what}: the answer`);
  return r;
}

/** effektifLogin logs in through the Effektif API: {status, token}. */
export async function effektifLogin(email, password) {
  const r = await raw('POST', '/api/v1/users/login', { body: { emailAddress: email, password } });
  return { status: r.status, token: r.json?.token, body: r.text };
}

/**
 * effektifOrg reads GET /api/v1/{org} of the Effektif API with a token:
 * {status, json}. 200 for a member, 401 for a dead token, 404 for a
 * non-member.
 */
export async function effektifOrg(org, token) {
  const r = await raw('GET', `/api/v1/${encodeURIComponent(org)}`, { token });
  return { status: r.status, json: r.json, body: r.text };
}

/** mailsTo lists the mails the SES emulator recorded for an address. */
export async function mailsTo(address) {
  const res = await fetch(SES + '/store');
  assert.equal(res.status, 200, 'SES emulator /store');
  const store = await res.json();
  return (store.emails ?? []).filter((m) =>
    (m.destination?.to ?? []).some((to) => to.toLowerCase() === address.toLowerCase()));
}

let n = 0;
/** freshEmail is an address no account has. */
export function freshEmail(prefix) {
  n++;
  return `${prefix}.${Date.now()}.${process.pid}.${n}@example.com`;
}

/** usernameOf finds the username of an email in a workspace's listUsers answer. */
export function usernameOf(users, email) {
  const u = users.find((x) => x.email.toLowerCase() === email.toLowerCase());
  assert.ok(u, `${email} is not in the list of users: ${JSON.stringify(users.map((x) => x.email))}`);
  return u.username;
}

/** isInstant tells whether a value is a date-time string that parses. */
export function isInstant(v) {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

/** Usernames: a letter, then letters, digits or underscores, at most 50 (README). */
export const USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;

/** noSecret fails when an answer carries a password, a hash or a token. */
export function noSecret(value, secrets, what) {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  assert.doesNotMatch(s, /\$argon2id\$|\$2[aby]\$\d\d\$|password_?hash|token_?hash/i, `${what} carries a hash`);
  for (const secret of secrets) {
    assert.ok(!s.includes(secret), `${what} carries a secret`);
  }
}
