import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { coseP256PublicKey } from './cose.ts';

// A software authenticator for tests: real P-256 keys, authenticator data, CBOR attestation objects
// ("none") and ECDSA assertions laid out as WebAuthn Level 2 §6.1 and §6.5 say, so the real library checks
// them through the service's routes. Each option below breaks one thing a real authenticator or browser
// would get right, to show the service refuses it.

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
const AAGUID = Buffer.alloc(16);

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

export interface CeremonyTweaks {
  /** The origin the "browser" reports in clientDataJSON. */
  origin?: string;
  /** The RP ID whose hash goes into the authenticator data. */
  rpId?: string;
  /** User verification done (PIN, biometrics); default true. */
  userVerified?: boolean;
  /** User presence; default true. */
  userPresent?: boolean;
  /** The signature counter to report (assertions); default: one more than the last. */
  counter?: number;
  /** The challenge to sign instead of the options' one. */
  challenge?: string;
}

export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];
  private readonly rp: { id: string; origin: string };
  /** A synced passkey (backup eligible and backed up), as a password manager's; else device-bound. */
  private readonly synced: boolean;
  constructor(rp: { id: string; origin: string }, synced = false) {
    this.rp = rp;
    this.synced = synced;
  }

  private authenticatorData(rpId: string, flags: number, counter: number, attested?: Uint8Array) {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const backup = this.synced ? FLAG_BE | FLAG_BS : 0;
    const head = [sha256(rpId), Buffer.from([flags | backup | (attested ? FLAG_AT : 0)]), count];
    return Buffer.concat(attested ? [...head, attested] : head);
  }

  private clientData(type: string, challenge: string, t: CeremonyTweaks) {
    return Buffer.from(
      JSON.stringify({
        type,
        challenge: t.challenge ?? challenge,
        origin: t.origin ?? this.rp.origin,
        crossOrigin: false,
      }),
    );
  }

  private flags(t: CeremonyTweaks) {
    return (t.userPresent === false ? 0 : FLAG_UP) | (t.userVerified === false ? 0 : FLAG_UV);
  }

  /** navigator.credentials.create(): a new resident credential for the options' user. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    t: CeremonyTweaks = {},
  ): RegistrationResponseJSON {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(32);
    this.credentials.push({ id, privateKey, userHandle: options.user.id, counter: 0 });
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([
      AAGUID,
      idLength,
      id,
      coseP256PublicKey(createPublicKey(privateKey).export({ format: 'jwk' })),
    ]);
    const authData = this.authenticatorData(t.rpId ?? this.rp.id, this.flags(t), 0, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, t)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an assertion by `credential` (the newest one by default). */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    t: CeremonyTweaks = {},
    credential: Credential | undefined = this.credentials.at(-1),
  ): AuthenticationResponseJSON {
    if (!credential) throw new Error('no credential registered');
    credential.counter = t.counter ?? credential.counter + 1;
    const authData = this.authenticatorData(t.rpId ?? this.rp.id, this.flags(t), credential.counter);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, t);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** A credential the service never saw (same shape, its own key). */
  stranger(userHandle: string): Credential {
    return {
      id: randomBytes(32),
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      userHandle,
      counter: 0,
    };
  }
}
