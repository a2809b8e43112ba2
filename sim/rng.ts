// Seeded randomness split into named streams. Each stream is derived from (seed, name),
// so a new consumer never shifts the numbers another one draws: replay and shrinking stay
// stable as code changes.
import seedrandom from "seedrandom";
import { assert } from "../core/assert";
import type { Rand } from "../core/rand";

export class Rng implements Rand {
  private readonly prng: seedrandom.PRNG;

  constructor(seedText: string) {
    // alea: fast and good enough for simulation; seeded from text.
    this.prng = seedrandom.alea(seedText);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [minIncl, maxExcl). */
  int(minIncl: number, maxExcl: number): number {
    assert(maxExcl > minIncl, () => `empty int range [${minIncl}, ${maxExcl})`);
    return minIncl + Math.floor(this.prng() * (maxExcl - minIncl));
  }

  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.prng() * (max - min);
  }

  chance(probability: number): boolean {
    return probability > 0 && this.prng() < probability;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.prng();
    const v = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal given its median and 99th percentile (both > 0, p99 ≥ median). */
  lognormal(median: number, p99: number): number {
    if (median !== this.lnMedian || p99 !== this.lnP99) {
      // Callers draw from one profile over and over (a link's latency, a disk's fsync):
      // keep its parameters instead of taking two logarithms per draw. Same numbers.
      assert(median > 0 && p99 >= median, () => `lognormal needs 0 < median ≤ p99, got ${median}, ${p99}`);
      this.lnMedian = median;
      this.lnP99 = p99;
      this.lnMu = Math.log(median);
      this.lnSigma = (Math.log(p99) - this.lnMu) / Z_P99;
    }
    return Math.exp(this.lnMu + this.lnSigma * this.normal());
  }

  private lnMedian = Number.NaN;
  private lnP99 = Number.NaN;
  private lnMu = 0;
  private lnSigma = 0;

  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, "pick from an empty list");
    return items[this.int(0, items.length)]!;
  }

  /** Fisher–Yates, returns a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** z-score of the 99th percentile of the standard normal. */
export const Z_P99 = 2.3263478740408408;

export class RngStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {}

  /** The stream for this name; the same object on every call. */
  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = new Rng(`raftsim:${this.seed}:${name}`);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
