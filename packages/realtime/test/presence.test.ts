import { createHmac } from 'node:crypto';
import { decodeCbor } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRESENCE_CONFIG,
  derivePseudonym,
  InMemoryBroker,
  PresenceRegistry,
  type Subscriber,
  sweepPresence,
} from '../src/index.js';

function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const data = (...bytes: number[]) => Uint8Array.from(bytes);

describe('PresenceRegistry', () => {
  it('PRESENCE-5 set_and_peers_excludes_requesting_peer (pseudonyms of 32 hex chars)', () => {
    const registry = new PresenceRegistry();
    registry.set('space-1', 'peer-a', data(1, 2, 3));
    registry.set('space-1', 'peer-b', data(4, 5, 6));
    const peers = registry.peers('space-1', 'peer-a');
    expect(peers).toHaveLength(1);
    expect(peers[0]!.peer).not.toBe('peer-b');
    expect(peers[0]!.peer).toMatch(/^[0-9a-f]{32}$/);
    expect(peers[0]!.data).toEqual(data(4, 5, 6));
  });

  it('PRESENCE-4 peers_returns_pseudonyms_not_raw_ids, different per space', () => {
    const registry = new PresenceRegistry();
    registry.set('space-1', 'conn-a', data(1));
    registry.set('space-2', 'conn-a', data(2));
    const [p1] = registry.peers('space-1', 'other');
    const [p2] = registry.peers('space-2', 'other');
    expect(p1!.peer).not.toBe(p2!.peer);
    expect(p1!.peer).toBe(registry.pseudonym('conn-a', 'space-1'));
  });

  it('PRESENCE-4 peer_pseudonym_is_deterministic and peer_pseudonym_differs_across_spaces', () => {
    const registry = new PresenceRegistry();
    expect(registry.pseudonym('conn-1', 'space-1')).toBe(registry.pseudonym('conn-1', 'space-1'));
    expect(registry.pseudonym('conn-1', 'space-1')).not.toBe(registry.pseudonym('conn-1', 'space-2'));
    expect(new PresenceRegistry().pseudonym('conn-1', 'space-1')).not.toBe(
      registry.pseudonym('conn-1', 'space-1'),
    );
  });

  it('PRESENCE-4 derivation is hex(HMAC-SHA256(secret, conn ‖ 0x00 ‖ space)[0..16])', () => {
    const secret = new Uint8Array(32).fill(7);
    const expected = createHmac('sha256', secret)
      .update('conn-1\0space-1')
      .digest()
      .subarray(0, 16)
      .toString('hex');
    expect(derivePseudonym(secret, 'conn-1', 'space-1')).toBe(expected);
    expect(new PresenceRegistry({ secret }).pseudonym('conn-1', 'space-1')).toBe(expected);
  });

  it('PRESENCE-5 clear_removes_space_when_last_peer_leaves and reports the leave', () => {
    const registry = new PresenceRegistry();
    registry.set('space-1', 'peer-a', data(1));
    expect(registry.clear('space-1', 'peer-a')).toEqual({
      space: 'space-1',
      peer: registry.pseudonym('peer-a', 'space-1'),
    });
    expect(registry.peers('space-1', 'peer-b')).toEqual([]);
    expect(registry.spaceCount).toBe(0);
    expect(registry.clear('space-1', 'peer-a')).toBeUndefined();
  });

  it('PRESENCE-5 PRESENCE-7 clear_peer_returns_all_spaces_with_presence, sorted', () => {
    const registry = new PresenceRegistry();
    registry.set('space-b', 'peer-a', data(1));
    registry.set('space-a', 'peer-a', data(2));
    registry.set('space-c', 'peer-b', data(3));
    const leaves = registry.clearConnection('peer-a');
    expect(leaves.map((l) => l.space)).toEqual(['space-a', 'space-b']);
    expect(leaves[0]!.peer).toBe(registry.pseudonym('peer-a', 'space-a'));
    expect(registry.peers('space-a', 'peer-b')).toEqual([]);
    expect(registry.peers('space-c', 'peer-a')).toHaveLength(1);
    expect(registry.clearConnection('peer-a')).toEqual([]);
  });

  it('PRESENCE-5 set_enforces_per_space_limit for new peers only', () => {
    const registry = new PresenceRegistry();
    for (let i = 0; i < DEFAULT_PRESENCE_CONFIG.maxPeersPerSpace; i++) {
      expect(registry.set('space-1', `peer-${i}`, data(1)).stored).toBe(true);
    }
    expect(registry.set('space-1', 'peer-overflow', data(2))).toEqual({
      stored: false,
      reason: 'space_full',
    });
    expect(registry.peers('space-1', 'nobody')).toHaveLength(100);
    expect(registry.set('space-1', 'peer-0', data(99)).stored).toBe(true);
    expect(registry.peers('space-1', 'peer-1').find((p) => p.data[0] === 99)).toBeDefined();
  });

  it('PRESENCE-1 data over 1024 bytes and an empty space are refused; exactly 1024 and empty data are stored', () => {
    const registry = new PresenceRegistry();
    expect(registry.set('s', 'c', new Uint8Array(1025))).toEqual({ stored: false, reason: 'too_large' });
    expect(registry.set('', 'c', data(1))).toEqual({ stored: false, reason: 'empty_space' });
    expect(registry.set('s', 'c', new Uint8Array(1024)).stored).toBe(true);
    expect(registry.set('s', 'd', new Uint8Array(0)).stored).toBe(true);
  });

  it('PRESENCE-6 cleanup_stale_removes_old_entries after 45 s without a refresh; a refresh keeps it', () => {
    const clock = manualClock();
    const registry = new PresenceRegistry({ clock });
    registry.set('space-1', 'peer-a', data(1));
    registry.set('space-1', 'peer-b', data(1));
    clock.advance(30_000);
    registry.set('space-1', 'peer-b', data(2)); // refresh
    clock.advance(15_000);
    expect(registry.sweepStale()).toEqual([]); // exactly 45 s is not stale yet
    clock.advance(1);
    expect(registry.sweepStale()).toEqual([
      { space: 'space-1', peer: registry.pseudonym('peer-a', 'space-1') },
    ]);
    expect(registry.peers('space-1', 'nobody')).toHaveLength(1);
    clock.advance(60_000);
    expect(registry.sweepStale()).toHaveLength(1);
    expect(registry.spaceCount).toBe(0);
    expect(registry.clearConnection('peer-b')).toEqual([]);
  });

  it('R5 presence keys are canonical space ids', () => {
    const registry = new PresenceRegistry();
    registry.set('6DFE56D8-7987-439F-B044-EA19E633EF46', 'c', data(1));
    expect(registry.peers('6dfe56d87987439fb044ea19e633ef46', 'x')).toHaveLength(1);
    expect(registry.pseudonym('c', '6DFE56D8-7987-439F-B044-EA19E633EF46')).toBe(
      registry.pseudonym('c', '6dfe56d8-7987-439f-b044-ea19e633ef46'),
    );
  });

  it('PRESENCE-6 sweepPresence broadcasts presence.leave to every subscriber, excluding nobody', async () => {
    const clock = manualClock();
    const registry = new PresenceRegistry({ clock });
    const broker = new InMemoryBroker();
    const inbox: Uint8Array[] = [];
    const sub: Subscriber = {
      excludeId: 'conn-a',
      mailboxId: 'm',
      isClosed: () => false,
      send: (p) => inbox.push(p) > 0,
    };
    await broker.register(sub, ['space-1']);
    registry.set('space-1', 'conn-a', data(1));
    clock.advance(46_000);
    const leaves = await sweepPresence(registry, broker);
    expect(leaves).toHaveLength(1);
    expect(inbox).toHaveLength(1);
    expect(decodeCbor(inbox[0]!)).toEqual({
      type: 2,
      method: 'presence.leave',
      params: { space: 'space-1', peer: registry.pseudonym('conn-a', 'space-1') },
    });
  });
});
