import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { encodeDidKey, JwtValidator } from '../src/index.js';

export const SPACE_ID = '11111111-1111-1111-1111-111111111111';

interface Issuer {
  readonly key: KeyObject;
  readonly did: string;
  readonly compressed: Uint8Array;
}

function issuer(): Issuer {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x as string, 'base64url');
  const y = Buffer.from(jwk.y as string, 'base64url');
  const compressed = Buffer.concat([Buffer.from([(y.at(-1) as number) % 2 === 0 ? 2 : 3]), x]);
  return { key: pair.privateKey, did: encodeDidKey(compressed), compressed };
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');

function signUcan(claims: object, key: KeyObject): string {
  const input = `${b64('{"typ":"JWT","alg":"ES256"}')}.${b64(JSON.stringify(claims))}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The reference benchmark's fixture: `depth` issuers, all /space/write, exp +1 h, proof = previous. */
export function chainFixture(depth: number) {
  const issuers = Array.from({ length: depth }, issuer);
  const bearer = issuer();
  const exp = Math.floor(Date.now() / 1000) + 3600;
  let previous: string | undefined;
  for (let index = 0; index < depth; index++) {
    const audience = index + 1 < depth ? (issuers[index + 1] as Issuer).did : bearer.did;
    previous = signUcan(
      {
        iss: (issuers[index] as Issuer).did,
        aud: audience,
        exp,
        nbf: null,
        cmd: '/space/write',
        with: `space:${SPACE_ID}`,
        nonce: `n${index}`,
        prf: previous === undefined ? [] : [previous],
      },
      (issuers[index] as Issuer).key,
    );
  }
  return {
    token: previous as string,
    expectedAudience: bearer.did,
    requiredPermission: 'write' as const,
    spaceId: SPACE_ID,
    rootPublicKey: (issuers[0] as Issuer).compressed,
  };
}

/** An ES256 JWT and a validator whose JWKS is already fetched (warm cache). */
export async function warmJwt(verificationCache: boolean) {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
  const issuerName = 'https://accounts.example.com';
  const validator = new JwtValidator({
    issuers: [{ issuer: issuerName, jwksUrl: 'https://idp.invalid/jwks' }],
    fetch: async () => new Response(JSON.stringify({ keys: [jwk] }), { status: 200 }),
    ...(verificationCache ? {} : { verificationCache: false }),
  });
  const claims = {
    iss: issuerName,
    sub: 'user-1',
    client_id: 'client-1',
    scope: 'sync',
    personal_space_id: SPACE_ID,
    did: 'did:key:zDnaStub',
    mailbox_id: 'mailbox-1',
    aud: 'less-sync',
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  const input = `${b64(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: 'k1' }))}.${b64(JSON.stringify(claims))}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  await validator.validate(token);
  return { validator, token };
}
