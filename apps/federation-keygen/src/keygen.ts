/** CLI-KEYGEN-02 … 04: make, store and print a key; promote or retire stored ones (R25, R27). */
import { canonicalizeDomain, generateEd25519Seed } from '@less-sync/auth';
import { isStorageError, type Storage } from '@less-sync/storage';
import { UsageError } from './args.js';

export interface GenerateOptions {
  readonly domain: string;
  readonly fragment: string | undefined;
  readonly printPrivate: boolean;
  readonly promote: boolean;
  /** Unix time in ms, for the default fragment. */
  readonly nowMs?: number;
  readonly hrtimeNs?: bigint;
}

export interface GeneratedKey {
  readonly keyId: string;
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** `fed-<unix seconds>-<sub-second nanoseconds>`, as the reference names keys. */
export function defaultFragment(nowMs: number, hrtimeNs: bigint): string {
  const seconds = Math.floor(nowMs / 1000);
  const nanos = (BigInt(nowMs % 1000) * 1_000_000n + (hrtimeNs % 1_000_000n)) % 1_000_000_000n;
  return `fed-${seconds}-${nanos}`;
}

/** CLI-KEYGEN-02: the key id and a fresh Ed25519 pair from the OS RNG. */
export function generateKey(options: GenerateOptions): GeneratedKey {
  const domain = canonicalizeDomain(options.domain);
  if (domain === '') throw new UsageError('domain must not be empty');
  const fragment =
    options.fragment ??
    defaultFragment(options.nowMs ?? Date.now(), options.hrtimeNs ?? process.hrtime.bigint());
  const { seed, publicKey } = generateEd25519Seed();
  return { keyId: `https://${domain}/.well-known/jwks.json#${fragment}`, privateKey: seed, publicKey };
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** CLI-KEYGEN-03/04: stores the key, then prints the FED-KEY-04 lines (nothing is printed before it is stored). */
export async function storeAndDescribe(
  storage: Storage,
  key: GeneratedKey,
  options: Pick<GenerateOptions, 'printPrivate' | 'promote'>,
): Promise<string[]> {
  const created = await storage.createFederationKey({
    kid: key.keyId,
    privateKey: key.privateKey,
    publicKey: key.publicKey,
    promote: options.promote,
  });
  const pub = b64url(key.publicKey);
  const lines = [
    'Generated federation signing key',
    `key_id=${key.keyId}`,
    `public_key_base64url=${pub}`,
    `trusted_keys_entry=${key.keyId}=${pub}`,
    options.printPrivate
      ? `private_seed_base64url=${b64url(key.privateKey)}`
      : 'private_seed_base64url=<hidden> (pass --print-private to show)',
    'stored_in_database=true',
    `promoted_for_signing=${created.promoted}`,
  ];
  if (!created.promoted) lines.push(`signing_key_id=${created.primaryKid}`);
  return lines;
}

export async function promoteExisting(storage: Storage, keyId: string): Promise<string[]> {
  await storage.setFederationPrimaryKey(keyId);
  return ['Promoted federation signing key', `key_id=${keyId}`, 'promoted_for_signing=true'];
}

export async function retire(storage: Storage, keyId: string): Promise<string[]> {
  await storage.retireFederationKey(keyId);
  return ['Retired federation signing key', `key_id=${keyId}`, 'active=false'];
}

export async function list(storage: Storage): Promise<string[]> {
  const primary = await storage.getFederationSigningKey();
  const keys = await storage.listFederationPublicKeys();
  if (keys.length === 0) return ['no active federation signing keys'];
  return keys.map((k) => {
    const pub = b64url(k.publicKey);
    return `key_id=${k.kid} primary=${k.kid === primary?.kid} trusted_keys_entry=${k.kid}=${pub}`;
  });
}

/** A storage refusal an operator can act on, as one sentence. */
export function describeStorageRefusal(error: unknown, keyId: string): string | undefined {
  if (isStorageError(error, 'FederationKeyExists')) {
    return `a federation key with id ${JSON.stringify(keyId)} already exists; choose another --kid`;
  }
  if (isStorageError(error, 'FederationKeyNotFound'))
    return `no federation key with id ${JSON.stringify(keyId)}`;
  if (isStorageError(error, 'FederationKeyIsPrimary')) {
    return `${JSON.stringify(keyId)} is the signing key; promote another key first (--promote-existing)`;
  }
  return undefined;
}
