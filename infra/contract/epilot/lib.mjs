// Shared helpers of the epilot User API contract tests. The tests drive the
// running local stack through the published clients, unchanged except for
// their base URL (client.defaults.baseURL) and token: @epilot/sdk's
// createClient() from '@epilot/sdk/user' with its own authorize(), and
// @epilot/user-client's createClient() with defaults.headers.common.authorization
// (user-client has no authorize helper). Each client gets one response
// interceptor that only observes: it names the operation answered, records
// it for the coverage check of the Go runner, and fails the call when an
// answer is a 5xx or carries a secret (a password, a hash, a token field).
//
// Every value comes from the environment, set by the Go test
// infra/e2e/contract_epilot_test.go (see README.md for the list).
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { authorize, createClient as createSdkClient } from '@epilot/sdk/user';
import userClient from '@epilot/user-client';

const require = createRequire(import.meta.url);

/** env returns a required environment variable or throws naming it. */
export function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new Error(`environment variable ${name} is not set: run these tests through ` +
      '`go test ./infra/e2e -run TestEpilotContract`, which seeds the stack and sets it');
  }
  return v;
}

/** BASE is the gateway's root URL, such as http://127.0.0.1:3000; epilot's paths start /v1 and /v2 there. */
export const BASE = env('EPT_BASE_URL').replace(/\/+$/, '');
/** SES is the SES emulator's URL; GET /store lists the mails it recorded. */
export const SES = env('EPT_SES_URL').replace(/\/+$/, '');
/** RP_ID is the WebAuthn relying party id the stack is configured with. */
export const RP_ID = process.env.EPT_RP_ID || 'localhost';
/** ORIGIN is the WebAuthn origin the stack accepts in client data. */
export const ORIGIN = process.env.EPT_ORIGIN || 'http://localhost:3000';
/** GROUP_ID is an Effektif group of ADMIN's organization holding ADMIN and MEMBER; GROUP_NAME its name. */
export const GROUP_ID = env('EPT_GROUP_ID');
export const GROUP_NAME = env('EPT_GROUP_NAME');

/** HEX24 is the shape of user, organization and group ids (the core's ids). */
export const HEX24 = /^[0-9a-f]{24}$/;

/**
 * account returns a seeded account: {role, email, password, token, org,
 * orgId, orgName, userId}. token is an Effektif session token of the
 * account (from its activation); org, orgId and orgName are the key, id and
 * name of the organization it was seeded in (ADMIN's, or its own).
 */
export function account(role) {
  return {
    role,
    email: env(`EPT_${role}_EMAIL`),
    password: env(`EPT_${role}_PASSWORD`),
    token: env(`EPT_${role}_TOKEN`),
    org: env(`EPT_${role}_ORG`),
    orgId: env(`EPT_${role}_ORG_ID`),
    orgName: env(`EPT_${role}_ORG_NAME`),
    userId: env(`EPT_${role}_USER_ID`),
  };
}

// The passwords that no answer may carry: the seeded ones and every one
// that a test sets (remember).
const passwords = new Set(Object.entries(process.env)
  .filter(([k]) => /^EPT_.*_PASSWORD$/.test(k)).map(([, v]) => v));

/** remember registers a password (or other secret) that no answer may carry. */
export function remember(secret) {
  passwords.add(secret);
  return secret;
}

// ---- Operations: matched from the SDK's own definition ----

const definition = JSON.parse(readFileSync(require.resolve('@epilot/sdk/user/openapi.json'), 'utf8'));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** OPERATIONS lists the SDK's operations: {id, method, path, re, literal, public}. */
export const OPERATIONS = [];
for (const [path, methods] of Object.entries(definition.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    if (!op?.operationId) continue;
    OPERATIONS.push({
      id: op.operationId, method: method.toUpperCase(), path,
      re: new RegExp('^' + path.split(/\{[^}]+\}/).map(escapeRe).join('[^/]+') + '$'),
      literal: path.replace(/\{[^}]+\}/g, '').length,
      public: Array.isArray(op.security) && op.security.length === 0,
    });
  }
}

