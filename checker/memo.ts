// The search's memo cache: a set of (linearized-operations bitset, model state) pairs.
// Bitsets live in one pooled Uint32Array and entries chain through Int32Arrays, so an
// insert allocates nothing per entry (a typed array or object per entry costs far more
// than the search step itself).
export class MemoTable<S> {
  private readonly words: number;
  private buckets: Int32Array;
  private mask: number;
  private chain: Int32Array;
  private hashes: Int32Array;
  private pool: Uint32Array;
  private states: S[] = [];
  size = 0;

  constructor(
    words: number,
    private readonly equal: (a: S, b: S) => boolean,
  ) {
    this.words = words;
    this.buckets = new Int32Array(1024).fill(-1);
    this.mask = 1023;
    this.chain = new Int32Array(1024);
    this.hashes = new Int32Array(1024);
    this.pool = new Uint32Array(1024 * words);
  }

  /** Adds (bits, state) under `hash`; returns false if it was already present. */
  add(hash: number, bits: Uint32Array, state: S): boolean {
    const words = this.words;
    for (let e = this.buckets[hash & this.mask]!; e !== -1; e = this.chain[e]!) {
      if (this.hashes[e] !== hash) continue;
      const base = e * words;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (this.pool[base + w] !== bits[w]) {
          same = false;
          break;
        }
      }
      if (same && this.equal(this.states[e]!, state)) return false;
    }
    const e = this.size++;
    if (e >= this.hashes.length) this.grow();
    this.hashes[e] = hash;
    this.pool.set(bits, e * words);
    this.states.push(state);
    const b = hash & this.mask;
    this.chain[e] = this.buckets[b]!;
    this.buckets[b] = e;
    return true;
  }

  private grow(): void {
    const capacity = this.hashes.length * 2;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const pool = new Uint32Array(capacity * this.words);
    pool.set(this.pool);
    this.pool = pool;
    this.chain = new Int32Array(capacity);
    this.buckets = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let e = 0; e < this.size - 1; e++) {
      const b = this.hashes[e]! & this.mask;
      this.chain[e] = this.buckets[b]!;
      this.buckets[b] = e;
    }
  }
}
