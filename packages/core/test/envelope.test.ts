import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { CborDecodeError, decodeCborEnvelope, ProtocolDecodeError, text } from '../src/index.js';

function withParams(paramsBytes: number[]): Uint8Array {
  const head = encode({ type: 0, id: 'r', method: 'm' });
  const key = encode('params');
  const out = Uint8Array.from([...head, ...key, ...paramsBytes]);
  out[0] = 0xa4;
  return out;
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CborDecodeError || err instanceof ProtocolDecodeError) return err.reason;
    throw err;
  }
  return undefined;
}

describe('decodeCborEnvelope (R2: bad params are an error reply, not a close)', () => {
  it('R2 skips the params value, whatever it holds, and reports it', () => {
    const deep: number[] = [];
    for (let i = 0; i < 50_000; i++) deep.push(0x81);
    deep.push(0xf9, 0x3c, 0x00); // a half float at the bottom
    for (const params of [
      deep,
      [0xd8, 0x20, 0x61, 0x61], // a tag
      [0x62, 0xff, 0xfe], // invalid UTF-8
      [0x9f, 0xbf, 0x61, 0x61, 0x01, 0xff, 0xff], // indefinite array holding an indefinite map
    ]) {
      const env = decodeCborEnvelope(withParams(params), 'params');
      expect(env.skipped).toBe(true);
      expect(env.value).toEqual({ type: 0, id: 'r', method: 'm' });
    }
    expect(decodeCborEnvelope(encode({ type: 0, id: 'r', method: 'm' }), 'params').skipped).toBe(false);
  });

  it('R2 structural damage in the skipped value is still an error', () => {
    expect(reason(() => decodeCborEnvelope(withParams([0x82, 0x01]), 'params'))).toBe('truncated');
    expect(reason(() => decodeCborEnvelope(withParams([0x81, 0xff]), 'params'))).toBe('unexpected_break');
    expect(reason(() => decodeCborEnvelope(new Uint8Array(0), 'params'))).toBe('empty');
    expect(reason(() => decodeCborEnvelope(Uint8Array.from([0xff]), 'params'))).toBe('malformed');
    expect(reason(() => decodeCborEnvelope(new Uint8Array(20 * 1024 * 1024), 'params'))).toBe('too_large');
    const many = [0x9a, 0x00, 0x04, 0x00, 0x00, ...new Array<number>(0x40000).fill(0)];
    expect(reason(() => decodeCborEnvelope(withParams(many), 'params'))).toBe('too_many_items');
  });

  it('WS-FRAME-4 text refuses a NUL character (storage cannot hold it)', () => {
    expect(reason(() => text.decode('a\u0000'))).toBe('invalid_text');
    expect(text.decode('a')).toBe('a');
  });
});