/** operationOf names the SDK operation of a method and URL (the most literal match). */
export function operationOf(method, url) {
  const path = new URL(url, BASE + '/').pathname;
  const m = OPERATIONS.filter((o) => o.method === method.toUpperCase() && o.re.test(path))
    .sort((a, b) => b.literal - a.literal);
  return m[0]?.id ?? `${method.toUpperCase()} ${path}`;
}

function recordOperation(op, status, kind) {
  if (process.env.EPT_OPS_LOG) appendFileSync(process.env.EPT_OPS_LOG, `${op} ${status} ${kind}\n`);
}

// ---- What every answer must hold ----

// Keys that name a secret. Allowed: challenge_token (the passkey begin
// answers) and login_token (switchOrganization), which the operations
// exist to hand out.
const SECRET_KEY = /password|hash|secret|(^|_)token$/i;
const ALLOWED_KEYS = new Set(['challenge_token', 'login_token']);

/** secretKeys lists the paths of keys in a decoded value that name a secret. */
export function secretKeys(value, path = '$') {
  const out = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...secretKeys(v, `${path}[${i}]`)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k) && !ALLOWED_KEYS.has(k)) out.push(`${path}.${k}`);
      out.push(...secretKeys(v, `${path}.${k}`));
    }
  }
  return out;
}

/**
 * inspectAnswer throws when an answer breaks a rule that holds for every
 * call: never a 5xx, never a hash or a known password, and (for epilot
 * answers) never a field named for a secret.
 */
function inspectAnswer(what, status, data, epilot = true) {
  if (status >= 500) {
    throw new assert.AssertionError({ message: `${what} answered ${status} (never a 5xx); body ${short(data)}`, actual: status, expected: '< 500', operator: 'status' });
  }
  const keys = epilot ? secretKeys(data) : [];
  if (keys.length) {
    throw new assert.AssertionError({ message: `${what} answered secret fields ${keys.join(', ')}`, actual: keys, expected: [], operator: 'noSecret' });
  }
  const s = typeof data === 'string' ? data : JSON.stringify(data ?? '');
  if (/\$argon2id\$|\$2[aby]\$\d\d\$/.test(s)) {
    throw new assert.AssertionError({ message: `${what} answered a password hash`, actual: 'hash', expected: 'none', operator: 'noSecret' });
  }
  for (const p of passwords) {
    if (p && s.includes(p)) throw new assert.AssertionError({ message: `${what} answered a password`, actual: 'password', expected: 'none', operator: 'noSecret' });
  }
}

function short(data) {
  const s = typeof data === 'string' ? data : JSON.stringify(data);
  return (s ?? '').slice(0, 400);
}

function observe(client, kind) {
  client.defaults.timeout = 60_000;
  const check = (res) => {
    const method = (res.config.method ?? 'get').toUpperCase();
    const op = operationOf(method, res.config.url ?? '');
    recordOperation(op, res.status, kind);
    inspectAnswer(`${kind} ${op} (${method} ${res.config.url})`, res.status, res.data);
  };
  client.interceptors.response.use(
    (res) => { check(res); return res; },
    (err) => {
      if (err?.response) {
        try { check(err.response); } catch (e) { return Promise.reject(e); }
      }
      return Promise.reject(err);
    });
  return client;
}

/**
 * sdk is a fresh @epilot/sdk user client pointed at the gateway; with a
 * token it is authorized through the SDK's own authorize(), which sets
 * `authorization: Bearer <token>`. Without one it sends no Authorization.
 */
export function sdk(token) {
  const c = createSdkClient();
  c.defaults.baseURL = BASE;
  if (token !== undefined) authorize(c, token);
  return observe(c, 'sdk');
}

/**
 * uc is a fresh @epilot/user-client 3.13.1 client pointed at the gateway;
 * with a token it sets defaults.headers.common.authorization (the client
 * has no authorize helper).
 */
