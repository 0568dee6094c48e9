/**
 * Renders the generated blocks of docs/protocol.md from @less-sync/core's own tables and codecs, so the
 * reference cannot drift from the code. Hand-written prose lives between the blocks and is kept as is.
 *
 * A block is `<!-- generated:NAME -->` … `<!-- /generated:NAME -->`; its content is replaced whole.
 */

/** What each rule means to a reader (schema/struct.ts defines the rules). */
const RULES = {
  R: 'required',
  E: 'optional; omitted when empty, absent reads as empty',
  Z: 'optional; omitted when 0, absent reads as 0',
  F: 'optional; omitted when false, absent reads as false',
  N: 'optional; omitted when absent, null reads as absent',
  A: 'always sent; null when absent',
};

/** Close codes: when each is used. A new code without a line here fails the render. */
const CLOSE_MEANING = {
  AuthFailed: 'the auth frame was missing, late (5 s), malformed or its token was refused',
  TokenExpired:
    'the JWT expired without a `token.refresh`, or the connection reached its lifetime (about 1 h)',
  Forbidden: 'reserved',
  TooManyConnections: 'the mailbox already has its maximum of open connections (3)',
  PowRequired: 'reserved',
  ProtocolError: 'a text message, an empty message or a frame that is not valid CBOR after auth',
  SlowConsumer: 'the client did not read fast enough and its outbound queue filled up',
  RateLimited: 'reserved',
};

/** Error codes: what each means. */
const ERROR_MEANING = {
  InvalidParams: '`params` missing, not a map, or a field of the wrong type',
  BadRequest: 'a value is malformed (an id that is not a UUID, a key of the wrong size …)',
  Forbidden:
    'no right to the space (missing, invalid or revoked UCAN, someone else’s personal space, missing scope)',
  NotFound: 'the space, invitation or record does not exist',
  Conflict: 'an optimistic check failed (cursor, version, epoch) or the thing already exists',
  RateLimited: 'a per-user rate limit was reached; retry later',
  PayloadTooLarge: 'a value or the whole request is over a limit',
  MethodNotFound: 'unknown method; the message is `unknown method: <name>`',
  Internal: 'a server-side failure; the message says nothing more',
  KeyGenerationStale: 'the push used an outdated key generation',
};

const FRAME_KEYS = {
  Request: ['client → server', '`type`, `id`, `method`, `params`'],
  Response: ['server → client', '`type`, `id`, and `result` or `error: {code, message}`'],
  Notification: ['both', '`type`, `method`, `params` (no `id`)'],
  Chunk: ['server → client', '`type`, `id` (the request’s), `name`, `data`'],
};

const anchor = (name) => `#${name.toLowerCase()}`;
const code = (s) => `\`${s}\``;
const link = (codec) => `[${codec.name}](${anchor(codec.name)})`;

function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function must(map, key, what) {
  const value = map[key];
  if (value === undefined) throw new Error(`protocol doc: no description for ${what} ${key}`);
  return value;
}

/** `text`, `arr<WsPushChange>` … with struct names linked to their section. */
function typeName(type, structs) {
  if (type.element !== undefined) return `arr<${typeName(type.element, structs)}>`;
  if (structs.has(type)) return link(type);
  return type.name;
}

/** Every struct reachable from `roots`, in first-seen order. */
function collectStructs(core, roots) {
  const seen = new Set();
  const visit = (type) => {
    if (type.element !== undefined) return visit(type.element);
    if (!(type instanceof core.StructCodec) || seen.has(type)) return;
    seen.add(type);
    for (const field of Object.values(type.shape)) visit(field.type);
  };
  for (const root of roots) visit(root);
  return seen;
}

function roots(core) {
  return [
    core.FrameHeadCodec,
    core.AuthParamsCodec,
    core.RpcErrorPayloadCodec,
    ...Object.values(core.ClientMethods).flatMap((m) => [m.params, m.result]),
    core.EpochConflictResultCodec,
    ...Object.values(core.ClientNotifications).filter((c) => c !== null),
    ...Object.values(core.ServerNotifications),
    ...Object.values(core.ChunkNames),
  ];
}

