/**
 * The benchmark floor: the least a server can do for the same wire work, in one bare Node process.
 * `ws` + cborg framing, one ES256 check per connection (the key is imported once), a one-statement push
 * (a CTE that advances the space cursor and inserts the records: one round trip, a named prepared
 * statement), a keyset-paged pull written one page per socket write, and an encode-once broadcast. No
 * authorization beyond the JWT's personal space, no limits, no validation: it only bounds how fast the
 * real server could be on this machine, in the same run.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PgExecutor } from '@less-sync/storage';
import { decode, encode } from 'cborg';
import { type WebSocket, WebSocketServer } from 'ws';

type Pool = PgExecutor['pool'];
type Frame = Record<string, unknown>;

const PUSH_SQL =
  'WITH s AS (UPDATE spaces SET cursor = cursor + 1 WHERE id = $1 RETURNING cursor), ' +
  'i AS (INSERT INTO records (id, space_id, blob, cursor, deleted) SELECT $2, $1, $3, s.cursor, false FROM s ' +
  'ON CONFLICT (id) DO NOTHING RETURNING id) SELECT s.cursor, (SELECT count(*) FROM i) AS n FROM s';
const SPACE_SQL =
  'WITH c AS (INSERT INTO spaces (id, client_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING cursor) ' +
  'SELECT cursor FROM c UNION ALL SELECT cursor FROM spaces WHERE id = $1';
const PAGE_SQL =
  'SELECT id, blob, cursor FROM records WHERE space_id = $1 AND (cursor, id) > ($2::bigint, $3::uuid) ' +
  'AND NOT deleted ORDER BY cursor, id LIMIT $4';
const PAGE_ROWS = 2_000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

interface Client {
  space: string | undefined;
}

function verifyJwt(token: string, key: KeyObject): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  return ok
    ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>)
    : undefined;
}

export class FloorServer {
  private readonly subscribers = new Map<string, Set<WebSocket>>();
  /** Connections whose JWT checked out (the idle-connection bench waits for all of them). */
  authenticated = 0;

  private constructor(
    private readonly http: Server,
    readonly url: string,
    private readonly wss: WebSocketServer,
  ) {}

  static async start(pool: Pool, jwk: Record<string, string>): Promise<FloorServer> {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true });
    const http = createServer((_req, res) => res.writeHead(404).end());
    http.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws)),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', 1024, resolve));
    const { port } = http.address() as AddressInfo;
    const floor = new FloorServer(http, `ws://127.0.0.1:${port}/api/v1/ws`, wss);
    wss.on('connection', (ws) => floor.accept(ws, pool, key));
    return floor;
  }

  private accept(ws: WebSocket, pool: Pool, key: KeyObject): void {
    const client: Client = { space: undefined };
    ws.on('message', (data) => {
      const frame = decode(data as Buffer) as Frame;
      void this.handle(ws, client, frame, pool, key).catch(() => ws.terminate());
    });
    ws.on('close', () => {
      if (client.space !== undefined) this.subscribers.get(client.space)?.delete(ws);
    });
  }

  private async handle(
    ws: WebSocket,
    client: Client,
    frame: Frame,
    pool: Pool,
    key: KeyObject,
  ): Promise<void> {
    const params = frame.params as Frame;
    if (frame.method === 'auth') {
      const claims = verifyJwt(String(params.token), key);
      if (claims === undefined) ws.close(4000, 'invalid auth token');
      else {
        client.space = String(claims.personal_space_id);
        this.authenticated++;
      }
      return;
    }
    const id = frame.id;
    const space = client.space as string;
    if (frame.method === 'subscribe') {
      const rows = (await pool.query({ name: 'floor_space', text: SPACE_SQL, values: [space, 'floor'] }))
        .rows;
      let set = this.subscribers.get(space);
      if (set === undefined) {
        set = new Set();
        this.subscribers.set(space, set);
      }
      set.add(ws);
      const cursor = Number(rows[0]?.cursor ?? 0);
      ws.send(
        encode({ type: 1, id, result: { spaces: [{ id: space, cursor, key_generation: 0 }], errors: [] } }),
      );
      return;
    }
    if (frame.method === 'push') {
      const change = (params.changes as Frame[])[0] as Frame;
      const { rows } = await pool.query({
        name: 'floor_push',
        text: PUSH_SQL,
        values: [space, change.id, change.blob],
      });
      const cursor = Number(rows[0]?.cursor);
      const ok = Number(rows[0]?.n) === 1;
      ws.send(encode({ type: 1, id, result: ok ? { ok: true, cursor } : { ok: false, error: 'conflict' } }));
      if (!ok) return;
      const sync = encode({
        type: 2,
        method: 'sync',
        params: {
          space,
          prev: cursor - 1,
          cursor,
          key_generation: 0,
          records: [{ id: change.id, blob: change.blob, cursor }],
        },
      });
      for (const other of this.subscribers.get(space) ?? []) if (other !== ws) other.send(sync);
      return;
    }
    if (frame.method === 'pull') {
      await this.pull(ws, id, space, pool);
      return;
    }
    ws.send(encode({ type: 1, id, error: { code: 'method_not_found', message: 'floor' } }));
  }

  /** One keyset page per statement; each page's chunks go out in one corked socket write. */
  private async pull(ws: WebSocket, id: unknown, space: string, pool: Pool): Promise<void> {
    const transport = (ws as unknown as { _socket: Duplex })._socket;
    let after: [number, string] = [0, NIL_UUID];
    for (;;) {
      const { rows } = await pool.query({
        name: 'floor_page',
        text: PAGE_SQL,
        values: [space, after[0], after[1], PAGE_ROWS],
      });
      transport.cork();
      for (const row of rows) {
        const cursor = Number(row.cursor);
        ws.send(
          encode({
            type: 3,
            id,
            name: 'pull.record',
            data: { space, id: row.id, blob: row.blob, cursor, deleted: false },
          }),
        );
      }
      transport.uncork();
      const last = rows.at(-1);
      if (rows.length < PAGE_ROWS || last === undefined) break;
      after = [Number(last.cursor), String(last.id)];
      // Honour backpressure between pages, as a real server must.
      while (ws.bufferedAmount > 4 * 1024 * 1024) await new Promise((r) => setImmediate(r));
    }
    ws.send(encode({ type: 1, id, result: {} }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
