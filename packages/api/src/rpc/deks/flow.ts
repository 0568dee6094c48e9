/**
 * The one flow behind deks.* and file.deks.* (RPC-DEK-1..4): the two families differ only in codecs,
 * scope, chunk name, the cursor field's name, id validation, storage calls and error texts.
 */
import {
  type DeksGetParamsCodec,
  type DeksRewrapParamsCodec,
  type DeksRewrapResultCodec,
  type EncodableShape,
  Payload,
  RpcErrorCode,
  type Shape,
  type StructCodec,
  type WireObject,
} from '@less-sync/core';
import type { DekRecord } from '@less-sync/storage';
import { type ClientRequestRoute, defineRequest } from '../method.js';
import type { ApiServices } from '../services.js';
import {
  authorizeSpace,
  requireScope,
  requireSpaceId,
  SPACE_NOT_FOUND,
  type StorageErrorMap,
  storageRpcError,
} from '../space-access.js';
import { checkWrappedDek, STALE_EPOCH_MESSAGE, sinceCursor } from './shared.js';

/** What one family's `get` needs; the file codecs have the same shapes as the record ones named here. */
export interface DekGetSpec<S extends Shape> {
  readonly params: typeof DeksGetParamsCodec;
  readonly invalidParamsMessage: string;
  readonly scope: 'sync' | 'files';
  readonly chunk: string;
  readonly record: StructCodec<S>;
  /** The wire form of one DEK, sent as a chunk and listed in the result. */
  readonly toWire: (dek: DekRecord) => EncodableShape<S> & WireObject;
  readonly load: (s: ApiServices, spaceId: string, since: number) => Promise<DekRecord[]>;
}

export interface DekRewrapSpec {
  readonly params: typeof DeksRewrapParamsCodec;
  readonly invalidParamsMessage: string;
  readonly scope: 'sync' | 'files';
  readonly result: typeof DeksRewrapResultCodec;
  /** The id as storage takes it; throws the family's bad-request error. */
  readonly checkId: (id: string) => string;
  readonly save: (s: ApiServices, spaceId: string, deks: DekRecord[]) => Promise<void>;
  /** The family's "some DEK was not found" mapping; space-not-found and stale epoch are common. */
  readonly notFound: StorageErrorMap;
}

/** Order: params, space id, scope, Read authorization; one chunk per DEK, then the full list (R4). */
export function dekGetMethod<S extends Shape>(s: ApiServices, spec: DekGetSpec<S>): ClientRequestRoute {
  return defineRequest(
    spec.params,
    spec.invalidParamsMessage,
    async (params, ctx) => {
      const spaceId = requireSpaceId(params.space);
      requireScope(ctx, spec.scope);
      await authorizeSpace(s, ctx, spaceId, params.ucan, 'read');
      let deks: DekRecord[];
      try {
        deks = await spec.load(s, spaceId, sinceCursor(params.since));
      } catch (err) {
        throw storageRpcError(s, err, SPACE_NOT_FOUND, { method: ctx.method, space: spaceId });
      }
      const list: WireObject[] = [];
      for (const dek of deks) {
        const record = spec.toWire(dek);
        await ctx.chunk(spec.chunk, Payload.of(spec.record, record));
        list.push(record);
      }
      return { deks: list };
    },
    { chunked: true },
  );
}

/**
 * Order: params, space id, scope, Write authorization, each entry in order (its id, a 44-byte DEK),
 * then one storage transaction that checks every epoch before it updates anything.
 */
export function dekRewrapMethod(s: ApiServices, spec: DekRewrapSpec): ClientRequestRoute {
  const errors: StorageErrorMap = {
    SpaceNotFound: [RpcErrorCode.NotFound, 'space not found'],
    DekEpochMismatch: [RpcErrorCode.Conflict, STALE_EPOCH_MESSAGE],
    ...spec.notFound,
  };
  return defineRequest(spec.params, spec.invalidParamsMessage, async (params, ctx) => {
    const spaceId = requireSpaceId(params.space);
    requireScope(ctx, spec.scope);
    await authorizeSpace(s, ctx, spaceId, params.ucan, 'write');
    const deks: DekRecord[] = params.deks.map((entry) => {
      const id = spec.checkId(entry.id);
      checkWrappedDek(entry.dek);
      return { id, wrappedDek: entry.dek, cursor: 0 };
    });
    try {
      await spec.save(s, spaceId, deks);
    } catch (err) {
      throw storageRpcError(s, err, errors, { method: ctx.method, space: spaceId });
    }
    return Payload.of(spec.result, { ok: true, count: deks.length });
  });
}