function constants(core) {
  const frames = table(
    ['type', 'frame', 'direction', 'keys'],
    Object.entries(core.FrameType).map(([name, value]) => [
      String(value),
      name.toLowerCase(),
      ...must(FRAME_KEYS, name, 'frame type'),
    ]),
  );
  const errors = table(
    ['code', 'meaning'],
    Object.entries(core.RpcErrorCode).map(([name, value]) => [
      code(value),
      must(ERROR_MEANING, name, 'error code'),
    ]),
  );
  const closes = table(
    ['close code', 'name', 'when'],
    Object.entries(core.CloseCode).map(([name, value]) => [
      String(value),
      name,
      must(CLOSE_MEANING, name, 'close code'),
    ]),
  );
  const limits = table(
    ['limit', 'value'],
    [
      ['WebSocket subprotocols (preference order)', core.WS_SUBPROTOCOLS.map(code).join(', ')],
      ['largest inbound WebSocket message', `${core.MAX_INBOUND_MESSAGE_SIZE} bytes (4 MiB)`],
      ['largest record blob', `${core.DEFAULT_MAX_BLOB_SIZE} bytes (5 MiB)`],
      ['largest file upload (default, `MAX_FILE_SIZE`)', `${core.DEFAULT_MAX_FILE_SIZE} bytes (100 MiB)`],
      ['keepalive message', `the single byte \`0x${core.KEEPALIVE_BYTE.toString(16)}\` (CBOR null)`],
    ],
  );
  return [
    '### Frame types',
    '',
    frames,
    '',
    '### Error codes',
    '',
    errors,
    '',
    '### Close codes',
    '',
    closes,
    '',
    '### Limits',
    '',
    limits,
  ].join('\n');
}

function methods(core, structs) {
  const rows = Object.entries(core.ClientMethods).map(([name, m]) => {
    const result =
      name === 'epoch.begin'
        ? `${typeName(m.result, structs)} or ${typeName(core.EpochConflictResultCodec, structs)}`
        : typeName(m.result, structs);
    return [code(name), typeName(m.params, structs), result];
  });
  return table(['method', 'params', 'result'], rows);
}

function nameTable(entries, head, structs) {
  return table(
    head,
    entries.map(([name, codec]) => [code(name), typeName(codec, structs)]),
  );
}

function notifications(core, structs) {
  // `auth` has no codec in the dispatch table: it is read by the handshake, with AuthParams.
  const client = Object.entries(core.ClientNotifications).map(([name, codec]) => [
    name,
    codec ?? core.AuthParamsCodec,
  ]);
  return [
    '### Client → server',
    '',
    nameTable(client, ['method', 'params'], structs),
    '',
    '### Server → client',
    '',
    nameTable(Object.entries(core.ServerNotifications), ['method', 'params'], structs),
    '',
    '### Chunks (server → client, inside a request)',
    '',
    nameTable(Object.entries(core.ChunkNames), ['name', 'data'], structs),
  ].join('\n');
}

function types(structs) {
  const sections = [];
  for (const codec of structs) {
    const fields = Object.entries(codec.shape).filter(([, f]) => f.rule !== 'X');
    sections.push(`### ${codec.name}`, '');
    if (fields.length === 0) {
      sections.push('The empty map `{}` (one byte, `0xa0`).', '');
      continue;
    }
    sections.push(
      table(
        ['key', 'type', 'presence'],
        fields.map(([key, f]) => [code(key), typeName(f.type, structs), must(RULES, f.rule, 'rule')]),
      ),
      '',
    );
  }
  return sections.join('\n').trimEnd();
}

/** The content of each generated block, by name. */
export function generatedBlocks(core) {
  const structs = collectStructs(core, roots(core));
  return {
    constants: constants(core),
    methods: methods(core, structs),
    notifications: notifications(core, structs),
    types: types(structs),
  };
}

const BLOCK = /<!-- generated:([a-z-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g;

/** `doc` with every generated block refreshed. Throws on an unknown or missing block. */
export function renderProtocolDoc(core, doc) {
  const blocks = generatedBlocks(core);
  const used = new Set();
  const out = doc.replace(BLOCK, (_all, name) => {
    const body = blocks[name];
    if (body === undefined) throw new Error(`protocol doc: unknown generated block ${name}`);
    used.add(name);
    return `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`;
  });
  for (const name of Object.keys(blocks)) {
    if (!used.has(name)) throw new Error(`protocol doc: block ${name} is missing from the document`);
  }
  return out;
}
