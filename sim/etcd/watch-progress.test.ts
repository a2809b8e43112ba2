// WatchProgressRequest end to end on the simulated world: a watcher asks the member that
// holds its stream, and the member answers on that stream, after the events it has not sent
// yet, with its current revision: every event up to that revision has been sent.
import { describe, expect, it } from "vitest";
import { MSG_WATCH_CREATE, MSG_WATCH_PROGRESS, MSG_WATCH_RESPONSE, type WatchCreateMsg, type WatchProgressMsg } from "../../core/client/protocol";
import type { WatchResponse } from "../../core/server/api";
import { cluster } from "./cluster.testkit";
import type { WatchStreamMsg } from "./node";

const WATCH_CLIENT_ID = 91;

function watchClient(c: ReturnType<typeof cluster>) {
  const received: { watcherId: number; response: WatchResponse }[] = [];
  c.world.network.register(WATCH_CLIENT_ID, (_from, msgType, payload) => {
    if (msgType === MSG_WATCH_RESPONSE) received.push(payload as WatchStreamMsg);
  });
  const send = (member: number, type: string, msg: WatchCreateMsg | WatchProgressMsg) => c.world.network.send(WATCH_CLIENT_ID, member, type, msg, { bytes: 64, stream: true });
  return {
    received,
    create: (member: number, watcherId: number, key: string) => send(member, MSG_WATCH_CREATE, { clientId: WATCH_CLIENT_ID, watcherId, request: { key, rangeEnd: `${key}\xff` } }),
    progress: (member: number, watcherId: number) => send(member, MSG_WATCH_PROGRESS, { clientId: WATCH_CLIENT_ID, watcherId }),
    progressOf: (watcherId: number) => received.filter((r) => r.watcherId === watcherId && !r.response.created && r.response.events.length === 0),
  };
}

describe("watch progress requests", () => {
  it("a follower answers on the asking stream only, with its current revision, after every event", () => {
    const c = cluster();
    const lead = c.leader();
    const follower = [1, 2, 3].find((id) => id !== lead)!;
    const w = watchClient(c);
    w.create(follower, 1, "a");
    w.create(follower, 2, "b");
    c.run(200);
    for (let i = 0; i < 3; i++) c.ok(lead, { type: "put", key: `a${i}`, value: "v" });
    const last = c.ok(lead, { type: "put", key: "c", value: "v" }).header.revision as number;
    c.run(200);
    // Neither watch asked for periodic progress: nothing yet.
    expect(w.progressOf(1)).toEqual([]);
    w.progress(follower, 1);
    c.run(200);
    const answers = w.progressOf(1);
    expect(answers.map((r) => r.response.header.revision)).toEqual([last]);
    const order = w.received.filter((r) => r.watcherId === 1).map((r) => (r.response.events.length > 0 ? `events@${r.response.header.revision}` : r.response.created ? "created" : `progress@${r.response.header.revision}`));
    expect(order).toEqual(["created", `events@${last - 3}`, `events@${last - 2}`, `events@${last - 1}`, `progress@${last}`]);
    // The other stream on the same member was not asked.
    expect(w.progressOf(2)).toEqual([]);
  });

  it("a member that does not hold the stream answers nothing", () => {
    const c = cluster();
    const lead = c.leader();
    const [m1, m2] = [1, 2, 3].filter((id) => id !== lead) as [number, number];
    const w = watchClient(c);
    w.create(m1, 1, "a");
    c.run(200);
    w.progress(m2, 1); // the stream lives on m1
    w.progress(m1, 9); // no such watcher
    c.run(500);
    expect(w.progressOf(1)).toEqual([]);
    expect(w.received.some((r) => r.watcherId === 9)).toBe(false);
  });
});
