// An order-independent digest of a set of records, kept up to date as records come and go
// (a sum of per-record hashes, in two 32-bit lanes): the harness compares replicas' state at
// every applied index, and recomputing a digest over the whole store each time would cost
// as much as the store is large (etcd's own HashKV walks the whole backend; it runs seldom).
import { fmix32 } from "../mix";

const FNV_PRIME = 0x01000193;
const LANE_A_SEED = 0x811c9dc5;
const LANE_B_SEED = 0x9747b28c;
const TWO_POW_32 = 0x1_0000_0000;

/** Hash state `h` extended by `s` (its length too, so "ab"+"c" and "a"+"bc" differ). */
export function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ s.length, FNV_PRIME);
}

/** Hash state `h` extended by a non-negative integer below 2^53 (both 32-bit halves). */
export function hashInteger(h: number, n: number): number {
  h = Math.imul(h ^ (n % TWO_POW_32), FNV_PRIME);
  return Math.imul(h ^ Math.floor(n / TWO_POW_32), FNV_PRIME);
}

/** A record's hash in both lanes: `fields` alternate strings and integers as the caller lays them out. */
export function recordLanes(fields: readonly (string | number)[]): [number, number] {
  let a = LANE_A_SEED;
  let b = LANE_B_SEED;
  for (const f of fields) {
    if (typeof f === "string") {
      a = hashString(a, f);
      b = hashString(b, f);
    } else {
      a = hashInteger(a, f);
      b = hashInteger(b, f);
    }
  }
  return [fmix32(a), fmix32(b ^ LANE_A_SEED)];
}

/** The sum of the hashes of the records present: adding and removing one are O(1). */
export class SetDigest {
  private a = 0;
  private b = 0;

  add([a, b]: readonly [number, number]): void {
    this.a = (this.a + a) >>> 0;
    this.b = (this.b + b) >>> 0;
  }

  remove([a, b]: readonly [number, number]): void {
    this.a = (this.a - a) >>> 0;
    this.b = (this.b - b) >>> 0;
  }

  /** 16 hex digits. */
  hex(): string {
    return this.a.toString(16).padStart(8, "0") + this.b.toString(16).padStart(8, "0");
  }
}
