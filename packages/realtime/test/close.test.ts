import { createServer } from 'node:http';
import { CloseCode } from '@less-sync/core';
import { describe, expect, it } from 'vitest';
import {
  AuthRejectedError,
  Close,
  createHandlerTable,
  DEFAULT_BROKER_CONFIG,
  InMemoryBroker,
  PresenceRegistry,
  RealtimeEndpoint,
} from '../src/index.js';

describe('close catalogue (WSPROTO-02, WSPROTO-03, WSPROTO-04, WS-CLOSE-2)', () => {
  it('WSPROTO-02 WSPROTO-04 WS-CLOSE-2 every directive carries the frozen code and the exact reason text', () => {
    const table: Record<string, [number, string]> = {
      closedBeforeAuth: [4000, 'connection closed before auth'],
      authReadFailed: [4000, 'failed to read auth frame'],
      authTimeout: [4000, 'auth timeout'],
      expectedBinaryAuth: [4000, 'expected binary auth frame'],
      emptyAuthFrame: [4000, 'empty auth frame'],
      authFrameTooLarge: [1009, 'auth frame too large'],
      invalidAuthFrame: [4000, 'invalid auth frame'],
      notAuthNotification: [4000, 'first frame must be an auth notification'],
      emptyAuthToken: [4000, 'empty auth token'],
      missingAuthToken: [4000, 'missing auth token'],
      invalidAuthToken: [4000, 'invalid auth token'],
      expiredAuthToken: [4000, 'expired auth token'],
      untrustedIssuer: [4000, 'untrusted auth issuer'],
      syncScopeRequired: [4000, 'sync scope required'],
      lifetimeReached: [4001, 'connection timeout'],
      tokenExpired: [4001, 'token expired'],
      tooManyConnections: [4003, 'too many connections'],
      registrationFailed: [4003, 'failed to register connection'],
      emptyBinaryFrame: [4005, 'empty binary frame'],
      invalidCborFrame: [4005, 'invalid cbor frame'],
      expectedBinaryRpc: [4005, 'expected binary rpc frame'],
      slowConsumer: [4006, 'slow consumer'],
      goingAway: [1001, 'going away'],
      internalError: [1011, 'internal error'],
    };
    expect(Object.keys(Close).sort()).toEqual(Object.keys(table).sort());
    for (const [name, [code, reason]] of Object.entries(table)) {
      expect(Close[name as keyof typeof Close], name).toEqual({ code, reason });
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    }
    // The application codes come from core's frozen constants.
    expect(Close.authTimeout.code).toBe(CloseCode.AuthFailed);
    expect(Close.slowConsumer.code).toBe(CloseCode.SlowConsumer);
    expect(Object.isFrozen(Close.authTimeout)).toBe(true);
  });

  it('WSPROTO-07 validator failures map to their 4000 reasons; a directive can be overridden', () => {
    expect(new AuthRejectedError('missing_token').close).toBe(Close.missingAuthToken);
    expect(new AuthRejectedError('invalid_token').close).toBe(Close.invalidAuthToken);
    expect(new AuthRejectedError('expired_token').close).toBe(Close.expiredAuthToken);
    expect(new AuthRejectedError('untrusted_issuer').close).toBe(Close.untrustedIssuer);
    const scope = new AuthRejectedError('scope');
    expect(scope.close).toEqual({ code: 4000, reason: 'sync scope required' });
    expect(scope.message).toBe('sync scope required');
    expect(scope.kind).toBe('scope');
    const custom = new AuthRejectedError('invalid_token', {
      code: 4003,
      reason: 'too many federation connections',
    });
    expect(custom.close.code).toBe(4003);
  });

  it('BROKER-01 the default limit is 3 connections per mailbox', () => {
    expect(DEFAULT_BROKER_CONFIG.maxConnectionsPerMailbox).toBe(3);
  });

  it('WSPROTO-10 no housekeeping task: building a broker, registry and endpoint starts no timer', () => {
    const before = process.getActiveResourcesInfo().length;
    const endpoint = new RealtimeEndpoint({
      authenticate: async () => ({ mailboxId: 'm' }),
      handlers: createHandlerTable({}),
      broker: new InMemoryBroker(),
      presence: new PresenceRegistry(),
    });
    createServer().on('upgrade', (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
    expect(process.getActiveResourcesInfo().length).toBe(before);
  });
});
