import type { ConnectionOptions } from '@nats-io/transport-node';

/**
 * BROKER_URL → NATS client options. `tls://` requires TLS; `user:pass@` authenticates by user and
 * password, a lone `token@` by token (the NATS URL conventions). The server list never carries userinfo.
 */
export function natsConnectOptions(raw: string): ConnectionOptions {
  const url = new URL(raw);
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:')
    throw new Error(`unsupported NATS URL scheme ${url.protocol}`);
  const host =
    url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
  const options: ConnectionOptions = { servers: `${host}:${url.port || '4222'}` };
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  if (user !== '' && pass !== '') Object.assign(options, { user, pass });
  else if (user !== '') Object.assign(options, { token: user });
  if (url.protocol === 'tls:') Object.assign(options, { tls: {} });
  return options;
}
