import { bench, describe } from 'vitest';
import { warmJwt } from './fixtures.js';

const plain = await warmJwt(false);
const cached = await warmJwt(true);

describe('JWT validation, warm JWKS cache', () => {
  bench('ES256, no verification cache (parse + verify every time)', async () => {
    await plain.validator.validate(plain.token);
  });
  bench('ES256, verification cache hit', async () => {
    await cached.validator.validate(cached.token);
  });
});
