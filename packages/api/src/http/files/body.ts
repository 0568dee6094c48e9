/** The request body as an async iterable of chunks, read on demand (never buffered whole). */
export async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the upload stream when the consumer gave up early (e.g. too many bytes).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
