import { describe, expect, it } from 'vitest';
import {
  computeUcanCid,
  MAX_CHAIN_DEPTH,
  type Permission,
  UcanError,
  type ValidateChainParams,
  validateChain,
} from '../src/index.js';
import { hoursFromNow, TEST_SPACE_ID, TestIssuer } from './helpers/ucan-issuer.js';

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UcanError);
    return (error as UcanError).kind;
  }
  return 'ok';
}

function params(
  token: string,
  bearer: TestIssuer,
  root: TestIssuer,
  extra: Partial<ValidateChainParams> = {},
) {
  return {
    token,
    expectedAudience: bearer.did,
    requiredPermission: 'write' as Permission,
    spaceId: TEST_SPACE_ID,
    rootPublicKey: root.compressedPublicKey,
    ...extra,
  };
}

describe('UCAN chain validation', () => {
  it('UCAN-05 UCAN-13 validate_chain_self_issued_root', async () => {
    const root = new TestIssuer();
    const bearer = new TestIssuer();
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'nonce1', exp: hoursFromNow(1) });
    const result = await validateChain(params(token, bearer, root));
    expect(result.cids).toEqual([computeUcanCid(token)]);
    expect(result.permission).toBe('write');
  });

  it('UCAN-05 UCAN-13 validate_chain_two_link (admin → write)', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const rootToken = root.issue({
      aud: delegate.did,
      cmd: '/space/admin',
      nonce: 'root-nonce',
      exp: hoursFromNow(2),
    });
    const exp = hoursFromNow(1);
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'leaf-nonce',
      prf: [rootToken],
      exp,
    });
    const result = await validateChain(params(leaf, bearer, root));
    expect(result).toEqual({
      cids: [computeUcanCid(leaf), computeUcanCid(rootToken)],
      permission: 'write',
      expiresAt: exp,
    });
  });

  it('UCAN-05 UCAN-09 validate_chain_three_link (admin → write → read, required read)', async () => {
    const [root, mid, delegate, bearer] = [
      new TestIssuer(),
      new TestIssuer(),
      new TestIssuer(),
      new TestIssuer(),
    ];
    const rootToken = root.issue({ aud: mid.did, cmd: '/space/admin', nonce: 'n1', exp: hoursFromNow(3) });
    const midToken = mid.issue({
      aud: delegate.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [rootToken],
      exp: hoursFromNow(2),
    });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/read',
      nonce: 'n3',
      prf: [midToken],
      exp: hoursFromNow(1),
    });
    const result = await validateChain(params(leaf, bearer, root, { requiredPermission: 'read' }));
    expect(result.cids).toHaveLength(3);
  });

  it('UCAN-14 validate_chain_depth_exceeded: a 9-token chain is ChainTooDeep, 8 tokens pass', async () => {
    const issuers = Array.from({ length: MAX_CHAIN_DEPTH + 2 }, () => new TestIssuer());
    const tokens: string[] = [
      (issuers[0] as TestIssuer).issue({
        aud: (issuers[1] as TestIssuer).did,
        cmd: '/space/admin',
        nonce: 'n0',
        exp: hoursFromNow(10),
      }),
    ];
    for (let index = 1; index < issuers.length - 1; index++) {
      tokens.push(
        (issuers[index] as TestIssuer).issue({
          aud: (issuers[index + 1] as TestIssuer).did,
          cmd: '/space/admin',
          nonce: `n${index}`,
          prf: [tokens[index - 1] as string],
          exp: hoursFromNow(10 - index),
        }),
      );
    }
    const bearer = issuers.at(-1) as TestIssuer;
    const root = issuers[0] as TestIssuer;
    expect(tokens).toHaveLength(9);
    expect(
      await kindOf(validateChain(params(tokens[8] as string, bearer, root, { requiredPermission: 'read' }))),
    ).toBe('ChainTooDeep');
    const eighth = issuers[8] as TestIssuer;
    const ok = await validateChain(params(tokens[7] as string, eighth, root, { requiredPermission: 'read' }));
    expect(ok.cids).toHaveLength(8);
  });

  it('UCAN-09 validate_chain_attenuation_violation (read root, write leaf)', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const rootToken = root.issue({
      aud: delegate.did,
      cmd: '/space/read',
      nonce: 'n1',
      exp: hoursFromNow(2),
    });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [rootToken],
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(leaf, bearer, root)))).toBe('AttenuationViolation');
  });

  it('UCAN-08 validate_chain_resource_mismatch', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({
      aud: bearer.did,
      cmd: '/space/write',
      with: 'space:99999999-9999-9999-9999-999999999999',
      nonce: 'n1',
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(token, bearer, root)))).toBe('ResourceMismatch');
  });

  it('UCAN-10 validate_chain_expired', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(-1) });
    expect(await kindOf(validateChain(params(token, bearer, root)))).toBe('UcanExpired');
  });

  it('UCAN-10 validate_chain_not_yet_valid is InvalidUcan', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n1',
      exp: hoursFromNow(2),
      nbf: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(token, bearer, root)))).toBe('InvalidUcan');
  });

  it('UCAN-10 ENC-03 exp and nbf boundaries are whole seconds, exp required, clock before 1970 refused', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: 2_000, nbf: 1_000 });
    expect(await kindOf(validateChain(params(token, bearer, root, { now: 2_000_999 })))).toBe('ok');
    expect(await kindOf(validateChain(params(token, bearer, root, { now: 2_001_000 })))).toBe('UcanExpired');
    expect(await kindOf(validateChain(params(token, bearer, root, { now: 1_000_000 })))).toBe('ok');
    expect(await kindOf(validateChain(params(token, bearer, root, { now: 999_999 })))).toBe('InvalidUcan');
    expect(await kindOf(validateChain(params(token, bearer, root, { now: -1 })))).toBe('InvalidUcan');
    const noExp = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: null });
    expect(await kindOf(validateChain(params(noExp, bearer, root)))).toBe('InvalidUcan');
  });

  it('UCAN-10 validate_chain_child_exp_exceeds_parent; equal exp is allowed', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const rootToken = root.issue({
      aud: delegate.did,
      cmd: '/space/admin',
      nonce: 'n1',
      exp: hoursFromNow(1),
    });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/read',
      nonce: 'n2',
      prf: [rootToken],
      exp: hoursFromNow(2),
    });
    expect(await kindOf(validateChain(params(leaf, bearer, root, { requiredPermission: 'read' })))).toBe(
      'AttenuationViolation',
    );
    const exp = hoursFromNow(1);
    const rootSame = root.issue({ aud: delegate.did, cmd: '/space/admin', nonce: 'n1', exp });
    const leafSame = delegate.issue({
      aud: bearer.did,
      cmd: '/space/read',
      nonce: 'n2',
      prf: [rootSame],
      exp,
    });
    expect(await kindOf(validateChain(params(leafSame, bearer, root, { requiredPermission: 'read' })))).toBe(
      'ok',
    );
  });

  it('UCAN-12 validate_chain_revoked: callback true → UcanRevoked, called with (spaceId, cid)', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(1) });
    const calls: string[][] = [];
    const isRevoked = async (space: string, cid: string) => {
      calls.push([space, cid]);
      return true;
    };
    expect(await kindOf(validateChain(params(token, bearer, root, { isRevoked })))).toBe('UcanRevoked');
    expect(calls).toEqual([[TEST_SPACE_ID, computeUcanCid(token)]]);
  });

  it('UCAN-12 validate_chain_revoked_proof_token', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const exp = hoursFromNow(1);
    const proof = root.issue({ aud: delegate.did, cmd: '/space/write', nonce: 'n1', exp });
    const proofCid = computeUcanCid(proof);
    const leaf = delegate.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n2', prf: [proof], exp });
    const seen: string[] = [];
    const isRevoked = (_space: string, cid: string) => {
      seen.push(cid);
      return cid === proofCid;
    };
    expect(await kindOf(validateChain(params(leaf, bearer, root, { isRevoked })))).toBe('UcanRevoked');
    expect(seen).toEqual([computeUcanCid(leaf), proofCid]);
  });

  it('UCAN-12 a failing or non-boolean revocation lookup is RevocationCheckFailed (fail closed)', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(1) });
    const failing = async () => {
      throw new Error('database down');
    };
    expect(await kindOf(validateChain(params(token, bearer, root, { isRevoked: failing })))).toBe(
      'RevocationCheckFailed',
    );
    const sloppy = (() => undefined) as unknown as () => boolean;
    expect(await kindOf(validateChain(params(token, bearer, root, { isRevoked: sloppy })))).toBe(
      'RevocationCheckFailed',
    );
    expect(await kindOf(validateChain(params(token, bearer, root, { isRevoked: async () => false })))).toBe(
      'ok',
    );
  });

  it('UCAN-13 ENC-02 validate_chain_root_mismatch', async () => {
    const [root, wrongRoot, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(1) });
    expect(await kindOf(validateChain(params(token, bearer, wrongRoot)))).toBe('RootMismatch');
    // A 65-byte uncompressed root key never matches.
    expect(
      await kindOf(validateChain(params(token, bearer, root, { rootPublicKey: root.uncompressed }))),
    ).toBe('RootMismatch');
  });

  it('UCAN-07 validate_chain_identity_mismatch; only the first audience counts', async () => {
    const [root, bearer, wrongBearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(1) });
    expect(await kindOf(validateChain(params(token, wrongBearer, root)))).toBe('IdentityMismatch');
    const many = root.issue({
      aud: [bearer.did, wrongBearer.did],
      cmd: '/space/write',
      nonce: 'n1',
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(many, bearer, root)))).toBe('ok');
    expect(await kindOf(validateChain(params(many, wrongBearer, root)))).toBe('IdentityMismatch');
    for (const aud of [null, []]) {
      const none = root.issue({ aud, cmd: '/space/write', nonce: 'n1', exp: hoursFromNow(1) });
      expect(await kindOf(validateChain(params(none, bearer, root)))).toBe('IdentityMismatch');
    }
  });

  it('UCAN-07 a proof must be addressed to the issuer of the token that embeds it', async () => {
    const [root, delegate, stranger, bearer] = [
      new TestIssuer(),
      new TestIssuer(),
      new TestIssuer(),
      new TestIssuer(),
    ];
    const rootToken = root.issue({
      aud: stranger.did,
      cmd: '/space/admin',
      nonce: 'n1',
      exp: hoursFromNow(2),
    });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [rootToken],
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(leaf, bearer, root)))).toBe('IdentityMismatch');
  });

  it('UCAN-11 validate_chain_missing_nonce', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/write', nonce: '', exp: hoursFromNow(1) });
    expect(await kindOf(validateChain(params(token, bearer, root)))).toBe('InvalidUcan');
  });

  it('UCAN-13 validate_chain_prf_with_multiple_entries; an empty proof string is InvalidUcan', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const rootToken = root.issue({
      aud: delegate.did,
      cmd: '/space/admin',
      nonce: 'n1',
      exp: hoursFromNow(2),
    });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [rootToken, rootToken],
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(leaf, bearer, root)))).toBe('InvalidUcan');
    const empty = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [''],
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(empty, bearer, root)))).toBe('InvalidUcan');
  });

  it('UCAN-09 validate_chain_insufficient_permission (self-issued read, required write)', async () => {
    const [root, bearer] = [new TestIssuer(), new TestIssuer()];
    const token = root.issue({ aud: bearer.did, cmd: '/space/read', nonce: 'n1', exp: hoursFromNow(1) });
    expect(await kindOf(validateChain(params(token, bearer, root)))).toBe('AttenuationViolation');
  });

  it('UCAN-06 unknown commands are InvalidUcan on the link and on its proof', async () => {
    const [root, delegate, bearer] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const bad = root.issue({ aud: bearer.did, cmd: '/space/nope', nonce: 'n1', exp: hoursFromNow(1) });
    expect(await kindOf(validateChain(params(bad, bearer, root)))).toBe('InvalidUcan');
    const badRoot = root.issue({ aud: delegate.did, cmd: '/space/all', nonce: 'n1', exp: hoursFromNow(2) });
    const leaf = delegate.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: 'n2',
      prf: [badRoot],
      exp: hoursFromNow(1),
    });
    expect(await kindOf(validateChain(params(leaf, bearer, root)))).toBe('InvalidUcan');
  });

  it('UCAN-06 precedence: the leaf audience is checked before resource, level and time', async () => {
    const [root, bearer, other] = [new TestIssuer(), new TestIssuer(), new TestIssuer()];
    const everythingWrong = root.issue({
      aud: other.did,
      cmd: '/space/read',
      with: 'space:other',
      nonce: '',
      exp: hoursFromNow(-1),
    });
    expect(await kindOf(validateChain(params(everythingWrong, bearer, root)))).toBe('IdentityMismatch');
    const resourceAndLevel = root.issue({
      aud: bearer.did,
      cmd: '/space/read',
      with: 'space:other',
      nonce: '',
      exp: hoursFromNow(-1),
    });
    expect(await kindOf(validateChain(params(resourceAndLevel, bearer, root)))).toBe('ResourceMismatch');
    const levelAndTime = root.issue({
      aud: bearer.did,
      cmd: '/space/read',
      nonce: '',
      exp: hoursFromNow(-1),
    });
    expect(await kindOf(validateChain(params(levelAndTime, bearer, root)))).toBe('AttenuationViolation');
    const timeAndNonce = root.issue({
      aud: bearer.did,
      cmd: '/space/write',
      nonce: '',
      exp: hoursFromNow(-1),
    });
    expect(await kindOf(validateChain(params(timeAndNonce, bearer, root)))).toBe('UcanExpired');
  });
});
