import { randomUUID } from 'node:crypto';
import { decodeCbor, encodeNotification } from '@less-sync/core';
import { InMemoryBroker, type Subscriber } from '@less-sync/realtime';
import { describe, expect, it } from 'vitest';
import {
  filePayload,
  publishFile,
  publishRevoked,
  publishSync,
  revokedPayload,
  syncPayload,
} from '../../src/notify/index.js';

const decode = (method: string, payload: Parameters<typeof encodeNotification>[1]) =>
  decodeCbor(encodeNotification(method, payload));

function inbox(broker: InMemoryBroker, exclude: string, spaces: string[]): Uint8Array[] {
  const received: Uint8Array[] = [];
  const subscriber: Subscriber = {
    excludeId: exclude,
    mailboxId: exclude,
    isClosed: () => false,
    send: (p) => {
      received.push(p);
      return true;
    },
  };
  broker.registerNow(subscriber, spaces);
  return received;
}

describe('notification builders (RT-2)', () => {
  it('RT-2 R6 sync: prev saturates at 0, real key generation, rewrap epoch when pending, record fields omitted when absent', () => {
    const space = randomUUID();
    const frame = decode(
      'sync',
      syncPayload({
        space,
        cursor: 1,
        keyGeneration: 3,
        rewrapEpoch: 3,
        records: [
          { id: 'a', blob: new Uint8Array([1]), dek: new Uint8Array([2]), deleted: false },
          { id: 'b', deleted: true },
        ],
      }),
    );
    expect(frame).toEqual({
      type: 2,
      method: 'sync',
      params: {
        space,
        prev: 0,
        cursor: 1,
        key_generation: 3,
        rewrap_epoch: 3,
        records: [
          { id: 'a', blob: new Uint8Array([1]), cursor: 1, dek: new Uint8Array([2]) },
          { id: 'b', cursor: 1, deleted: true },
        ],
      },
    });
  });

  it('RT-2 R5 file: canonical space, file and record ids; size and deleted omitted when zero/false', () => {
    const [space, file, record] = [randomUUID(), randomUUID(), randomUUID()];
    const frame = decode(
      'file',
      filePayload({
        space: space.replaceAll('-', ''),
        cursor: 4,
        files: [
          { id: file.toUpperCase(), recordId: record.toUpperCase(), size: 10, dek: new Uint8Array([9]) },
          { id: file, recordId: record, deleted: true },
        ],
      }),
    );
    expect(frame).toEqual({
      type: 2,
      method: 'file',
      params: {
        space,
        cursor: 4,
        files: [
          { id: file, record_id: record, size: 10, dek: new Uint8Array([9]) },
          { id: file, record_id: record, deleted: true },
        ],
      },
    });
  });

  it('RT-2 revoked carries the canonical space and the reason', () => {
    const space = randomUUID();
    expect(decode('revoked', revokedPayload(space.toUpperCase()))).toEqual({
      type: 2,
      method: 'revoked',
      params: { space, reason: 'ucan_revoked' },
    });
  });

  it('R5 publishers fan out under the canonical id; the sender is excluded, HTTP broadcasts exclude nobody', async () => {
    const broker = new InMemoryBroker();
    const space = randomUUID();
    const mine = inbox(broker, 'me', [space]);
    const theirs = inbox(broker, 'them', [space.toUpperCase()]);
    expect(
      await publishSync(
        broker,
        { space, cursor: 2, keyGeneration: 1, rewrapEpoch: undefined, records: [] },
        'me',
      ),
    ).toBe(1);
    expect(await publishFile(broker, { space: space.replaceAll('-', ''), cursor: 3, files: [] })).toBe(2);
    expect(await publishRevoked(broker, space.toUpperCase(), 'ucan_revoked', 'them')).toBe(1);
    expect(mine.map((p) => (decodeCbor(p) as { method: string }).method)).toEqual(['file', 'revoked']);
    expect(theirs.map((p) => (decodeCbor(p) as { method: string }).method)).toEqual(['sync', 'file']);
  });
});
