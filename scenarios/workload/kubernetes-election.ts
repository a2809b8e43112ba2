// Controller leader election on a lease, as etcd's concurrency.Election does it: each
// controller holds a lease (kept alive), campaigns with a txn that puts the leader key
// with that lease only if the key does not exist (createRevision == 0), and resigns by
// deleting the key (compared on its createRevision) or revoking the lease. The leader
// key's createRevision is the leadership's fencing token: the controller's writes compare
// it, so a deposed leader that still believes it leads cannot write.
import type { Outcome } from "../../core/client/session";
import type { EtcdRequest, EtcdResponse, KeyValue, TxnOpResponse } from "../../core/server/api";
import type { Rng } from "../../sim/rng";
import { controllerIdentity, LEADER_KEY, okResponse } from "./kubernetes-objects";

/** A controller concluding it holds leadership `token` (a successful campaign, or finding its own key). */
export interface LeadershipClaim {
  controller: number;
  token: number;
  atUs: number;
  how: "campaign" | "adopt";
}

export interface ElectorEnv {
  controller: number;
  /** Lease ids are unique per elector: this base plus a sequence number. */
  leaseIdBase: number;
  leaseTtlSeconds: number;
  nowUs(): number;
  issue(request: EtcdRequest, opType: string, done: (outcome: Outcome) => void): void;
  claim(c: LeadershipClaim): void;
  /** Whether the controller's cache shows a leader key (then it waits rather than campaigns). */
  leaderSeen(): boolean;
  rand: Rng;
}

export interface ElectorStats {
  campaigns: number;
  won: number;
  adopted: number;
  resigned: number;
  lostLease: number;
  deposed: number;
}

/** Chance per elector step that a leader resigns (so leadership moves even without faults). */
const RESIGN_CHANCE = 0.1;

export class Elector {
  readonly identity: string;
  readonly stats: ElectorStats = { campaigns: 0, won: 0, adopted: 0, resigned: 0, lostLease: 0, deposed: 0 };
  private leaseId = 0;
  private leaseSeq = 0;
  /** Until when this controller may assume its lease lives (from the last grant/keepalive it sent). */
  private leaseValidUntilUs = 0;
  private renewAtUs = 0;
  private token = 0;
  private believedUntilUs = 0;
  /** After resigning, a controller lets the others campaign first. */
  private campaignNotBeforeUs = 0;
  private lastCampaignUs = 0;

  constructor(private readonly env: ElectorEnv) {
    this.identity = controllerIdentity(env.controller);
  }

  /** The leadership this controller believes it holds right now (its fencing token), or 0. */
  leadership(): number {
    if (this.token !== 0 && this.env.nowUs() >= this.believedUntilUs) this.token = 0; // belief ran out
    return this.token;
  }

  /** The worker saw the leader key is no longer ours (a fenced write was rejected). */
  deposed(token: number): void {
    if (this.token === token && token !== 0) {
      this.token = 0;
      this.stats.deposed++;
    }
  }

  /** One election action (at most one request); `done` runs when it completes. */
  step(done: () => void): void {
    const now = this.env.nowUs();
    if (this.leaseId === 0 || now >= this.leaseValidUntilUs) return this.grant(done);
    if (now >= this.renewAtUs) return this.keepAlive(done);
    if (this.leadership() === 0) {
      // Campaign when no leader key is in sight, and now and then anyway (the cache may lag).
      const due = !this.env.leaderSeen() || now >= this.lastCampaignUs + 2 * this.env.leaseTtlSeconds * 1e6;
      return due && now >= this.campaignNotBeforeUs ? this.campaign(done) : done();
    }
    if (this.env.rand.chance(RESIGN_CHANCE)) return this.resign(done);
    done();
  }

  private grant(done: () => void): void {
    const sentUs = this.env.nowUs();
    const ID = this.env.leaseIdBase + ++this.leaseSeq;
    this.token = 0;
    this.leaseId = 0;
    this.env.issue({ type: "leaseGrant", ID, TTL: this.env.leaseTtlSeconds }, "k8s-lease-grant", (o) => {
      const r = okResponse(o, "leaseGrant");
      if (r) {
        this.leaseId = ID;
        this.extendLease(sentUs, r.TTL);
      }
      done();
    });
  }

