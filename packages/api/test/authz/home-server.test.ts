import { describe, expect, it } from 'vitest';
import { peerTarget, peerWsUrl, remoteHome } from '../../src/authz/index.js';

describe('home server targets (FED-PEER-02)', () => {
  it.each([
    ['peer.example.com', 'wss://peer.example.com/api/v1/federation/ws'],
    ['https://peer.example.com', 'wss://peer.example.com/api/v1/federation/ws'],
    ['http://127.0.0.1:5002', 'ws://127.0.0.1:5002/api/v1/federation/ws'],
    ['127.0.0.1:5002', 'ws://127.0.0.1:5002/api/v1/federation/ws'],
    ['localhost', 'ws://localhost/api/v1/federation/ws'],
    ['wss://peer.example.com/custom', 'wss://peer.example.com/custom'],
    ['ws://peer.example.com', 'ws://peer.example.com/api/v1/federation/ws'],
    ['  PEER.example.com.  ', 'wss://peer.example.com/api/v1/federation/ws'],
    ['peer.example.com:8443', 'wss://peer.example.com:8443/api/v1/federation/ws'],
    ['[::1]:9000', 'ws://[::1]:9000/api/v1/federation/ws'],
    ['http://[bad', 'wss://[bad/api/v1/federation/ws'],
  ])('FED-PEER-02 %s → %s', (raw, url) => {
    expect(peerWsUrl(raw)).toBe(url);
  });

  it('canonical domain keeps non-443 ports', () => {
    expect(peerTarget('https://Peer.Example.com:8443/path').domain).toBe('peer.example.com:8443');
  });

  it('RPC-SUB-2 no home server, a blank one, or one of ours is local', () => {
    const ours = new Set(['sync.example.org']);
    expect(remoteHome(undefined, ours)).toBeUndefined();
    expect(remoteHome('  ', ours)).toBeUndefined();
    expect(remoteHome('https://SYNC.example.org', ours)).toBeUndefined();
    expect(remoteHome('peer.example.com', ours)?.domain).toBe('peer.example.com');
  });
});
