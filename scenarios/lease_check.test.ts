import { describe, expect, it } from "vitest";
import { checkLeases, clockAllowanceUs } from "./lease_check";
import { DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type FaultStep, type Scenario } from "./types";
import type { RecordedOp } from "./workload/history";

const scenario = (faults: FaultStep[] = []): Scenario => ({ name: "t", description: "", cluster: DEFAULT_CLUSTER, workload: DEFAULT_WORKLOAD, faults, durationMs: 10_000, checks: ["leases"] });

let nextId = 0;
function op(fields: Partial<RecordedOp> & Pick<RecordedOp, "input" | "call">): RecordedOp {
  return { id: nextId++, client: 100, opType: fields.input.type, output: null, return: null, status: "ok", linearizable: true, ...fields };
}
const grant = (call: number, ret: number, TTL: number) => op({ input: { type: "leaseGrant", ID: 7, TTL }, call, return: ret, output: { type: "leaseGrant", header: { revision: 1 }, ID: 7, TTL } as never });
const keepAlive = (call: number, ret: number, TTL: number) => op({ input: { type: "leaseKeepAlive", ID: 7 }, call, return: ret, output: { type: "leaseKeepAlive", header: { revision: 1 }, ID: 7, TTL } as never });
const expire = (call: number, status: RecordedOp["status"] = "ok") => op({ opType: "lease-expire", client: 10_000, input: { type: "leaseRevoke", ID: 7 }, call, return: call + 1_000, status, output: status === "ok" ? ({ type: "leaseRevoke", header: { revision: 2 } } as never) : null });

describe("lease check", () => {
  it("passes an expiry after the last keepalive's TTL", () => {
    const r = checkLeases([grant(0, 1_000, 2), keepAlive(1_500_000, 1_600_000, 2), expire(3_600_000)], scenario());
    expect(r.result).toBe("pass");
  });

  it("fails an expiry before the TTL of a keepalive the client already held", () => {
    const r = checkLeases([grant(0, 1_000, 2), keepAlive(1_500_000, 1_600_000, 2), expire(2_100_000)], scenario());
    expect(r.result).toBe("fail");
    expect(r.messages[0]).toMatch(/lease 7 expired early: revoke decided at 2100 ms .* alive until 3500 ms/);
  });

  it("a TimeToLive answer promises the time it reports left; a lease it reports gone promises nothing", () => {
    const timeToLive = (call: number, ret: number, TTL: number) => op({ input: { type: "leaseTimeToLive", ID: 7 }, call, return: ret, output: { type: "leaseTimeToLive", header: { revision: 1 }, ID: 7, TTL, grantedTTL: TTL > 0 ? 5 : 0 } as never });
    // Granted for 2 s at 0; at 1.5 s the leader still had 3 s left (a new leader restarted it).
    expect(checkLeases([grant(0, 1_000, 2), timeToLive(1_500_000, 1_600_000, 3), expire(3_000_000)], scenario()).result).toBe("fail");
    expect(checkLeases([grant(0, 1_000, 2), timeToLive(1_500_000, 1_600_000, 3), expire(4_600_000)], scenario()).result).toBe("pass");
    expect(checkLeases([grant(0, 1_000, 2), timeToLive(1_500_000, 1_600_000, -1), expire(2_100_000)], scenario()).result).toBe("pass");
  });

  it("a TimeToLive promises nothing past a keepalive that may have been served after it (which sets a TTL from then)", () => {
    const timeToLive = (call: number, ret: number, TTL: number) => op({ input: { type: "leaseTimeToLive", ID: 7 }, call, return: ret, output: { type: "leaseTimeToLive", header: { revision: 1 }, ID: 7, TTL, grantedTTL: 2 } as never });
    // Campaign seed 60, run 3048: the leader's clock went back, so it reported more left
    // than the TTL; the next keepalive set the lease to a TTL from then, and it expired then.
    const story = (keepAliveOp: RecordedOp) => checkLeases([grant(0, 1_000, 2), timeToLive(1_000_000, 1_100_000, 3), keepAliveOp, expire(3_300_000)], scenario());
    expect(story(keepAlive(1_200_000, 1_300_000, 2)).result).toBe("pass");
    // Timed out, it may still have been served.
    expect(story(op({ input: { type: "leaseKeepAlive", ID: 7 }, call: 1_200_000, status: "unknown" })).result).toBe("pass");
    // One that returned before the TimeToLive was called changes nothing: that promise holds.
    const r = checkLeases([grant(0, 1_000, 2), keepAlive(500_000, 900_000, 2), timeToLive(1_000_000, 1_100_000, 3), expire(3_300_000)], scenario());
    expect(r.result).toBe("fail");
    expect(r.messages[0]).toMatch(/alive until 4000 ms/);
  });

  it("ignores a keepalive still in flight when the expiry was decided", () => {
    const r = checkLeases([grant(0, 1_000, 2), keepAlive(1_900_000, 2_300_000, 2), expire(2_100_000)], scenario());
    expect(r.result).toBe("pass");
  });

  it("allows what a clock that went back (or runs slow) can add to a TimeToLive's answer", () => {
    // Seed 127 with 2 members at 12 rounds, run 3522: a new leader's clock jumped back 1.9 s;
    // it answered 5 s left of a 3 s lease, and the next leader restarted the lease's TTL.
    const timeToLive = (call: number, ret: number, TTL: number) => op({ input: { type: "leaseTimeToLive", ID: 7 }, call, return: ret, output: { type: "leaseTimeToLive", header: { revision: 1 }, ID: 7, TTL, grantedTTL: 3 } as never });
    const back: FaultStep[] = [{ atMs: 10, type: "clock-jump", node: 2, deltaMs: -1_936 }];
    const slow: FaultStep[] = [{ atMs: 10, type: "clock-drift", node: 2, ppm: -200_000 }];
    expect(clockAllowanceUs(scenario(back), 3)).toBe(1_936_000);
    expect(clockAllowanceUs(scenario(slow), 3)).toBe(600_000);
    const story = [grant(0, 1_000, 3), timeToLive(1_200_000, 1_300_000, 5), expire(5_900_000)];
    expect(checkLeases(story, scenario()).result).toBe("fail");
    expect(checkLeases(story, scenario(back)).result).toBe("pass");
  });

  it("allows what clock faults can take off a TTL", () => {
    const faults: FaultStep[] = [{ atMs: 10, type: "clock-jump", node: 1, deltaMs: 500 }, { atMs: 10, type: "clock-drift", node: 2, ppm: 100_000 }];
    expect(clockAllowanceUs(scenario(faults), 2)).toBe(500_000 + 200_000);
    const early = [grant(0, 1_000, 2), keepAlive(1_500_000, 1_600_000, 2), expire(2_900_000)];
    expect(checkLeases(early, scenario()).result).toBe("fail");
    expect(checkLeases(early, scenario(faults)).result).toBe("pass");
  });

  it("ignores a revoke that never took effect (a deposed leader's, say)", () => {
    const r = checkLeases([grant(0, 1_000, 2), keepAlive(1_500_000, 1_600_000, 2), expire(2_100_000, "unknown")], scenario());
    expect(r.result).toBe("skipped");
  });

  it("is skipped with no expiry to judge", () => {
    expect(checkLeases([grant(0, 1_000, 2)], scenario()).result).toBe("skipped");
  });
});
