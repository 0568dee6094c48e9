import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, encodeKeepalive, encodeNotification, type FrameBody } from '@less-sync/core';
import { isBrokerError } from '../broker/errors.js';
import type { Broker, Subscriber } from '../broker/types.js';
import type { Clock } from '../clock.js';
import type { RealtimeLogger } from '../logger.js';
import type { PresenceRegistry } from '../presence/registry.js';
import { AuthRejectedError, Close, type CloseDirective } from './close.js';
import { type ConnectionConfig, jitteredLifetime } from './config.js';
import type { DeadlineQueue } from './deadlines.js';
import { type Deferred, deferred } from './deferred.js';
import { type DispatchTarget, dispatchNotification, dispatchRequest } from './dispatch.js';
import { parseAuthFrame, parseClientFrame } from './frames.js';
import type { HandlerTable } from './handlers.js';
import { type InboundFrame, InboundQueue } from './inbound.js';
import { Keepalive, type KeepaliveActions } from './keepalive.js';
import { OutboundQueue } from './outbound.js';
import {
  flatUuid,
  onSocketClose,
  onSocketError,
  onSocketMessage,
  onSocketPing,
  onSocketPong,
  Target,
} from './plumbing.js';
import { BrokerRegistration } from './registration.js';
import { type ReleasedOwner, ReleasedRequests, RequestHold } from './released.js';
import { TickCorkedSink } from './sink.js';
import type { RealtimeSocket, SocketOwner } from './socket.js';
import { ConnectionTimers } from './timers.js';
import type {
  Authenticator,
  ConnectionHooks,
  ConnectionIdentity,
  ConnectionState,
  RealtimeConnection,
} from './types.js';

/** Everything a connection is built from; the endpoint shares one set between its connections. */
export interface ConnectionDeps<I extends ConnectionIdentity> {
  readonly config: Readonly<ConnectionConfig>;
  readonly authenticate: Authenticator<I>;
  readonly handlers: HandlerTable<I>;
  readonly broker: Broker;
  readonly presence: PresenceRegistry | undefined;
  readonly clock: Clock;
  /** The endpoint's one timer for every connection deadline. */
  readonly deadlines: DeadlineQueue;
  readonly random: () => number;
  readonly logger: RealtimeLogger;
  readonly hooks: ConnectionHooks<I>;
}

const KEEPALIVE_FRAME = encodeKeepalive();

/**
 * One client WebSocket from upgrade to teardown (WS-AUTH-*, WS-CONN-*, WS-KEEPALIVE-1, WS-LIFETIME-1,
 * WS-OUTBOUND-1, WS-CLOSE-1). Inbound frames, the auth frame included, go through one queue and are
 * handled strictly one at a time, so frames a client pipelines behind its auth frame run in order once
 * auth succeeds; only a request handler that releases the loop (RequestContext.release) lets later
 * frames overtake it, within a per-connection bound. The connection is its own broker {@link Subscriber}.
 */