  private extendLease(sentUs: number, ttlSeconds: number): void {
    this.leaseValidUntilUs = sentUs + ttlSeconds * 1e6;
    this.renewAtUs = sentUs + (ttlSeconds * 1e6) / 3;
    if (this.token !== 0) this.believedUntilUs = this.leaseValidUntilUs;
  }

  private keepAlive(done: () => void): void {
    const sentUs = this.env.nowUs();
    const ID = this.leaseId;
    this.env.issue({ type: "leaseKeepAlive", ID }, "k8s-lease-keepalive", (o) => {
      if (this.leaseId === ID) {
        const r = okResponse(o, "leaseKeepAlive");
        if (r && r.TTL > 0) this.extendLease(sentUs, r.TTL);
        else if (o.status === "fail" && isLeaseNotFound(o.response)) this.loseLease();
        else this.renewAtUs = this.env.nowUs() + 100_000; // try again soon
      }
      done();
    });
  }

  private loseLease(): void {
    if (this.token !== 0) this.stats.lostLease++;
    this.leaseId = 0;
    this.token = 0;
  }

  private campaign(done: () => void): void {
    const sentUs = this.env.nowUs();
    const lease = this.leaseId;
    this.stats.campaigns++;
    this.lastCampaignUs = sentUs;
    const request: EtcdRequest = {
      type: "txn",
      compare: [{ key: LEADER_KEY, target: "CREATE", result: "EQUAL", createRevision: 0 }],
      success: [{ type: "put", key: LEADER_KEY, value: this.identity, lease }],
      failure: [{ type: "range", key: LEADER_KEY }],
    };
    this.env.issue(request, "k8s-campaign", (o) => {
      const r = okResponse(o, "txn");
      if (r && this.leaseId === lease) {
        if (r.succeeded) {
          this.stats.won++;
          this.become(r.header.revision, "campaign", sentUs);
        } else {
          // Our own key (an earlier campaign whose answer was lost): we are the leader already.
          const kv = rangeKv(r.responses[0]);
          if (kv && kv.value === this.identity && kv.lease === lease) {
            this.stats.adopted++;
            this.become(kv.createRevision, "adopt", sentUs);
          }
        }
      } else if (o.status === "fail" && isLeaseNotFound(o.response)) this.loseLease();
      done();
    });
  }

  private become(token: number, how: LeadershipClaim["how"], sentUs: number): void {
    this.token = token;
    // Leadership lasts no longer than the lease as this controller knows it.
    this.believedUntilUs = Math.min(this.leaseValidUntilUs, sentUs + this.env.leaseTtlSeconds * 1e6);
    this.env.claim({ controller: this.env.controller, token, atUs: this.env.nowUs(), how });
  }

  private resign(done: () => void): void {
    const token = this.token;
    // Stop acting first: from here on this controller does not believe it leads.
    this.token = 0;
    this.stats.resigned++;
    this.campaignNotBeforeUs = this.env.nowUs() + this.env.leaseTtlSeconds * 1e6;
    if (this.env.rand.chance(0.3)) {
      // Revoking the lease deletes the leader key with it.
      const ID = this.leaseId;
      this.leaseId = 0;
      this.env.issue({ type: "leaseRevoke", ID }, "k8s-resign-revoke", () => done());
      return;
    }
    const request: EtcdRequest = {
      type: "txn",
      compare: [{ key: LEADER_KEY, target: "CREATE", result: "EQUAL", createRevision: token }],
      success: [{ type: "deleteRange", key: LEADER_KEY }],
      failure: [],
    };
    this.env.issue(request, "k8s-resign", () => done());
  }
}

function isLeaseNotFound(r: EtcdResponse): boolean {
  return "error" in r && typeof r.error === "string" && /lease not found/.test(r.error);
}

export function rangeKv(r: TxnOpResponse | undefined): KeyValue | undefined {
  return r && r.type === "range" ? r.kvs[0] : undefined;
}
