// Compact with `physical: true` (etcd's CompactionRequest.physical): the answer waits until
// the compaction is in the member's backend on disk. etcd's Compact waits for the compaction
// to run and then force-commits the backend before answering; a plain compaction is
// answered as soon as it applies, and reaches the backend with the next 100 ms batch.
// Checked from the outside: at the instant the answer reaches the client, what the
// answering member's backend file holds durably (what a crash would leave).
import { describe, expect, it } from "vitest";
import { MSG_CLIENT_REQUEST, MSG_CLIENT_RESPONSE, type ClientRequestMsg, type ClientResponseMsg } from "../../core/client/protocol";
import { isError } from "../../core/server/api";
import { decodeBackend } from "../../core/server/backend";
import { MS, cluster } from "./cluster.testkit";
import { BACKEND_FILE } from "./node";

const CLIENT_ID = 93;

/** Sends compactions to `member` and reads its durable backend as each answer arrives. */
function compactions(c: ReturnType<typeof cluster>, member: number, physical: boolean, count: number) {
  const seen: { revision: number; durableCompactRevision: number; answer: string }[] = [];
  const pending = new Map<number, number>();
  c.world.network.register(CLIENT_ID, (_from, msgType, payload) => {
    if (msgType !== MSG_CLIENT_RESPONSE) return;
    const m = payload as ClientResponseMsg;
    const durable = decodeBackend(c.world.node(member).disk.readDurable(BACKEND_FILE));
    seen.push({ revision: pending.get(m.requestId)!, durableCompactRevision: durable.mvcc.compactRevision, answer: isError(m.response) ? m.response.error : "ok" });
  });
  for (let i = 1; i <= count; i++) {
    const revision = c.ok(c.leader(), { type: "put", key: `k${i}`, value: "v" }).header.revision as number;
    pending.set(i, revision);
    const msg: ClientRequestMsg = { clientId: CLIENT_ID, requestId: i, request: { type: "compact", revision, ...(physical ? { physical: true } : {}) } };
    c.world.network.send(CLIENT_ID, member, MSG_CLIENT_REQUEST, msg, { bytes: 64, stream: true });
    c.run(500);
  }
  return seen;
}

describe("physical compaction", () => {
  for (const where of ["leader", "follower"] as const) {
    it(`sent to the ${where}: answered only once the compaction is in its backend on disk`, () => {
      const c = cluster();
      const lead = c.leader();
      const member = where === "leader" ? lead : [1, 2, 3].find((id) => id !== lead)!;
      const seen = compactions(c, member, true, 4);
      expect(seen.map((s) => s.answer)).toEqual(["ok", "ok", "ok", "ok"]);
      for (const s of seen) expect(s.durableCompactRevision, `compaction to ${s.revision}`).toBe(s.revision);
    });
  }

  it("a plain compaction is answered before its backend batch: the check above can fail", () => {
    const c = cluster();
    const seen = compactions(c, c.leader(), false, 4);
    expect(seen.map((s) => s.answer)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(seen.filter((s) => s.durableCompactRevision < s.revision).length).toBeGreaterThan(0);
  });

  it("costs a forced backend commit, not a wait for the next 100 ms batch", () => {
    const latency = (physical: boolean) => {
      const c = cluster(3, 11);
      const lead = c.leader();
      const revision = c.ok(lead, { type: "put", key: "a", value: "v" }).header.revision as number;
      c.run(300); // the put's batch is on disk: only the compaction is left to commit
      const t0 = c.world.nowUs;
      let answeredUs = 0;
      c.world.network.register(CLIENT_ID, (_from, msgType) => {
        if (msgType === MSG_CLIENT_RESPONSE) answeredUs = c.world.nowUs;
      });
      c.world.network.send(CLIENT_ID, lead, MSG_CLIENT_REQUEST, { clientId: CLIENT_ID, requestId: 1, request: { type: "compact", revision, physical } } satisfies ClientRequestMsg, { bytes: 64, stream: true });
      c.run(500);
      expect(answeredUs).toBeGreaterThan(0);
      return answeredUs - t0;
    };
    const plainUs = latency(false);
    const physicalUs = latency(true);
    console.log(`compaction answered after ${plainUs / MS} ms plain, ${physicalUs / MS} ms physical (ssd)`);
    expect(physicalUs).toBeGreaterThan(plainUs);
    // Forced, not left to the next 100 ms batch.
    expect(physicalUs - plainUs).toBeLessThan(50 * MS);
  });
});
