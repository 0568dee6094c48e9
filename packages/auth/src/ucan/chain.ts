import { constantTimeEqual } from '../encoding/bytes.js';
import { firstAudience } from '../encoding/claims.js';
import { attenuates, type Permission, parsePermission } from '../permission/permission.js';
import { UcanError } from './errors.js';
import { computeUcanCid, type ParsedUcan, parseUcan } from './parse.js';

export const MAX_CHAIN_DEPTH = 8;
export const MAX_TOKENS_PER_CHAIN = 32;

/**
 * Asked once per link, leaf first: is the token with this CID revoked in this space? `spaceId` is
 * passed as given (no `space:` prefix). Storage stays out of this package: the caller injects this.
 */
export type RevocationCheck = (spaceId: string, cid: string) => Promise<boolean> | boolean;

export interface ValidateChainParams {
  /** The leaf UCAN presented by the bearer. */
  readonly token: string;
  /** The bearer's DID; the leaf's first audience must equal it. */
  readonly expectedAudience: string;
  readonly requiredPermission: Permission;
  /** Canonical space id; every link's `with` must be `space:<spaceId>`. */
  readonly spaceId: string;
  /** The space root's 33-byte compressed P-256 key. */
  readonly rootPublicKey: Uint8Array;
  readonly isRevoked?: RevocationCheck;
  /** Milliseconds since the epoch; default the current time. */
  readonly now?: number;
}

export interface ValidatedChain {
  /** CID of every token in the chain, leaf first: what a later revocation must be matched against. */
  readonly cids: readonly string[];
  /** The leaf's permission (at least the required one). */
  readonly permission: Permission;
  /** The leaf's `exp` in Unix seconds; no proof expires earlier, so the chain holds until then. */
  readonly expiresAt: number;
}

/** Parses one link; `cid` is its precomputed CID so a caching parser need not hash twice. */
export type ChainLinkParser = (raw: string, cid: string) => ParsedUcan;

const uncachedParser: ChainLinkParser = (raw) => parseUcan(raw);

/** validate_chain (UCAN-05..14) without caches. */
export function validateChain(params: ValidateChainParams): Promise<ValidatedChain> {
  return validateChainWith(params, uncachedParser);
}

/**
 * Walks leaf → root. Per link, first failure wins: depth, token count, repeats, (leaf) parse and
 * audience, resource, command level, exp, nbf, nonce, revocation, then either the root-key check
 * (no proof) or the single proof's parse, audience linkage, level and expiry against this link.
 */
export async function validateChainWith(
  params: ValidateChainParams,
  parse: ChainLinkParser,
): Promise<ValidatedChain> {
  const nowMs = params.now ?? Date.now();
  const expectedResource = `space:${params.spaceId}`;
  const seen = new Set<string>();
  const cids: string[] = [];
  let raw = params.token;
  let cid = computeUcanCid(raw);
  let link: ParsedUcan | undefined;
  let leaf: { permission: Permission; exp: bigint } | undefined;

  for (let depth = 0; ; depth++) {
    if (depth >= MAX_CHAIN_DEPTH) throw new UcanError('ChainTooDeep');
    if (seen.size >= MAX_TOKENS_PER_CHAIN) throw new UcanError('InvalidUcan', 'too many tokens');
    if (seen.has(raw)) throw new UcanError('InvalidUcan', 'repeated token');
    seen.add(raw);
    link ??= parse(raw, cid);
    const claims = link.claims;

    if (depth === 0 && firstAudience(claims.aud) !== params.expectedAudience) {
      throw new UcanError('IdentityMismatch', 'leaf audience is not the bearer');
    }
    if (claims.with !== expectedResource) throw new UcanError('ResourceMismatch');
    const permission = commandLevel(claims.cmd);
    if (!attenuates(permission, params.requiredPermission)) {
      throw new UcanError('AttenuationViolation', 'insufficient permission');
    }
    if (claims.exp === undefined) throw new UcanError('InvalidUcan', 'missing exp');
    if (nowMs < 0) throw new UcanError('InvalidUcan', 'clock before 1970');
    const now = BigInt(Math.floor(nowMs / 1000));
    if (now > claims.exp) throw new UcanError('UcanExpired');
    if (claims.nbf !== undefined && now < claims.nbf) throw new UcanError('InvalidUcan', 'not yet valid');
    if (claims.nonce === '') throw new UcanError('InvalidUcan', 'empty nonce');
    await checkRevocation(params, cid);
    cids.push(cid);
    leaf ??= { permission, exp: claims.exp };

    if (claims.prf.length > 1) throw new UcanError('InvalidUcan', 'more than one proof');
    const proofRaw = claims.prf[0];
    if (proofRaw === undefined) {
      if (!constantTimeEqual(link.publicKey.compressed, params.rootPublicKey))
        throw new UcanError('RootMismatch');
      return { cids, permission: leaf.permission, expiresAt: Number(leaf.exp) };
    }

    const proofCid = computeUcanCid(proofRaw);
    const proof = parse(proofRaw, proofCid);
    if (firstAudience(proof.claims.aud) !== claims.iss) {
      throw new UcanError('IdentityMismatch', 'proof audience is not the issuer');
    }
    if (!attenuates(commandLevel(proof.claims.cmd), permission)) {
      throw new UcanError('AttenuationViolation', 'proof grants less than its child');
    }
    if (proof.claims.exp !== undefined && claims.exp > proof.claims.exp) {
      throw new UcanError('AttenuationViolation', 'child outlives its proof');
    }
    raw = proofRaw;
    cid = proofCid;
    link = proof;
  }
}

function commandLevel(cmd: string): Permission {
  try {
    return parsePermission(cmd);
  } catch (error) {
    throw new UcanError('InvalidUcan', 'unknown command', { cause: error });
  }
}

async function checkRevocation(params: ValidateChainParams, cid: string): Promise<void> {
  if (params.isRevoked === undefined) return;
  let revoked: unknown;
  try {
    revoked = await params.isRevoked(params.spaceId, cid);
  } catch (error) {
    throw new UcanError('RevocationCheckFailed', undefined, { cause: error });
  }
  // Fail closed: anything but a boolean answer is a failed check, not a pass.
  if (typeof revoked !== 'boolean') throw new UcanError('RevocationCheckFailed', 'non-boolean answer');
  if (revoked) throw new UcanError('UcanRevoked');
}
