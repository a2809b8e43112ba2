import { describe, expect, it } from "vitest";
import { MSG_CLIENT_REQUEST, MSG_CLIENT_RESPONSE } from "../../core/client/protocol";
import { WAL_FILE } from "../../sim/host/wal";
import type { TraceEvent } from "../../sim/trace/types";
import { overlappedLeaderFsyncUs, PHASE_KEYS, PhaseTracker } from "./phases";

const CLIENT = 100;
const LEADER = 1;
let msgId = 1;
const deliver = (tUs: number, sentUs: number, from: number, to: number, msgType: string): TraceEvent => ({ type: "deliver", tUs, sentUs, from, to, msgType, msgId: msgId++ });
const send = (tUs: number, from: number, to: number, msgType: string): TraceEvent => ({ type: "send", tUs, from, to, msgType, msgId: msgId++ });
const synced = (tUs: number, node: number, latencyUs: number, file = WAL_FILE): TraceEvent => ({ type: "fsync-end", tUs, node, file, latencyUs, ok: true });

describe("PhaseTracker", () => {
  it("splits a put into network, leader fsync, replication round with the acking follower's fsync, and reply; the phases add up", () => {
    const t = new PhaseTracker(CLIENT, LEADER);
    t.begin(1_000);
    const events: TraceEvent[] = [
      deliver(1_200, 1_000, CLIENT, LEADER, MSG_CLIENT_REQUEST),
      synced(2_100, LEADER, 800), // waited 100 µs behind another fsync, then 800 µs
      deliver(2_350, 2_100, LEADER, 2, "app"),
      deliver(2_330, 2_100, LEADER, 3, "app"),
      synced(3_000, 3, 670),
      deliver(3_220, 3_000, 3, LEADER, "app-resp"), // the quorum ack
      send(3_220, LEADER, CLIENT, MSG_CLIENT_RESPONSE),
      synced(3_400, 2, 1_050),
      deliver(3_600, 3_400, 2, LEADER, "app-resp"), // late, not on the path
      deliver(3_450, 3_220, LEADER, CLIENT, MSG_CLIENT_RESPONSE),
    ];
    for (const e of events) t.observe(e);
    const p = t.end(3_450);
    expect(p).toMatchObject({ totalUs: 2_450, clientNetInUs: 200, serverBeforeRoundUs: 900, leaderFsyncUs: 800, peerNetOutUs: 230, followerUs: 670, followerFsyncUs: 670, peerNetBackUs: 220, serverAfterRoundUs: 0, clientNetOutUs: 230, round: true });
    expect(PHASE_KEYS.reduce((a, k) => a + p[k], 0)).toBe(p.totalUs);
    // etcd's leader replicates while it fsyncs: max(900, 230 + 670 + 220) instead of the sum.
    expect(overlappedLeaderFsyncUs(p)).toBe(200 + 1_120 + 0 + 230);
  });

  it("a serializable read has no round: network in, server, network out", () => {
    const t = new PhaseTracker(CLIENT, LEADER);
    t.begin(0);
    // A heartbeat exchange that does not end before the reply is not on the path.
    for (const e of [deliver(240, 0, CLIENT, LEADER, MSG_CLIENT_REQUEST), send(240, LEADER, CLIENT, MSG_CLIENT_RESPONSE), deliver(300, 100, LEADER, 2, "heartbeat"), deliver(470, 240, LEADER, CLIENT, MSG_CLIENT_RESPONSE)]) t.observe(e);
    const p = t.end(470);
    expect(p).toMatchObject({ round: false, clientNetInUs: 240, serverAfterRoundUs: 0, clientNetOutUs: 230, peerNetOutUs: 0 });
    expect(overlappedLeaderFsyncUs(p)).toBe(p.totalUs);
    expect(t.requests).toHaveLength(1);
  });

  it("refuses a request whose reply it never saw (the trace and the client disagree)", () => {
    const t = new PhaseTracker(CLIENT, LEADER);
    t.begin(0);
    t.observe(deliver(240, 0, CLIENT, LEADER, MSG_CLIENT_REQUEST));
    expect(() => t.end(500)).toThrow(/not all seen/);
  });
});