export class Connection<I extends ConnectionIdentity>
  implements RealtimeConnection<I>, Subscriber, SocketOwner, KeepaliveActions, ReleasedOwner
{
  readonly id = flatUuid();
  private lifecycle: ConnectionState = 'authenticating';
  private current: I | undefined;
  /** Created when a handler first asks for the signal; `stopped` aborts it (or aborts it at birth). */
  private abort: AbortController | undefined;
  private stopped = false;
  private readonly outbound: OutboundQueue;
  private readonly registration: BrokerRegistration;
  private registeredMailbox = '';
  private sentClose: CloseDirective | undefined;
  private readonly inbound: InboundQueue;
  private readonly timers: ConnectionTimers;
  private pumping = false;
  private authStarted = false;
  private opening: Promise<void> | undefined;
  private draining = false;
  private readonly keepalive: Keepalive;
  private readonly released: ReleasedRequests;
  private teardownRun: Promise<void> | undefined;
  /** The dispatcher's view, made on the first request frame. */
  private target: DispatchTarget<I> | undefined;
  /** Made when `closed` is first read (shutdown): idle connections never pay for the promise. */
  private closedWait: Deferred | undefined;
  /** How teardown ended, once it has; undefined while it has not started or runs. */
  private closedOutcome: { readonly err: unknown } | undefined;
  private closeObserved = false;
  /** The upgrade request, kept only until the auth frame is handled (the authenticator may read it). */
  private upgrade: IncomingMessage | undefined;

  constructor(
    private readonly socket: RealtimeSocket,
    request: IncomingMessage,
    private readonly deps: ConnectionDeps<I>,
    private readonly onTeardown: (connection: Connection<I>) => void,
    preAuthenticated?: I,
    transport: Duplex = request.socket,
  ) {
    const { config } = deps;
    if (preAuthenticated === undefined) this.upgrade = request;
    this.timers = new ConnectionTimers(deps.deadlines);
    this.registration = new BrokerRegistration(deps.broker);
    this.inbound = new InboundQueue(socket, config.inboundQueueFrames, config.inboundQueueBytes);
    this.outbound = new OutboundQueue(
      new TickCorkedSink(socket, transport),
      config.outboundQueueFrames,
      config.outboundQueueFrames - config.broadcastReserveFrames,
    );
    socket.owner = this;
    socket.on('message', onSocketMessage);
    socket.on('ping', onSocketPing);
    socket.on('pong', onSocketPong);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    this.released = new ReleasedRequests(config.maxReleasedRequests, this);
    this.keepalive = new Keepalive(this.timers, config.keepaliveIntervalMs, config.livenessCheck, this);
    this.keepalive.start();
    if (preAuthenticated !== undefined) {
      this.authStarted = true;
      socket.authPending = false;
      this.opening = this.open(preAuthenticated);
    } else {
      this.timers.after('auth', config.authTimeoutMs, () => {
        if (this.lifecycle === 'authenticating') this.close(Close.authTimeout);
      });
    }
  }

  get state(): ConnectionState {
    return this.lifecycle;
  }
  get protocol(): string {
    return this.socket.protocol;
  }
  get identity(): I | undefined {
    return this.current;
  }
  get signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.stopped) this.abort.abort();
    }
    return this.abort.signal;
  }
  get subscriptions(): ReadonlySet<string> {
    return this.registration.spaces;
  }
  /** Frames handed to the socket and not yet flushed (for tests and metrics). */
  get outboundPending(): number {
    return this.outbound.pending;
  }

  // ---- Subscriber (BROKER-03, BROKER-10) ----

  get excludeId(): string {
    return this.id;
  }
  get mailboxId(): string {
    return this.registeredMailbox;
  }
  isClosed(): boolean {
    return this.lifecycle === 'closing' || this.lifecycle === 'closed';
  }
  /** A broadcast that finds the queue full makes this a slow consumer: closed with 4006 (R7). */
  send(payload: Uint8Array): boolean {
    if (this.outbound.tryPush(payload)) return true;
    if (this.lifecycle === 'open') {
      try {
        this.deps.hooks.onSlowConsumer?.(this, this.outbound.pending);
      } catch (err) {
        this.deps.logger.error({ err, connectionId: this.id }, 'slow consumer hook failed');
      }
      this.close(Close.slowConsumer);
    }
    return false;
  }

  // ---- RealtimeConnection ----

  replaceIdentity(identity: I): void {
    if (this.lifecycle !== 'open') return;
    this.current = identity;
    this.armExpiry();
  }

  subscribe(spaces: Iterable<string>): Promise<string[]> {
    return this.registration.add(spaces);
  }

  unsubscribe(spaces: Iterable<string>): Promise<string[]> {
    return this.registration.remove(spaces);
  }

  isSubscribed(space: string): boolean {
    return this.registration.has(space);
  }

  publish(space: string, method: string, params: FrameBody): Promise<number> {
    return this.deps.broker.broadcastSpace(space, this.id, encodeNotification(method, params));
  }

  notify(method: string, params: FrameBody): Promise<void> {
    return this.outbound.push(encodeNotification(method, params));
  }

  close(directive: CloseDirective): void {
    if (this.isClosed()) return;
    this.lifecycle = 'closing';
    this.sentClose = directive;
    this.stopInbound();
    this.socket.closeWith(directive);
    const { closeTimeoutMs, slowConsumerCloseTimeoutMs } = this.deps.config;
    const grace = directive.code === CloseCode.SlowConsumer ? slowConsumerCloseTimeoutMs : closeTimeoutMs;
    this.timers.after('terminate', grace, () => this.socket.terminate());
    void this.teardown();
  }

  /** Graceful shutdown (R24): finish the frame in hand, then close 1001 "going away". */
  beginShutdown(): void {
    if (this.isClosed()) return;
    if (this.lifecycle !== 'open' || (!this.pumping && this.released.count === 0)) {
      this.close(Close.goingAway);
      return;
    }
    this.draining = true;
    this.inbound.clear();
  }

  /** Cut the TCP connection without a close handshake (shutdown deadline passed). */
  terminate(): void {
    this.socket.terminate();
  }

  // ---- socket events and keepalive actions (shared listeners call these; see socket.ts) ----

  socketMessage(data: Uint8Array, isBinary: boolean): void {
    this.onMessage(data, isBinary);
  }
  socketPing(): void {
    this.onPing();
  }
  socketPong(): void {
    this.keepalive.alive();
  }
  socketError(err: Error): void {
    this.deps.logger.warn({ err, connectionId: this.id }, 'websocket error');
  }
  socketClose(): void {
    this.onSocketClose();
    if (this.closeObserved) return;
    this.closeObserved = true;
    this.teardown()
      .then(() => this.released.settledWithin(this.deps.deadlines, this.deps.config.closeTimeoutMs))
      .then(
        () => {
          this.lifecycle = 'closed';
          this.closedOutcome = { err: undefined };
          this.closedWait?.resolve();
        },
        (err: unknown) => {
          const failure = err ?? new Error('connection teardown failed');
          this.closedOutcome = { err: failure };
          this.closedWait?.reject(failure);
        },
      );
  }

  /** Resolves once the socket is closed and teardown has finished (rejects if teardown failed). */
  get closed(): Promise<void> {
    const outcome = this.closedOutcome;
    if (outcome !== undefined)
      return outcome.err === undefined ? Promise.resolve() : Promise.reject(outcome.err);
    this.closedWait ??= deferred();
    return this.closedWait.promise;
  }
  sendKeepalive(): void {
    this.outbound.tryPush(KEEPALIVE_FRAME);
  }
  ping(): void {
    this.socket.ping();
  }
  dead(): void {
    this.deps.logger.warn({ connectionId: this.id }, 'peer missed a keepalive ping; terminating');
    this.socket.terminate();
  }

  // ---- inbound ----

  private onMessage(data: Uint8Array, isBinary: boolean): void {
    this.keepalive.alive();
    if (this.lifecycle !== 'authenticating' && this.lifecycle !== 'open') return;
    if (this.draining) return;
    this.inbound.push({ data, isBinary });
    if (!this.pumping) void this.pump();
  }

  /** WS-AUTH-1: a ping as the very first message fails the handshake, as any non-binary message does. */
  private onPing(): void {
    this.keepalive.alive();
    if (!this.authStarted && this.inbound.length === 0) this.close(Close.expectedBinaryAuth);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let item = this.inbound.shift(); item !== undefined; item = this.inbound.shift()) {
        if (!this.authStarted) {
          this.authStarted = true;
          await this.authenticate(item);
          continue;
        }
        if (this.opening !== undefined) {
          await this.opening;
          this.opening = undefined;
        }
        if (this.lifecycle !== 'open' || this.draining) break;
        await this.handleFrame(item);
      }
    } catch (err) {
      this.handlerFailed(err);
    } finally {
      this.pumping = false;
      if (this.draining && this.released.count === 0) this.close(Close.goingAway);
    }
  }

  private handlerFailed(err: unknown): void {
    this.deps.logger.error({ err, connectionId: this.id }, 'connection pump failed');
    this.close(Close.internalError);
  }

  /** A released handler failed outside the dispatcher's error mapping: as if the pump had failed. */
  releasedFailed(err: unknown): void {
    this.handlerFailed(err);
  }

  /** R24 with released handlers out: the 1001 close waits for the last of them. */
  releasedIdle(): void {
    if (this.draining && !this.pumping) this.close(Close.goingAway);
  }

  private async authenticate(item: InboundFrame): Promise<void> {
    const request = this.upgrade;
    this.upgrade = undefined;
    if (!item.isBinary || request === undefined) return this.close(Close.expectedBinaryAuth);
    if (item.data.length > this.deps.config.authFrameMaxBytes) return this.close(Close.authFrameTooLarge);
    const parsed = parseAuthFrame(item.data);
    if (!parsed.ok) return this.close(parsed.close);
    let identity: I;
    try {
      identity = await this.deps.authenticate(parsed.value, { id: this.id, request });
    } catch (err) {
      if (this.lifecycle !== 'authenticating') return;
      if (err instanceof AuthRejectedError) return this.close(err.close);
      this.deps.logger.warn({ err, connectionId: this.id }, 'authenticator failed');
      return this.close(Close.invalidAuthToken);
    }
    if (this.lifecycle === 'authenticating') await this.open(identity);
  }

  private async handleFrame(item: InboundFrame): Promise<void> {
    if (!item.isBinary) return this.close(Close.expectedBinaryRpc);
    const parsed = parseClientFrame(item.data);
    if (!parsed.ok) return this.close(parsed.close);
    const frame = parsed.value;
    this.target ??= new Target(this, this.deps, this.outbound);
    if (frame.kind === 'request') {
      const hold = new RequestHold(this.released);
      const target = this.target;
      const done = dispatchRequest(
        target,
        frame.id,
        frame.method,
        frame.params,
        frame.paramsError,
        hold.release,
      );
      if (await hold.until(done)) this.released.track(done);
    } else if (frame.kind === 'notification')
      await dispatchNotification(this.target, frame.method, frame.params);
  }

  // ---- lifecycle ----

  /** After auth: admit, register with the broker (4003 over the limit), start the lifetime and expiry. */
  private async open(identity: I): Promise<void> {
    this.timers.clear('auth');
    this.current = identity;
    const { hooks } = this.deps;
    let refusal: CloseDirective | undefined;
    try {
      refusal = await hooks.admit?.(this, identity);
    } catch (err) {
      this.deps.logger.error({ err, connectionId: this.id }, 'admit hook failed');
      refusal = Close.registrationFailed;
    }
    if (this.lifecycle !== 'authenticating') return;
    if (refusal !== undefined) return this.close(refusal);
    this.registeredMailbox = identity.mailboxId;
    try {
      await this.registration.register(this);
    } catch (err) {
      if (this.lifecycle !== 'authenticating') return;
      return this.close(
        isBrokerError(err, 'too_many_connections') ? Close.tooManyConnections : Close.registrationFailed,
      );
    }
    // Closed while registering: teardown may already have passed its unregister step.
    if (this.lifecycle !== 'authenticating') return this.registration.release();
    this.lifecycle = 'open';
    this.socket.authPending = false;
    const lifetime = jitteredLifetime(this.deps.config, this.deps.random);
    this.timers.at('lifetime', this.timers.now() + lifetime, () => this.close(Close.lifetimeReached));
    this.armExpiry();
    try {
      hooks.onOpen?.(this);
    } catch (err) {
      this.deps.logger.error({ err, connectionId: this.id }, 'onOpen hook failed');
    }
  }

  private armExpiry(): void {
    const at = this.current?.expiresAt;
    if (at === undefined) this.timers.clear('expiry');
    else this.timers.at('expiry', at, () => this.close(Close.tokenExpired));
  }

  private onSocketClose(): void {
    this.timers.clear('terminate');
    if (!this.isClosed()) {
      this.lifecycle = 'closing';
      this.stopInbound();
    }
  }

  private stopInbound(): void {
    this.upgrade = undefined;
    this.outbound.close();
    this.stopped = true;
    this.abort?.abort();
    this.inbound.clear();
  }

  /**
   * WS-CLOSE-1, PRESENCE-7: clear every timer, broadcast presence.leave for each space this connection had
   * presence in (sorted), unregister from the broker. Runs once, as soon as the close starts, so the
   * mailbox slot is free before a stuck peer finishes the close handshake (R7).
   */
  private teardown(): Promise<void> {
    this.teardownRun ??= this.runTeardown();
    return this.teardownRun;
  }

  private async runTeardown(): Promise<void> {
    // The terminate timer stays: it cuts off a peer that never completes the close handshake.
    this.timers.clearAll('terminate');
    // Never mutate broker indexes inside the broadcast that evicted us.
    await Promise.resolve();
    const { broker, presence, logger, hooks } = this.deps;
    if (presence !== undefined && this.current !== undefined) {
      for (const leave of presence.clearConnection(this.id)) {
        try {
          await broker.broadcastSpace(
            leave.space,
            this.id,
            encodeNotification('presence.leave', { ...leave }),
          );
        } catch (err) {
          logger.error({ err, connectionId: this.id }, 'presence.leave broadcast failed');
        }
      }
    }
    await this.registration.release();
    this.onTeardown(this);
    try {
      hooks.onClose?.(this, this.sentClose);
    } catch (err) {
      logger.error({ err, connectionId: this.id }, 'onClose hook failed');
    }
  }
}
