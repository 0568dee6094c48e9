import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { CLIENT_WS_PATH, COMMON_HEADERS, FEDERATION_WS_PATH } from '@less-sync/api';
import { offeredSubprotocol, SUBPROTOCOL_REJECTION_BODY, selectSubprotocol } from '@less-sync/realtime';

export interface UpgradeTarget {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface UpgradeRoutes {
  /** `/api/v1/ws`. */
  readonly client: UpgradeTarget;
  /** `/api/v1/federation/ws`; absent while federation is off (then 404 after the subprotocol check). */
  readonly federation?: UpgradeTarget | undefined;
  /** Everything else is an ordinary request that happens to ask for an upgrade: answer it normally. */
  readonly fetch: (request: Request) => Response | Promise<Response>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  429: 'Too Many Requests',
};

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.search(/[?#]/);
  return q < 0 ? raw : raw.slice(0, q);
}

/** An answer with the common headers, then close (HTTP-13: 400 says what to offer, 404 is empty; 429 over a connection limit). */
export function rejectUpgrade(socket: Duplex, status: number, body = ''): void {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (body !== '') lines.push('Content-Type: text/plain; charset=utf-8');
  for (const [name, value] of Object.entries(COMMON_HEADERS)) lines.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Writes a fetch Response on a raw socket (HTTP/1.1, connection closed afterwards). */
async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`.trimEnd(), 'Connection: close'];
  response.headers.forEach((value, name) => {
    if (name !== 'connection' && name !== 'transfer-encoding') lines.push(`${name}: ${value}`);
  });
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (response.body) {
    for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
  }
  socket.end();
}

/**
 * The server's `upgrade` listener: the two WebSocket routes go to their endpoints; an upgrade request for
 * any other path is served by the HTTP app like a plain request (the reference's router ignores the
 * header there), so auth, 404 and the common headers apply as usual.
 */
export function handleUpgradeEvent(routes: UpgradeRoutes, onError: (error: unknown) => void) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onError);
    const path = pathOf(request.url);
    if (path === CLIENT_WS_PATH) {
      routes.client.handleUpgrade(request, socket, head);
      return;
    }
    if (path === FEDERATION_WS_PATH) {
      if (routes.federation) {
        routes.federation.handleUpgrade(request, socket, head);
        return;
      }
      const offered = offeredSubprotocol(request.rawHeaders);
      if (selectSubprotocol(offered) === undefined) rejectUpgrade(socket, 400, SUBPROTOCOL_REJECTION_BODY);
      else rejectUpgrade(socket, 404);
      return;
    }
    const headers = new Headers();
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
      headers.append(request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string);
    }
    const url = `http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`;
    void (async () => {
      try {
        const response = await routes.fetch(new Request(url, { method: request.method ?? 'GET', headers }));
        await writeResponse(socket, response);
      } catch (error) {
        onError(error);
        socket.destroy();
      }
    })();
  };
}
