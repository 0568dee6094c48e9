import type { Logger } from 'pino';

export interface JobSpec {
  readonly name: string;
  readonly intervalMs: number;
  /** One run; failures are logged and the schedule continues. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs jobs on fixed intervals (R22), the first run one interval after start (as the reference's
 * presence loop skips its immediate first tick). A run never overlaps the previous one of the same
 * job: the next is scheduled when it finishes. `stop()` cancels the timers, aborts the running ones
 * and waits for them.
 */
export class JobScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly logger: Pick<Logger, 'warn' | 'debug'>) {}

  start(job: JobSpec): void {
    if (this.stopped) return;
    const arm = (): void => {
      const timer = setTimeout(() => {
        this.timers.delete(job.name);
        const run = this.runOnce(job).finally(() => {
          this.running.delete(run);
          if (!this.stopped) arm();
        });
        this.running.add(run);
      }, job.intervalMs);
      timer.unref();
      this.timers.set(job.name, timer);
    };
    arm();
  }

  /** Runs `job` now (tests, and a first sweep an operator may want); errors are logged, not thrown. */
  async runOnce(job: JobSpec): Promise<void> {
    const started = Date.now();
    try {
      await job.run(this.abort.signal);
      this.logger.debug({ job: job.name, ms: Date.now() - started }, 'job finished');
    } catch (error) {
      this.logger.warn({ err: error, job: job.name }, 'job failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.all([...this.running]);
  }
}
