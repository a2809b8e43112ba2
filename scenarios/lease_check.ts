// The lease check: a lease its client kept alive is not expired early. A successful grant
// or keepalive called at time c with TTL t promises the lease lives until at least c + t
// (the leader started counting when it served the call, which was after c); so does a
// TimeToLive answered with t seconds remaining (the leader found that much left when it
// served the call, after c, and a later leader restarts every lease's full TTL). The store's
// own expiry revokes (recorded as "lease-expire" operations at the moment a member decided
// the lease was dead) must not come before the latest such promise that had been returned
// by then. A keepalive sets the lease to a TTL from when it is served, even if that is
// less than was left (after a new leader's extension, or a clock that went back), so a
// TimeToLive's promise holds only until a keepalive that may have been served after it;
// that keepalive makes its own promise.
//
// Leases rest on clocks (etcd's guarantee assumes bounded drift), so clock faults in the
// plan widen the allowance by what they can legitimately take off a TTL, or add to a
// TimeToLive's answer: every jump, either way, and the fastest drift, either way, over the
// longest TTL.
import type { Scenario } from "./types";
import type { CheckOutcome } from "./checks";
import type { RecordedOp } from "./workload/history";

const US_PER_SECOND = 1_000_000;
/** Drift is given in parts per million. */
const PPM = 1_000_000;

interface LeasePromise {
  untilUs: number;
  opId: number;
  returnUs: number;
}

/**
 * µs by which clock faults of the plan may legitimately shorten a lease, or lengthen what a
 * TimeToLive says is left: a leader whose clock went back (or runs slow) counts more time
 * left than its successor, which restarts every lease's TTL, will give (seed 127 with 2
 * members at 12 rounds, run 3522: a leader's clock jumped back 1.9 s, and it answered 5 s
 * left of a 3 s lease).
 */
export function clockAllowanceUs(scenario: Scenario, ttlSecondsMax: number): number {
  let jumpUs = 0;
  let driftPpmMax = Math.max(0, ...(scenario.cluster.clockDriftPpm ?? []).map(Math.abs));
  for (const f of scenario.faults) {
    if (f.type === "clock-jump") jumpUs += Math.abs(f.deltaMs) * 1_000;
    if (f.type === "clock-drift" || f.type === "clock-skew") driftPpmMax = Math.max(driftPpmMax, Math.abs(f.ppm));
  }
  return jumpUs + Math.ceil((ttlSecondsMax * US_PER_SECOND * driftPpmMax) / PPM);
}

export function checkLeases(ops: readonly RecordedOp[], scenario: Scenario): CheckOutcome {
  const promises = new Map<number, LeasePromise[]>();
  // Until when each lease's keepalives may have been served (an open one: any time after its call).
  const keepAlivesServedBy = new Map<number, number[]>();
  for (const op of ops) {
    if (op.input.type !== "leaseKeepAlive" || op.status === "fail") continue;
    const list = keepAlivesServedBy.get(op.input.ID) ?? [];
    list.push(op.return ?? Number.POSITIVE_INFINITY);
    keepAlivesServedBy.set(op.input.ID, list);
  }
  let ttlSecondsMax = 0;
  for (const op of ops) {
    if (op.status !== "ok" || op.return === null || !op.output || "error" in op.output) continue;
    if (op.input.type !== "leaseGrant" && op.input.type !== "leaseKeepAlive" && op.input.type !== "leaseTimeToLive") continue;
    const ttl = (op.output as { TTL?: number }).TTL;
    if (typeof ttl !== "number" || ttl <= 0) continue;
    // A keepalive served after this TimeToLive may have set the lease shorter than it said.
    if (op.input.type === "leaseTimeToLive" && (keepAlivesServedBy.get(op.input.ID) ?? []).some((servedBy) => servedBy > op.call)) continue;
    ttlSecondsMax = Math.max(ttlSecondsMax, ttl);
    const list = promises.get(op.input.ID) ?? [];
    list.push({ untilUs: op.call + ttl * US_PER_SECOND, opId: op.id, returnUs: op.return });
    promises.set(op.input.ID, list);
  }
  const allowanceUs = clockAllowanceUs(scenario, ttlSecondsMax);
  const messages: string[] = [];
  let checked = 0;
  for (const op of ops) {
    // Only revokes that took effect: a deposed leader waking from a pause may decide a lease
    // is dead and propose a revoke that never commits, which harms no one.
    if (op.opType !== "lease-expire" || op.input.type !== "leaseRevoke" || op.status !== "ok") continue;
    const decidedUs = op.call;
    // Only promises the client had in hand when the member decided: one still in flight may
    // legitimately lose the race with the revoke.
    const held = (promises.get(op.input.ID) ?? []).filter((p) => p.returnUs <= decidedUs);
    if (held.length === 0) continue;
    checked++;
    const latest = held.reduce((a, b) => (b.untilUs > a.untilUs ? b : a));
    if (decidedUs + allowanceUs < latest.untilUs) {
      messages.push(
        `lease ${op.input.ID} expired early: revoke decided at ${ms(decidedUs)} ms (op ${op.id}), but op ${latest.opId} promised it alive until ${ms(latest.untilUs)} ms` +
          (allowanceUs > 0 ? ` (clock faults allow ${ms(allowanceUs)} ms)` : ""),
      );
    }
  }
  if (messages.length > 0) return { result: "fail", messages: messages.slice(0, 10) };
  if (checked === 0) return { result: "skipped", messages: ["no lease expired while its client held a keepalive"] };
  return { result: "pass", messages: [], detail: { expiriesChecked: checked, allowanceMs: ms(allowanceUs) } };
}

function ms(us: number): number {
  return Math.round(us / 1_000);
}