export function uc(token) {
  const c = userClient.createClient();
  c.defaults.baseURL = BASE;
  if (token !== undefined) c.defaults.headers.common.authorization = `Bearer ${token}`;
  return observe(c, 'user-client');
}

// ---- Expectations on client calls ----

function describe(err) {
  const cfg = err.config ?? {};
  return `${(cfg.method ?? '?').toUpperCase()} ${cfg.url}`;
}

/**
 * ok awaits a client call that must succeed with the status (200 unless
 * told). A failure becomes a short assertion: method, URL, status and
 * answer, never the request body (which may hold a password). For a status
 * other than 204 with a body, the answer must be JSON. It answers the
 * axios response ({status, headers, data}).
 */
export async function ok(call, status = 200) {
  let res;
  try {
    res = await call;
  } catch (e) {
    if (!e?.isAxiosError) throw e;
    if (!e.response) throw new Error(`${describe(e)}: no answer (${e.code ?? e.message})`);
    throw new assert.AssertionError({
      message: `${describe(e)} answered ${e.response.status}, want ${status}; body ${short(e.response.data)}`,
      actual: e.response.status, expected: status, operator: 'ok',
    });
  }
  assert.equal(res.status, status, `${res.config.method?.toUpperCase()} ${res.config.url}: status`);
  const hasBody = res.data !== '' && res.data !== undefined;
  if (hasBody) {
    assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/, `${res.config.url}: Content-Type of a JSON answer`);
  }
  return res;
}

/** data awaits ok(call, status) and answers the decoded body. */
export async function data(call, status = 200) {
  return (await ok(call, status)).data;
}

/**
 * refused awaits a client call that must fail with one of the statuses (a
 * number or a list). The answer must be a JSON object with a non-empty
 * string `message` (the epilot error shape decided in README.md). It
 * answers the axios error's response.
 */
export async function refused(call, statuses) {
  const want = [statuses].flat();
  let res;
  try {
    res = await call;
  } catch (e) {
    if (!e?.isAxiosError) throw e;
    if (!e.response) throw new Error(`${describe(e)}: no answer (${e.code ?? e.message})`);
    const r = e.response;
    assert.ok(want.includes(r.status), `${describe(e)}: status ${r.status}, want ${want.join(' or ')}; body ${short(r.data)}`);
    assertErrorBody(r.headers['content-type'], r.data, describe(e));
    return r;
  }
  assert.fail(`${res.config.method?.toUpperCase()} ${res.config.url}: expected ${want.join(' or ')}, it succeeded (${res.status}) with ${short(res.data)}`);
}

/** assertErrorBody checks an error answer: JSON, an object with a string message. */
export function assertErrorBody(contentType, body, what) {
  assert.match(String(contentType ?? ''), /^application\/json/, `${what}: the error answer is JSON`);
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `${what}: the error body is an object: ${short(body)}`);
  assert.equal(typeof body.message, 'string', `${what}: the error body has a string message: ${short(body)}`);
  assert.notEqual(body.message.trim(), '', `${what}: the error message is empty`);
}

// ---- Requests outside the clients ----

/**
 * raw sends a request with fetch, for the Effektif and Windmill APIs and
 * for wire forms the clients do not produce (a comma-separated org_ids,
 * malformed bodies). body, when given, is sent as JSON unless it is a
 * string (sent as is). It answers {what, status, headers, text, json}; the
 * rules of every answer (no 5xx, no secret) hold here too.
 */
