import { describe, expect, it } from 'vitest';
import { createHttpApp, type FederationHttpInfo, type FederationPeerStatus } from '../../src/index.js';
import { bearer, healthy, StubValidator } from './helpers.js';

/** A quota tracker stand-in: counters per canonical domain, unknown domains created at zero. */
class StubFederation implements FederationHttpInfo {
  readonly peers = new Map<string, FederationPeerStatus>();
  constructor(private readonly domains: string[]) {}
  trustedDomains(): readonly string[] {
    return this.domains;
  }
  peerStatus(domain: string): FederationPeerStatus {
    let status = this.peers.get(domain);
    if (!status) {
      status = {
        domain,
        connections: 0,
        spaces: 0,
        records_this_hour: 0,
        bytes_this_hour: 0,
        invitations_this_hour: 0,
      };
      this.peers.set(domain, status);
    }
    return status;
  }
  totalConnections(): number {
    return [...this.peers.values()].reduce((sum, p) => sum + p.connections, 0);
  }
}

const app = (federation?: FederationHttpInfo) =>
  createHttpApp({ health: healthy, tokenValidator: new StubValidator(), federation });

describe('HTTP-09/HTTP-11/HTTP-12 federation information routes', () => {
  it('HTTP-09 health_includes_federation_summary_when_enabled (peer_count = trusted domains)', async () => {
    const fed = new StubFederation(['other.example.com', 'peer.example.com']);
    fed.peers.set('peer.example.com', { ...fed.peerStatus('peer.example.com'), connections: 2 });
    fed.peers.set('other.example.com', { ...fed.peerStatus('other.example.com'), connections: 1 });
    const res = await app(fed).request('/health');
    expect(await res.text()).toBe(
      '{"status":"healthy","federation":{"enabled":true,"peer_count":2,"connections":3}}',
    );
  });

  it('HTTP-11 federation_trusted_route_requires_authorization', async () => {
    expect((await app(new StubFederation([])).request('/api/v1/federation/trusted')).status).toBe(401);
  });

  it('HTTP-11 federation_trusted_route_returns_configured_domains', async () => {
    const fed = new StubFederation(['other.example.com', 'peer.example.com']);
    const res = await app(fed).request('/api/v1/federation/trusted', { headers: bearer('valid-token') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ domains: ['other.example.com', 'peer.example.com'] });
  });

  it('HTTP-11 federation_trusted_route_returns_not_found_when_federation_disabled', async () => {
    const res = await app().request('/api/v1/federation/trusted', { headers: bearer('valid-token') });
    expect([res.status, await res.text()]).toEqual([404, '']);
  });

  it('HTTP-12 federation_status_route_returns_quota_usage (domain canonicalised, key order kept)', async () => {
    const fed = new StubFederation(['peer.example.com']);
    fed.peers.set('peer.example.com', {
      domain: 'peer.example.com',
      connections: 1,
      spaces: 2,
      records_this_hour: 3,
      bytes_this_hour: 128,
      invitations_this_hour: 1,
    });
    const res = await app(fed).request('/api/v1/federation/status/Peer.Example.com', {
      headers: bearer('valid-token'),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '{"domain":"peer.example.com","connections":1,"spaces":2,"records_this_hour":3,"bytes_this_hour":128,"invitations_this_hour":1}',
    );
  });

  it('HTTP-12 federation_status_route_rejects_untrusted_peer (with federation enabled)', async () => {
    const res = await app(new StubFederation(['peer.example.com'])).request(
      '/api/v1/federation/status/other.example.com',
      { headers: bearer('valid-token') },
    );
    expect([res.status, await res.text()]).toEqual([404, '']);
  });

  it('HTTP-12 an empty trusted list allows any domain and creates its zeroed entry', async () => {
    const fed = new StubFederation([]);
    const res = await app(fed).request('/api/v1/federation/status/new.example:443', {
      headers: bearer('valid-token'),
    });
    expect(((await res.json()) as { domain: string }).domain).toBe('new.example');
    expect(fed.peers.has('new.example')).toBe(true);
  });

  it('HTTP-12 federation_status_route_returns_not_found_when_federation_disabled', async () => {
    const res = await app().request('/api/v1/federation/status/peer.example.com', {
      headers: bearer('valid-token'),
    });
    expect(res.status).toBe(404);
  });
});
