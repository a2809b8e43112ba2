// LeaseTimeToLive and LeaseLeases end to end on the simulated world: the leader's lessor
// answers (a follower says "not leader" and the client moves on to the leader), after a
// heartbeat round, so the answer holds every grant and revoke committed before it.
import { describe, expect, it } from "vitest";
import { ERR_NOT_LEADER } from "../../core/server/api";
import { cluster } from "./cluster.testkit";

describe("the lessor's queries", () => {
  it("TimeToLive: granted and remaining TTL, the attached keys, TTL -1 once revoked; Leases: every live lease", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    c.ok(lead, { type: "leaseGrant", ID: 7, TTL: 30 });
    c.ok(lead, { type: "leaseGrant", ID: 8, TTL: 60 });
    c.ok(lead, { type: "put", key: "b", value: "1", lease: 7 });
    c.ok(lead, { type: "put", key: "a", value: "1", lease: 7 });
    // Asked first, the follower sends the client on to the leader.
    const ttl = c.ok(follower, { type: "leaseTimeToLive", ID: 7, keys: true });
    expect(ttl).toMatchObject({ type: "leaseTimeToLive", ID: 7, grantedTTL: 30, keys: ["a", "b"] });
    expect(ttl.TTL).toBeGreaterThanOrEqual(28);
    expect(ttl.TTL).toBeLessThanOrEqual(30);
    expect(c.ok(lead, { type: "leaseLeases" }).leases).toEqual([7, 8]);
    c.ok(lead, { type: "leaseRevoke", ID: 7 });
    expect(c.ok(lead, { type: "leaseTimeToLive", ID: 7, keys: true })).toMatchObject({ ID: 7, TTL: -1, grantedTTL: 0 });
    expect(c.ok(lead, { type: "leaseLeases" }).leases).toEqual([8]);
  });

  it("a follower does not answer from its own lessor", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    c.ok(lead, { type: "leaseGrant", ID: 7, TTL: 30 });
    // The member itself, asked directly: not the leader.
    const node = c.system.node(follower)!;
    expect(node.server.leaseTimeToLive({ ID: 7 }, c.world.nowUs)).toEqual({ error: ERR_NOT_LEADER });
    expect(node.server.leaseLeases()).toEqual({ error: ERR_NOT_LEADER });
  });
});
