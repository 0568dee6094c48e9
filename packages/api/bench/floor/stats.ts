/** Percentiles and the min/median/max spread of per-repeat ratios, printed the same way by every figure. */

/** `BENCH_QUICK=1` (or `pnpm bench --quick`): fewer repeats and samples, the whole run under two minutes. */
export const QUICK = process.env.BENCH_QUICK === '1';

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export interface Figure {
  readonly name: string;
  /** How the ratio reads, e.g. "× floor time" or "× floor rate". */
  readonly unit: string;
  readonly goal: string;
  readonly ratios: number[];
  readonly notes: string[];
}

export function figure(name: string, unit: string, goal: string): Figure {
  return { name, unit, goal, ratios: [], notes: [] };
}

export function spread(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const f = (x: number | undefined) => (x ?? Number.NaN).toFixed(2);
  return `min ${f(sorted[0])}  median ${f(percentile(sorted, 50))}  max ${f(sorted.at(-1))}`;
}

export function report(figures: readonly Figure[]): string {
  const lines = ['', '== less-sync beside the floor (same run, interleaved; ratio per repeat) =='];
  for (const f of figures) {
    lines.push(`${f.name}: ${spread(f.ratios)} ${f.unit}  (goal ${f.goal}, n=${f.ratios.length})`);
    for (const note of f.notes) lines.push(`    ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

export const ms = (x: number): string => `${x.toFixed(2)} ms`;
