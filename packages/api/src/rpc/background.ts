import type { ApiLogger } from '../deps.js';

/**
 * Work that runs after a response (blob deletion after a tombstone push, R19). Failures are logged, never
 * thrown at a client. `idle()` lets shutdown and tests wait for what is in flight; the set only holds
 * running tasks, so it stays bounded by the work actually started.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: ApiLogger) {}

  get pending(): number {
    return this.running.size;
  }

  run(what: string, task: () => Promise<void>): void {
    const promise = (async () => {
      try {
        await task();
      } catch (err) {
        this.logger.warn({ err, task: what }, 'background task failed');
      }
    })();
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  /** Resolves once every task started so far (and any they started) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
