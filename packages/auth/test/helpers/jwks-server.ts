import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JwksHandler = (request: IncomingMessage, response: ServerResponse, call: number) => void;

/** A real HTTP server on 127.0.0.1 with an ephemeral port, serving whatever the test says. */
export interface JwksTestServer {
  readonly url: string;
  /** Requests received so far. */
  readonly calls: number;
  /** Serve `{ keys }` with status 200 from now on. */
  serveKeys(keys: readonly unknown[]): void;
  /** Replace the handler. */
  handle(handler: JwksHandler): void;
  close(): Promise<void>;
}

export function jsonHandler(body: unknown, status = 200): JwksHandler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

export async function startJwksServer(
  initial: JwksHandler = jsonHandler({ keys: [] }),
): Promise<JwksTestServer> {
  let handler = initial;
  let calls = 0;
  const server: Server = createServer((request, response) => {
    calls++;
    handler(request, response, calls);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get calls() {
      return calls;
    },
    serveKeys(keys) {
      handler = jsonHandler({ keys });
    },
    handle(next) {
      handler = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
