import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import {
  computeUcanCid,
  encodeDidKey,
  type Permission,
  parseUcan,
  UcanError,
  validateChain,
} from '../src/index.js';
import { TEST_SPACE_ID } from './helpers/ucan-issuer.js';

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UcanError);
    return (error as UcanError).kind;
  }
  return 'ok';
}

describe('TV-UCAN-CHAIN (derived vector with a high-S root signature)', () => {
  const ROOT_TOKEN =
    'eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6a2V5OnpEbmFlYXB0SkNhdTIzZ3BNQ1g4cDVmaml4eWZYUUxOUmRoSDZZY3lpTGNDd0FjZHIiLCJhdWQiOiJkaWQ6a2V5OnpEbmFla2pibUFzZDVaaDlhSnF4M1JTYTI1U2R1d280N0U0ellIWUUyNWFuclBOekMiLCJleHAiOjQxMDI0NDQ4MDAsIm5iZiI6bnVsbCwiY21kIjoiL3NwYWNlL2FkbWluIiwid2l0aCI6InNwYWNlOjExMTExMTExLTExMTEtMTExMS0xMTExLTExMTExMTExMTExMSIsIm5vbmNlIjoicm9vdC1ub25jZSIsInByZiI6W119.XfkdhwuHb3M7DQcVpRGrexYetcFaVc6rIiXkm6m4kdug7oFrVKzJ79ELMuLqxYUembiDs_IYQfW7CyB5VHd9Sg';
  const LEAF_TOKEN =
    'eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6a2V5OnpEbmFla2pibUFzZDVaaDlhSnF4M1JTYTI1U2R1d280N0U0ellIWUUyNWFuclBOekMiLCJhdWQiOiJkaWQ6a2V5OnpEbmFlYnBtUkdlMk52TmV2bjFEa1M2dnVRYXFuM1l4WWZTbm1vY1ZmQXRuTHd4MmgiLCJleHAiOjQxMDI0NDQ4MDAsIm5iZiI6bnVsbCwiY21kIjoiL3NwYWNlL3dyaXRlIiwid2l0aCI6InNwYWNlOjExMTExMTExLTExMTEtMTExMS0xMTExLTExMTExMTExMTExMSIsIm5vbmNlIjoibGVhZi1ub25jZSIsInByZiI6WyJleUowZVhBaU9pSktWMVFpTENKaGJHY2lPaUpGVXpJMU5pSjkuZXlKcGMzTWlPaUprYVdRNmEyVjVPbnBFYm1GbFlYQjBTa05oZFRJelozQk5RMWc0Y0RWbWFtbDRlV1pZVVV4T1VtUm9TRFpaWTNscFRHTkRkMEZqWkhJaUxDSmhkV1FpT2lKa2FXUTZhMlY1T25wRWJtRmxhMnBpYlVGelpEVmFhRGxoU25GNE0xSlRZVEkxVTJSMWQyODBOMFUwZWxsSVdVVXlOV0Z1Y2xCT2VrTWlMQ0psZUhBaU9qUXhNREkwTkRRNE1EQXNJbTVpWmlJNmJuVnNiQ3dpWTIxa0lqb2lMM053WVdObEwyRmtiV2x1SWl3aWQybDBhQ0k2SW5Od1lXTmxPakV4TVRFeE1URXhMVEV4TVRFdE1URXhNUzB4TVRFeExURXhNVEV4TVRFeE1URXhNU0lzSW01dmJtTmxJam9pY205dmRDMXViMjVqWlNJc0luQnlaaUk2VzExOS5YZmtkaHd1SGIzTTdEUWNWcFJHcmV4WWV0Y0ZhVmM2cklpWGttNm00a2R1ZzdvRnJWS3pKNzlFTE11THF4WVVlbWJpRHNfSVlRZlc3Q3lCNVZIZDlTZyJdfQ.TL9MqTEX6-0_AbwNUuRuRve4FVMeHwX59XOmKWanj88Go0pY3SkL9ZDS-jiTduDjr_gmdkm8C_gxBub2xOxuKg';
  const ROOT_KEY = Buffer.from('029a73dbbde53add231aa55923eae7d1c2f309bddac3c2d1226d669e8f05875e2d', 'hex');
  const DELEGATE_DID = 'did:key:zDnaekjbmAsd5Zh9aJqx3RSa25Sduwo47E4zYHYE25anrPNzC';
  const BEARER_DID = 'did:key:zDnaebpmRGe2NvNevn1DkS6vuQaqn3YxYfSnmocVfAtnLwx2h';
  const BEARER_KEY = Buffer.from('02a947c4a861286c451fb9ba315c16dd15b4ed6ef87c8bf6ad1f010dd08a1e741e', 'hex');
  const NOW = 1_700_000_000_000;
  const base = {
    token: LEAF_TOKEN,
    expectedAudience: BEARER_DID,
    requiredPermission: 'write' as Permission,
    spaceId: TEST_SPACE_ID,
    rootPublicKey: ROOT_KEY,
    now: NOW,
  };

  it('JWS-02 the root signature is high-S and still verifies', () => {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt(
      `0x${Buffer.from(ROOT_TOKEN.split('.')[2] as string, 'base64url')
        .subarray(32)
        .toString('hex')}`,
    );
    expect(s > n / 2n).toBe(true);
    expect(parseUcan(ROOT_TOKEN).claims.aud).toBe(DELEGATE_DID);
  });

  it('JWS-02 the vector keys and the RFC 6979 root signature are reproducible independently (noble)', () => {
    const keys = [
      [
        'b3df7fb2907544a8656cb96092a81c7afea8892ad7d60c2c2676b0c381eeabc2',
        ROOT_KEY,
        'did:key:zDnaeaptJCau23gpMCX8p5fjixyfXQLNRdhH6YcyiLcCwAcdr',
      ],
      ['388627f97569f06354b14e8d0a3b74083707d900c6d07372a5750ff62007bdac', null, DELEGATE_DID],
      ['862c50c30a26318691d0ca1f375838820d2e4352a72fafb2656bc399c0adba73', BEARER_KEY, BEARER_DID],
    ] as const;
    for (const [d, compressed, did] of keys) {
      const publicKey = p256.getPublicKey(Buffer.from(d, 'hex'), true);
      if (compressed !== null) expect(Buffer.from(publicKey)).toEqual(compressed);
      expect(encodeDidKey(publicKey)).toBe(did);
    }
    const [header, payload, signature] = ROOT_TOKEN.split('.') as [string, string, string];
    const message = Buffer.from(`${header}.${payload}`);
    const rfc6979 = p256.sign(message, Buffer.from(keys[0][0], 'hex'), { lowS: false });
    expect(Buffer.from(rfc6979).toString('base64url')).toBe(signature);
    // The pitfall the spec warns about: noble's default low-S rule would refuse this genuine token.
    expect(p256.verify(Buffer.from(signature, 'base64url'), message, ROOT_KEY)).toBe(false);
    expect(p256.verify(Buffer.from(signature, 'base64url'), message, ROOT_KEY, { lowS: false })).toBe(true);
  });

  it('UCAN-04 vector cids', () => {
    expect(computeUcanCid(ROOT_TOKEN)).toBe(
      'bed0624954325fe78790beb321eec381959f79f981846322461779d193756494',
    );
    expect(computeUcanCid(LEAF_TOKEN)).toBe(
      '9df9be9e05c41cbb5b7fcdff87a73d84e3cb6077117e11901cc3dcf59b9150e9',
    );
  });

  it('UCAN-05..13 expected outcomes of the vector chain', async () => {
    expect(await validateChain(base)).toEqual({
      cids: [computeUcanCid(LEAF_TOKEN), computeUcanCid(ROOT_TOKEN)],
      permission: 'write',
      expiresAt: 4102444800,
    });
    expect(await kindOf(validateChain({ ...base, requiredPermission: 'read' }))).toBe('ok');
    expect(await kindOf(validateChain({ ...base, requiredPermission: 'admin' }))).toBe(
      'AttenuationViolation',
    );
    expect(await kindOf(validateChain({ ...base, expectedAudience: DELEGATE_DID }))).toBe('IdentityMismatch');
    expect(await kindOf(validateChain({ ...base, rootPublicKey: BEARER_KEY }))).toBe('RootMismatch');
    const rootCid = computeUcanCid(ROOT_TOKEN);
    expect(await kindOf(validateChain({ ...base, isRevoked: (_s, cid) => cid === rootCid }))).toBe(
      'UcanRevoked',
    );
    expect(await kindOf(validateChain({ ...base, now: 4102444801_000 }))).toBe('UcanExpired');
    expect(await kindOf(validateChain({ ...base, now: 4102444800_999 }))).toBe('ok');
  });
});
