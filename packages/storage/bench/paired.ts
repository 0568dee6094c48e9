/**
 * Load-robust A/B timing: the variants run interleaved, round after round, and each is reported by
 * its median. The machine's load drifts during a run; interleaving lets both sides see the same drift.
 */
export interface PairedResult {
  readonly name: string;
  readonly medianMs: number;
  readonly p90Ms: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function paired(
  variants: Record<string, () => Promise<unknown>>,
  options: { rounds: number; perRound: number; warmupRounds?: number },
): Promise<PairedResult[]> {
  const names = Object.keys(variants);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  const total = (options.warmupRounds ?? 2) + options.rounds;
  for (let round = 0; round < total; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const run = variants[name] as () => Promise<unknown>;
      for (let i = 0; i < options.perRound; i += 1) {
        const start = performance.now();
        await run();
        if (round >= (options.warmupRounds ?? 2)) samples.get(name)?.push(performance.now() - start);
      }
    }
  }
  return names.map((name) => {
    const sorted = (samples.get(name) ?? []).sort((a, b) => a - b);
    return { name, medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
  });
}

export function report(title: string, results: PairedResult[], rows?: number): string {
  const [ours, floor] = results;
  const lines = results.map(
    (r) =>
      `  ${r.name.padEnd(10)} median ${r.medianMs.toFixed(3)} ms  p90 ${r.p90Ms.toFixed(3)} ms` +
      (rows ? `  ${Math.round((rows / r.medianMs) * 1000).toLocaleString('en-US')} rows/s` : ''),
  );
  const ratio = ours && floor ? ours.medianMs / floor.medianMs : Number.NaN;
  return `${title}\n${lines.join('\n')}\n  storage/floor time ratio ${ratio.toFixed(2)}×${rows ? ` (rows/s ratio ${(1 / ratio).toFixed(2)}×)` : ''}\n`;
}
