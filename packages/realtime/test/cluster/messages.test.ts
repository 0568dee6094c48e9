import { encodeNotification, encodeResponse } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import { frameInfo } from '../../src/cluster/frame-info.js';
import { type ClusterMessage, decodeMessage, encodeMessage } from '../../src/index.js';

describe('cluster hint encoding', () => {
  it('round-trips every message kind', () => {
    const messages: ClusterMessage[] = [
      { t: 's', o: 'A', s: 'sp', k: 'sync', x: 'c1', c: 3, p: 'AQI=' },
      { t: 's', o: 'A', s: 'sp', k: 'sync', x: '' },
      { t: 'm', o: 'A', m: 'mb', p: 'AQI=' },
      { t: 'v', o: 'A', s: 'sp', cid: 'cid', r: 'revoked' },
    ];
    for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it.each([
    ['not json', '{'],
    ['null', 'null'],
    ['no origin', '{"t":"m","m":"mb","p":""}'],
    ['unknown kind', '{"t":"z","o":"A"}'],
    ['space without method', '{"t":"s","o":"A","s":"sp","x":""}'],
    ['fractional cursor', '{"t":"s","o":"A","s":"sp","k":"sync","x":"","c":1.5}'],
    ['numeric payload', '{"t":"s","o":"A","s":"sp","k":"sync","x":"","p":1}'],
    ['mailbox without payload', '{"t":"m","o":"A","m":"mb"}'],
    ['revocation without reason', '{"t":"v","o":"A","s":"sp","cid":"c"}'],
  ])('rejects a malformed hint (%s) without throwing', (_name, body) => {
    expect(decodeMessage(body)).toBeUndefined();
  });

  it('reads method, cursor and presence fields from a notification, nothing from other frames', () => {
    expect(frameInfo(encodeNotification('sync', { cursor: 9 }))).toEqual({
      method: 'sync',
      cursor: 9,
      peer: undefined,
      data: undefined,
    });
    expect(frameInfo(encodeNotification('sync', { cursor: 1.5 }))?.cursor).toBeUndefined();
    expect(frameInfo(encodeResponse('id', {}))).toBeUndefined();
    expect(frameInfo(new Uint8Array([0xff, 0x00]))).toBeUndefined();
  });
});
