import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const CLIENT = fileURLToPath(new URL('../node-client/client.mjs', import.meta.url));

describe('examples/node-client against a zero-config server', () => {
  it('WSPROTO-01 RPC-SPACE-1 RPC-SUB-1 RPC-PUSH-3 RPC-PULL-1 FILES-07: creates a space, pushes, pulls, hears the sync and round-trips a file', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLIENT, inject('serverUrl')], {
      timeout: 120_000,
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(summary).toMatchObject({
      pushedCursor: 1,
      syncedText: JSON.stringify({ title: 'hello from node' }),
      pulledRecords: 1,
      pullChunks: 3,
      fileStatus: 201,
      fileText: 'file contents from node',
      fileNotified: true,
    });
    expect(summary.space).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
