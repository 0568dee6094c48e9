/** The content of each generated block of docs/protocol.md, by name. */
export function generatedBlocks(core: object): Record<string, string>;
/** `doc` with every generated block refreshed from `core` (the @less-sync/core module). */
export function renderProtocolDoc(core: object, doc: string): string;