export async function raw(method, path, { token, body, headers = {} } = {}) {
  const h = { Accept: 'application/json, text/plain, */*', ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(BASE + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  const what = `${method} ${path.slice(0, 200)}`;
  // Effektif and Windmill answer session tokens by design; the secret-key
  // rule is epilot's.
  const epilot = path.startsWith('/v1/') || path.startsWith('/v2/');
  inspectAnswer(what, res.status, json ?? text, epilot);
  if (epilot) recordOperation(operationOf(method, path), res.status, 'fetch');
  return { what, status: res.status, headers: res.headers, text, json };
}

/** expectStatus checks a raw answer's status; for a 4xx also the epilot error shape when epilot answered. */
export function expectStatus(r, status) {
  assert.equal(r.status, status, `${r.what}: status ${r.status}, want ${status}; body ${r.text.slice(0, 300)}`);
  return r;
}

/** rawRefused checks a raw epilot answer: one of the statuses and the epilot error shape. */
export function rawRefused(r, statuses) {
  const want = [statuses].flat();
  assert.ok(want.includes(r.status), `${r.what}: status ${r.status}, want ${want.join(' or ')}; body ${r.text.slice(0, 300)}`);
  assertErrorBody(r.headers.get('content-type'), r.json, r.what);
  return r;
}

/** effektifLogin logs in through the Effektif API: {status, token}. */
export async function effektifLogin(email, password) {
  const r = await raw('POST', '/api/v1/users/login', { body: { emailAddress: email, password } });
  return { status: r.status, token: r.json?.token, json: r.json };
}

/** windmillLogin logs in through the Windmill API (POST /api/auth/login): {status, token}. */
export async function windmillLogin(email, password) {
  const r = await raw('POST', '/api/auth/login', { body: { email, password } });
  return { status: r.status, token: r.status === 200 ? r.text : undefined };
}

/** effektif reads an Effektif path with a token: {status, json}. */
export async function effektif(path, token) {
  const r = await raw('GET', '/api/v1' + path, { token });
  return { status: r.status, json: r.json };
}

// ---- Mail ----

/** mailsTo lists the mails the SES emulator recorded for an address. */
export async function mailsTo(address) {
  const res = await fetch(SES + '/store');
  assert.equal(res.status, 200, 'SES emulator /store');
  const store = await res.json();
  return (store.emails ?? []).filter((m) =>
    (m.destination?.to ?? []).some((to) => to.toLowerCase() === address.toLowerCase()));
}

/** mailCount is the number of mails recorded for an address. */
export async function mailCount(address) {
  return (await mailsTo(address)).length;
}

/**
 * newMail waits (up to 10 s) for a mail to the address beyond the first
 * `before` ones and answers the newest.
 */
export async function newMail(address, before) {
  for (let i = 0; i < 50; i++) {
    const mails = await mailsTo(address);
    if (mails.length > before) return mails[mails.length - 1];
    await sleep(200);
  }
  assert.fail(`no new mail to ${address} (had ${before})`);
}

/**
 * tokenIn finds the single-use token of an identity mail: a link's
 * `token=` query parameter (decoded), else an Effektif registration link,
 * else the code on a line of its own indented by four spaces (the core's
 * code line). See README.md.
 */
export function tokenIn(mail) {
  const text = `${mail.body?.text ?? ''}\n${mail.body?.html ?? ''}`;
  const link = text.match(/[?&]token=([^&\s"'<>]+)/);
  if (link) return decodeURIComponent(link[1]);
  const reg = text.match(/(?:registrations\/|\/pages\/activate#)([A-Za-z0-9_-]{22})/);
  if (reg) return reg[1];
  const line = (mail.body?.text ?? '').match(/^ {4}(\S+)\s*$/m);
  assert.ok(line, `no token in the mail: ${text.slice(0, 500)}`);
  return line[1];
}

// ---- Small things ----

let n = 0;
/** freshEmail is an address no account has. */
export function freshEmail(prefix) {
  n++;
  return `${prefix}.${Date.now()}.${process.pid}.${n}@example.com`;
}

/** isInstant tells whether a value is a date-time string that parses. */
export function isInstant(v) {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** ids answers the sorted ids of a list of objects (or of id strings). */
export function ids(list) {
  return list.map((x) => (typeof x === 'string' ? x : x.id)).sort();
}

/** unwrapOptions answers WebAuthn options given plain or wrapped as {publicKey: …} (go-webauthn's shape). */
export function unwrapOptions(options) {
  assert.ok(options && typeof options === 'object', `options: ${short(options)}`);
  return options.publicKey ?? options;
}
