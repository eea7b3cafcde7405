// A software WebAuthn authenticator that really signs: an ECDSA P-256 key
// made with node's crypto, attestation "none", assertions signed over
// authenticatorData || SHA-256(clientDataJSON) as the WebAuthn spec says.
// It builds the JSON a browser's PublicKeyCredential serialises to (the
// shape go-webauthn parses: id, rawId, type, response.{clientDataJSON,
// attestationObject | authenticatorData, signature, userHandle}, all
// base64url), with the few CBOR structures encoded by hand (cbor below).
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** b64url encodes bytes as unpadded base64url. */
export const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

// Flags of authenticatorData (WebAuthn §6.1).
const UP = 0x01; // user present
const UV = 0x04; // user verified
const AT = 0x40; // attested credential data included

/**
 * cbor encodes the values these structures need (RFC 8949): unsigned and
 * negative integers, byte strings (Buffer), text strings, arrays and maps
 * (a Map, so integer keys keep their type and order).
 */
export function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
    const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('cbor: integers only');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') { const b = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, b.length), b]); }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  if (value && typeof value === 'object') return cbor(new Map(Object.entries(value)));
  throw new Error(`cbor: cannot encode ${typeof value}`);
}

/**
 * Authenticator is one credential on a software authenticator: its key
 * pair, credential id and signature counter. Options are the server's
 * PublicKeyCredentialCreationOptions / RequestOptions, already unwrapped
 * from {publicKey: …}.
 */
export class Authenticator {
  constructor({ rpId, origin, transports = ['hybrid', 'internal'] }) {
    this.rpId = rpId;
    this.origin = origin;
    this.transports = transports;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' });
    this.rawId = randomBytes(32);
    this.id = b64url(this.rawId);
    this.counter = 0;
    this.userHandle = undefined;
  }

  /** coseKey is the credential's public key as a COSE_Key (EC2, ES256, P-256). */
  coseKey() {
    return cbor(new Map([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]));
  }

  clientData(type, challenge, origin) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /**
   * create answers the registration_response for creation options: a
   * credential with attestation "none". Overrides: origin, rpId, challenge,
   * type (of the client data) to build refused variants.
   */
  create(options, over = {}) {
    const rpIdHash = sha256(over.rpId ?? this.rpId);
    const counter = Buffer.alloc(4); // 0 at registration
    const idLen = Buffer.alloc(2); idLen.writeUInt16BE(this.rawId.length);
    const authData = Buffer.concat([rpIdHash, Buffer.from([UP | UV | AT]), counter,
      Buffer.alloc(16), idLen, this.rawId, this.coseKey()]);
    const attestationObject = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const clientDataJSON = this.clientData(over.type ?? 'webauthn.create', over.challenge ?? options.challenge, over.origin ?? this.origin);
    this.userHandle = options.user?.id;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: this.transports,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * get answers the assertion_response for request options, signed with
   * the credential's key. The counter goes up by one unless over.counter
   * sets it (a cloned authenticator repeats or lowers it). Overrides:
   * origin, rpId, challenge, signWith (another Authenticator's key),
   * userHandle.
   */
  get(options, over = {}) {
    this.counter = over.counter ?? this.counter + 1;
    const counter = Buffer.alloc(4); counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(over.rpId ?? this.rpId), Buffer.from([UP | UV]), counter]);
    const clientDataJSON = this.clientData('webauthn.get', over.challenge ?? options.challenge, over.origin ?? this.origin);
    const key = (over.signWith ?? this).privateKey;
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), key); // DER, as WebAuthn's ES256
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: over.userHandle ?? this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
