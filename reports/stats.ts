// Order statistics shared by the reports: percentiles, summaries and CDF points. Pure
// functions of their inputs (virtual-time measurements), so a seed fixes every number.

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending values by linear interpolation between the
 * closest ranks (numpy's default), so the median of [1, 2] is 1.5. NaN when empty.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`stats: quantile must be in [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

export function summarize(values: readonly number[]): LatencySummary {
  const s = Float64Array.from(values).sort();
  if (s.some((v) => Number.isNaN(v))) throw new Error("stats: NaN in the input");
  return {
    p50: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    p999: quantile(s, 0.999),
    max: s.length ? s[s.length - 1]! : Number.NaN,
    mean: mean(s),
    count: s.length,
  };
}

/**
 * Points of the empirical CDF: [value, fraction of samples ≤ value], at most maxPoints of
 * them, always keeping the first and last sample so the tail (the interesting part of a
 * latency CDF) is exact at its end.
 */
export function cdfPoints(values: readonly number[], maxPoints = 400): [number, number][] {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return [];
  const out: [number, number][] = [];
  const step = Math.max(1, Math.ceil(n / maxPoints));
  for (let i = step - 1; i < n - 1; i += step) out.push([s[i]!, (i + 1) / n]);
  if (n > 1) out.unshift([s[0]!, 1 / n]);
  out.push([s[n - 1]!, 1]);
  return out;
}

/** Rounds for display and JSON: enough digits for ms figures, none of the float noise. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
