import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { bench, describe } from 'vitest';
import {
  decodeCbor,
  encodeChunk,
  encodeRequest,
  FrameHeadCodec,
  Payload,
  PushParamsCodec,
  WsPullRecordDataCodec,
} from '../src/index.js';

// Typed codec vs plain cborg on the same values, in the same run. Target: ours ≤ 1.5× cborg.

const opts = { time: 3000, warmupTime: 500 };
const blob = (seed: number) => new Uint8Array(1024).map((_, i) => (i * 31 + seed) & 0xff);

const pushParams = {
  space: 'd205899b-b9fb-4d6e-8159-8578661a574c',
  ucan: 'eyJhbGciOiJFZERTQSJ9.payload.signature',
  changes: Array.from({ length: 100 }, (_, i) => ({
    id: `019400e8-7b5d-7000-8000-${String(i).padStart(12, '0')}`,
    blob: blob(i),
    expected_cursor: 1000 + i,
    dek: new Uint8Array(44).fill(i),
  })),
};
const pushFrame = { type: 0, id: 'req-42', method: 'push', params: pushParams };

const recordData = {
  space: 'd205899b-b9fb-4d6e-8159-8578661a574c',
  id: '019400e8-7b5d-7000-8000-000000000001',
  blob: blob(7),
  cursor: 123_456,
  dek: new Uint8Array(44).fill(9),
};
const chunkFrame = { type: 3, id: 'p1', name: 'pull.record', data: recordData };

const pushBytes = encodeRequest('req-42', 'push', Payload.of(PushParamsCodec, pushParams));
const chunkBytes = encodeChunk('p1', 'pull.record', Payload.of(WsPullRecordDataCodec, recordData));
// The same values as cborg writes them (sorted keys), so each decoder reads its own encoder's output.
const pushBytesCborg = cborgEncode(pushFrame);
const chunkBytesCborg = cborgEncode(chunkFrame);

describe('encode push frame (100 × 1 KiB records)', () => {
  bench(
    'less-sync typed encodeRequest',
    () => {
      encodeRequest('req-42', 'push', Payload.of(PushParamsCodec, pushParams));
    },
    opts,
  );
  bench(
    'plain cborg encode',
    () => {
      cborgEncode(pushFrame);
    },
    opts,
  );
});

describe('decode push frame (100 × 1 KiB records)', () => {
  bench(
    'less-sync bounded decode + typed PushParams',
    () => {
      const head = FrameHeadCodec.decode(decodeCbor(pushBytes));
      PushParamsCodec.decode(head.params ?? null);
    },
    opts,
  );
  bench(
    'plain cborg decode',
    () => {
      cborgDecode(pushBytesCborg);
    },
    opts,
  );
});

describe('encode pull.record chunk (1 KiB blob)', () => {
  bench(
    'less-sync typed encodeChunk',
    () => {
      encodeChunk('p1', 'pull.record', Payload.of(WsPullRecordDataCodec, recordData));
    },
    opts,
  );
  bench(
    'plain cborg encode',
    () => {
      cborgEncode(chunkFrame);
    },
    opts,
  );
});

describe('decode pull.record chunk (1 KiB blob)', () => {
  bench(
    'less-sync bounded decode + typed WsPullRecordData',
    () => {
      const frame = decodeCbor(chunkBytes) as { data: Parameters<typeof WsPullRecordDataCodec.decode>[0] };
      WsPullRecordDataCodec.decode(frame.data);
    },
    opts,
  );
  bench(
    'plain cborg decode',
    () => {
      cborgDecode(chunkBytesCborg);
    },
    opts,
  );
});
