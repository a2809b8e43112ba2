// Seeds of a campaign. Run i of campaign seed S has its own seed, a hash of (S, i): any run
// can be computed alone, so runs spread over workers or machines (shards) give exactly the
// results of one sequential campaign.
import { fmix32 } from "../../core/mix";
import { assert } from "../../core/assert";

/** The seed of run `index` of a campaign: a positive 31-bit integer (fast-check and the sim take it). */
export function runSeed(campaignSeed: number, index: number): number {
  assert(Number.isSafeInteger(campaignSeed) && Number.isSafeInteger(index) && index >= 0, `bad campaign seed ${campaignSeed} / index ${index}`);
  const lo = campaignSeed >>> 0;
  const hi = Math.floor(campaignSeed / 2 ** 32) >>> 0;
  const h = fmix32(fmix32(fmix32(lo ^ 0x9e3779b9) ^ hi) ^ Math.imul(index + 1, 0x27d4eb2f));
  return (h & 0x7fffffff) || 1;
}

export interface Shard {
  /** 0-based shard index, < count. */
  index: number;
  count: number;
}

/** How many of a campaign's `runs` runs belong to a shard (round-robin: run i to shard i mod N). */
export function shardRunCount(runs: number, shard: Shard = { index: 0, count: 1 }): number {
  assert(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count, `bad shard ${shard.index}/${shard.count}`);
  return Math.max(0, Math.ceil((runs - shard.index) / shard.count));
}

/** The campaign run index of a shard's `position`-th run. */
export function shardRunIndex(position: number, shard: Shard = { index: 0, count: 1 }): number {
  return shard.index + position * shard.count;
}

/** The run indices of a campaign of `runs` runs that belong to a shard (round-robin). */
export function shardIndices(runs: number, shard: Shard = { index: 0, count: 1 }): number[] {
  return Array.from({ length: shardRunCount(runs, shard) }, (_, p) => shardRunIndex(p, shard));
}

/** Parses "I/N" (0 ≤ I < N); returns undefined when malformed. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}
