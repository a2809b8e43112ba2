// The only source of randomness core/ may use. It is injected by the host (sim/rng gives
// a named, seeded stream), so core stays a pure function of its inputs.
export interface Rand {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [minIncl, maxExcl). */
  int(minIncl: number, maxExcl: number): number;
}
