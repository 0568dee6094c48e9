import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

describe('PROTO-23 public surface', () => {
  it('PROTO-23 exposes protocol constants and types, space-id helpers and validation helpers', () => {
    const names = Object.keys(core);
    for (const expected of [
      // protocol: constants, CBOR, codecs, frames, CborValue
      'FrameType',
      'RpcErrorCode',
      'CloseCode',
      'encodeCbor',
      'decodeCbor',
      'CborDecodeError',
      'PushParamsCodec',
      'encodeResponse',
      'RpcError',
      'decodeCborValue',
      'ClientMethods',
      // spaceid
      'LESS_NAMESPACE',
      'personalSpaceId',
      'canonicalSpaceId',
      // validation
      'validateRecordId',
      'validateFileId',
      'ValidationError',
      'DEFAULT_MAX_BLOB_SIZE',
    ]) {
      expect(names).toContain(expected);
    }
    // Internals stay internal.
    for (const hidden of ['CborWriter', 'withWriter', 'writeValue', 'Reader'])
      expect(names).not.toContain(hidden);
  });
});
