import { bench, describe } from 'vitest';
import { UcanValidator, validateChain } from '../src/index.js';
import { chainFixture } from './fixtures.js';

// BENCH-01: the reference's validate_chain group (depth/1, depth/3, depth/8), no revocation callback.
for (const depth of [1, 3, 8]) {
  const fixture = chainFixture(depth);
  const cached = new UcanValidator();
  const keysOnly = new UcanValidator({ maxCachedTokens: 0 });

  describe(`validate_chain depth/${depth}`, () => {
    bench('uncached (did:key decode + ES256 verify per link)', async () => {
      await validateChain(fixture);
    });
    bench('UcanValidator, issuer-key cache only (ES256 verify per link)', async () => {
      await keysOnly.validateChain(fixture);
    });
    bench('UcanValidator, warm token cache', async () => {
      await cached.validateChain(fixture);
    });
  });
}
