import { type ExtraRoute, jsonResponse } from '@less-sync/api';

/**
 * One readiness condition. Resolve when ready; reject (or resolve with a reason string) when not. Each
 * check gets `PROBE_CHECK_TIMEOUT_MS`, so a hung dependency makes the probe fail, never hang.
 */
export interface ReadinessCheck {
  readonly name: string;
  /** Reported on `/readyz` but never makes it fail (e.g. a degraded broker: the instance still serves). */
  readonly advisory?: boolean;
  check(): Promise<undefined | string>;
}

export const PROBE_CHECK_TIMEOUT_MS = 2_000;

export const LIVEZ_PATH = '/livez';
export const READYZ_PATH = '/readyz';
export const STARTUPZ_PATH = '/startupz';

/** The probe state the composition root drives: started after listen, draining from shutdown on. */
export class Probes {
  private readonly checks: ReadinessCheck[] = [];
  private started = false;
  private draining = false;

  constructor(checks: readonly ReadinessCheck[] = []) {
    this.checks.push(
      {
        name: 'draining',
        check: async () => (this.draining ? 'shutting down' : undefined),
      },
      ...checks,
    );
  }

  /** Another subsystem's condition (broker, federation peers …), checked on every `/readyz`. */
  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  markStarted(): void {
    this.started = true;
  }

  markDraining(): void {
    this.draining = true;
  }

  /** Every check, run concurrently: `ok` or the reason it failed. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const results = await Promise.all(this.checks.map((c) => runCheck(c)));
    const checks: Record<string, string> = {};
    this.checks.forEach((c, i) => {
      checks[c.name] = results[i] ?? 'ok';
    });
    return { ready: results.every((r, i) => r === undefined || this.checks[i]?.advisory === true), checks };
  }

  /**
   * `/livez` (the process answers), `/readyz` (every readiness check passes; 503 while draining) and
   * `/startupz` (startup finished), public like `/health`, which is kept as it is.
   */
  routes(): ExtraRoute[] {
    return [
      {
        path: LIVEZ_PATH,
        public: true,
        methods: { GET: () => jsonResponse(200, { status: 'alive' }) },
      },
      {
        path: READYZ_PATH,
        public: true,
        methods: {
          GET: async () => {
            const { ready, checks } = await this.readiness();
            return jsonResponse(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
          },
        },
      },
      {
        path: STARTUPZ_PATH,
        public: true,
        methods: {
          GET: () =>
            this.started
              ? jsonResponse(200, { status: 'started' })
              : jsonResponse(503, { status: 'starting' }),
        },
      },
    ];
  }
}

async function runCheck(check: ReadinessCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${PROBE_CHECK_TIMEOUT_MS} ms`), PROBE_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check.check().catch((error: unknown) => (error instanceof Error ? error.message : String(error))),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cross-instance transport, advisory: while it is down local delivery goes on and it catches up on
 * return, so taking the instance out of the load balancer would only make things worse.
 */
export function brokerReadinessCheck(
  health: () => {
    readonly kind: string;
    readonly state: string;
    readonly detail?: string | undefined;
  },
): ReadinessCheck {
  return {
    name: 'broker',
    advisory: true,
    check: async () => {
      const h = health();
      if (h.state === 'ok') return undefined;
      return `${h.state} (${h.kind})${h.detail === undefined ? '' : `: ${h.detail}`}`;
    },
  };
}

/** The built-in readiness checks: the database answers, and its schema is at the code's version. */
export function coreReadinessChecks(deps: {
  ping(): Promise<void>;
  pendingMigrations(): Promise<readonly string[]>;
  onDatabaseError(error: unknown): void;
}): ReadinessCheck[] {
  return [
    {
      name: 'database',
      check: async () => {
        try {
          await deps.ping();
          return undefined;
        } catch (error) {
          // The probe is public: the detail (host names, addresses) goes to the log only.
          deps.onDatabaseError(error);
          return 'unreachable';
        }
      },
    },
    {
      name: 'migrations',
      check: async () => {
        const pending = await deps.pendingMigrations();
        return pending.length === 0 ? undefined : `not current: ${pending.join(', ')}`;
      },
    },
  ];
}
