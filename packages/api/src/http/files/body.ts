/** Set when a body read timed out, so the route can answer 408 instead of a generic failure. */
export interface StallFlag {
  stalled: boolean;
}

/**
 * The request body as an async iterable of chunks, read on demand (never buffered whole). With
 * `idleTimeoutMs` > 0, a body that sends nothing for that long ends the upload (`stall.stalled` is set).
 */
export async function* bodyChunks(
  body: ReadableStream<Uint8Array> | null,
  idleTimeoutMs = 0,
  stall: StallFlag = { stalled: false },
): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await readWithin(reader, idleTimeoutMs, stall);
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the upload stream when the consumer gave up early (e.g. too many bytes, a stall).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleTimeoutMs: number,
  stall: StallFlag,
): Promise<Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>> {
  if (idleTimeoutMs <= 0) return reader.read();
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stall.stalled = true;
      reject(new Error(`upload body idle for ${idleTimeoutMs} ms`));
    }, idleTimeoutMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
