import { request as httpRequest } from 'node:http';

export interface UpgradeAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A raw WebSocket upgrade with any headers; resolves with the HTTP answer (101 when upgraded). */
export function upgrade(url: string, headers: Record<string, string>): Promise<UpgradeAnswer> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      timeout: 30_000,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('federation-suite').toString('base64'),
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: '', headers: res.headers });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to the upgrade of ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
