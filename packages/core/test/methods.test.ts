import { describe, expect, it } from 'vitest';
import {
  ChunkNames,
  ClientMethods,
  ClientNotifications,
  FederationMethods,
  FederationNotifications,
  isClientMethod,
  isClientNotification,
  isFederationMethod,
  ServerNotifications,
} from '../src/index.js';

describe('PROTO-24 name registry', () => {
  it('PROTO-24 client request methods (with legacy DEK aliases)', () => {
    expect(Object.keys(ClientMethods).sort()).toEqual(
      [
        'token.refresh',
        'space.create',
        'membership.append',
        'membership.list',
        'membership.revoke',
        'invitation.create',
        'invitation.list',
        'invitation.get',
        'invitation.delete',
        'epoch.begin',
        'epoch.complete',
        'deks.get',
        'deks.rewrap',
        'file.deks.get',
        'deks.getFiles',
        'file.deks.rewrap',
        'deks.rewrapFiles',
        'subscribe',
        'push',
        'pull',
      ].sort(),
    );
    expect(ClientMethods['deks.getFiles']).toEqual(ClientMethods['file.deks.get']);
    expect(ClientMethods['deks.rewrapFiles'].params).toBe(ClientMethods['file.deks.rewrap'].params);
    expect(isClientMethod('push')).toBe(true);
    expect(isClientMethod('toString')).toBe(false);
    expect(isClientMethod('foo')).toBe(false);
  });

  it('PROTO-24 notifications and chunk names', () => {
    expect(Object.keys(ClientNotifications)).toEqual([
      'auth',
      'unsubscribe',
      'presence.set',
      'presence.clear',
      'event.send',
    ]);
    expect(isClientNotification('presence.set')).toBe(true);
    expect(isClientNotification('sync')).toBe(false);
    expect(Object.keys(ServerNotifications)).toEqual([
      'sync',
      'membership',
      'file',
      'revoked',
      'presence',
      'presence.leave',
      'event',
      'invitation',
    ]);
    expect(Object.keys(ChunkNames)).toEqual([
      'pull.begin',
      'pull.record',
      'pull.membership',
      'pull.file',
      'pull.commit',
      'deks.record',
      'deks.files.record',
    ]);
  });

  it('PROTO-24 federation route methods and notifications', () => {
    expect(Object.keys(FederationMethods)).toEqual(['subscribe', 'push', 'pull', 'fed.invitation']);
    expect(isFederationMethod('fed.invitation')).toBe(true);
    expect(isFederationMethod('space.create')).toBe(false);
    expect(Object.keys(FederationNotifications)).toEqual([
      'unsubscribe',
      'sync',
      'membership',
      'file',
      'revoked',
    ]);
  });
});
