import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'rolldown';
import { describe, expect, it } from 'vitest';
import { encodeRequest, personalSpaceId } from '../src/index.js';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

interface BrowserCore {
  personalSpaceId(issuer: string, user: string, client: string): string;
  encodeRequest(id: string, method: string, params: Record<string, unknown>): Uint8Array;
  decodeCbor(bytes: Uint8Array): unknown;
}

/** Bundles core for a browser: any `node:` import or Node-only global makes this fail. */
async function browserBundle(): Promise<string> {
  const result = await build({
    input: ENTRY,
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    output: { format: 'iife', name: 'lessSyncCore' },
  });
  const chunk = result.output.find((o) => o.type === 'chunk');
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('no bundle produced');
  return chunk.code;
}

describe('core in a browser (PROTO-23)', () => {
  it('PROTO-23: bundles for the browser with no node: imports and runs without Node globals', async () => {
    const code = await browserBundle();
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/);
    // A bare context: only the language built-ins plus what every browser has (no process, Buffer, require).
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder };
    runInNewContext(`${code}\nglobalThis.lessSyncCore = lessSyncCore;`, sandbox);
    const browser = sandbox.lessSyncCore as BrowserCore;
    expect(browser.personalSpaceId('https://issuer.example', 'alice', 'app')).toBe(
      personalSpaceId('https://issuer.example', 'alice', 'app'),
    );
    const frame = browser.encodeRequest('1', 'pull', { spaces: [] });
    expect(Array.from(frame)).toEqual(Array.from(encodeRequest('1', 'pull', { spaces: [] })));
    expect(browser.decodeCbor(frame)).toMatchObject({ type: 0, id: '1', method: 'pull' });
  }, 60_000);
});
