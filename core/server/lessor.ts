// Leases: the replicated part (id, granted TTL, attached keys) changes only through
// applied requests; the expiry instants are local, non-replicated beliefs of each node,
// measured on its own clock in integer µs. Only the primary (the leader's lessor) may
// call leases expired — a follower's clock and keepalive knowledge are stale.
import { assert } from "../assert";
import type { BugSet } from "../canary";
import { compareKeys } from "../mvcc/keys";
import { recordLanes, SetDigest } from "../mvcc/digest";

export interface Lease {
  ID: number;
  /** Granted TTL in seconds (after the minimum-TTL raise). */
  ttlSeconds: number;
  /** Local belief: the lease expires at this local time. */
  expiryUs: number;
  keys: Set<string>;
}

/** The replicated part of a lease, for snapshots. */
export interface LeaseSnapshot {
  ID: number;
  ttlSeconds: number;
}

const US_PER_SECOND = 1_000_000;

export class Lessor {
  private leases = new Map<number, Lease>();
  private primary = false;

  constructor(private readonly bugs: BugSet) {}

  isPrimary(): boolean {
    return this.primary;
  }

  get(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  /** Ascending ids: the only iteration order exposed. */
  ids(): number[] {
    return [...this.leases.keys()].sort((a, b) => a - b);
  }

  grant(id: number, ttlSeconds: number, nowUs: number): Lease {
    assert(!this.leases.has(id), () => `lessor: lease ${id} granted twice`);
    const l: Lease = { ID: id, ttlSeconds, expiryUs: nowUs + ttlSeconds * US_PER_SECOND, keys: new Set() };
    this.leases.set(id, l);
    return l;
  }

  /** Removes the lease; returns its keys in key order (etcd sorts them so every member deletes alike). */
  revoke(id: number): string[] {
    const l = this.leases.get(id);
    assert(l !== undefined, () => `lessor: revoke of unknown lease ${id}`);
    this.leases.delete(id);
    return [...l.keys].sort(compareKeys);
  }

  attach(id: number, key: string): void {
    const l = this.leases.get(id);
    assert(l !== undefined, () => `lessor: attach ${key} to unknown lease ${id}`);
    l.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  /** Keepalive on the primary: the lease lives another TTL from now. */
  renew(id: number, nowUs: number): Lease | undefined {
    const l = this.leases.get(id);
    if (l === undefined || l.expiryUs <= nowUs) return undefined;
    l.expiryUs = nowUs + l.ttlSeconds * US_PER_SECOND;
    return l;
  }

  /** Remaining whole seconds (truncated, as etcd), or -1 when unknown. */
  remainingSeconds(id: number, nowUs: number): number {
    const l = this.leases.get(id);
    if (l === undefined) return -1;
    return Math.max(0, Math.floor((l.expiryUs - nowUs) / US_PER_SECOND));
  }

  /**
   * Becoming leader: every lease gets its full TTL plus `extendUs` (etcd extends by an
   * election timeout) from now, since the old leader's keepalives are unknown here.
   */
  promote(nowUs: number, extendUs: number): void {
    this.primary = true;
    for (const id of this.ids()) {
      const l = this.leases.get(id)!;
      l.expiryUs = nowUs + extendUs + l.ttlSeconds * US_PER_SECOND;
    }
  }

  demote(): void {
    this.primary = false;
  }

  /**
   * Leases that this node believes expired at local time `nowUs`, ascending — the ids the
   * leader proposes revokes for. Empty on a follower (unless the lease-expire-on-follower
   * canary is on).
   */
  expired(nowUs: number): number[] {
    if (!this.primary && !this.bugs.has("lease-expire-on-follower")) return [];
    return this.ids().filter((id) => this.leases.get(id)!.expiryUs <= nowUs);
  }

  /** A digest of what snapshot() holds, in O(leases) without sorting (see MvccStore.stateDigest). */
  stateDigest(): string {
    const digest = new SetDigest();
    for (const [id, lease] of this.leases) digest.add(recordLanes([id, lease.ttlSeconds]));
    return digest.hex();
  }

  snapshot(): LeaseSnapshot[] {
    return this.ids().map((id) => ({ ID: id, ttlSeconds: this.leases.get(id)!.ttlSeconds }));
  }

  /** Rebuilds from a snapshot; attached keys are re-derived from the key space by the caller. */
  restore(leases: LeaseSnapshot[], nowUs: number): void {
    this.leases.clear();
    for (const s of leases) this.grant(s.ID, s.ttlSeconds, nowUs);
  }
}
