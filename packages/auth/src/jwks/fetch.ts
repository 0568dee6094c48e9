import { JwksError } from './errors.js';

/** The subset of WHATWG `fetch` the JWKS client needs; injectable for custom TLS or proxies. */
export type FetchLike = (url: string, init: { signal: AbortSignal; redirect: 'follow' }) => Promise<Response>;

/**
 * GETs a JWKS document (JWKS-03) within a total deadline, requiring status 200 and reading at most
 * `maxBytes`: the read stops as soon as the limit is passed (the reference downloads everything
 * first), so a huge or endless body costs at most `maxBytes` of memory.
 */
export async function fetchJwksBody(
  fetchImpl: FetchLike,
  url: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, redirect: 'follow' });
  } catch (error) {
    throw new JwksError('Fetch', `failed to fetch JWKS: ${describe(error)}`, { cause: error });
  }
  if (response.status !== 200) {
    await discard(response);
    throw new JwksError('Status', `JWKS endpoint returned status ${response.status}`, {
      detail: String(response.status),
    });
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await discard(response);
    throw new JwksError('PayloadTooLarge', `JWKS payload too large: ${declared} bytes`, {
      detail: String(declared),
    });
  }
  return readLimited(response, maxBytes);
}

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new JwksError('PayloadTooLarge', `JWKS payload too large: more than ${maxBytes} bytes`, {
          detail: String(total),
        });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof JwksError) throw error;
    throw new JwksError('Fetch', `failed to fetch JWKS: ${describe(error)}`, { cause: error });
  }
  return Buffer.concat(chunks, total);
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
