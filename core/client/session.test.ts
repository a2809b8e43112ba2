import { describe, expect, it } from "vitest";
import { ERR_NO_LEADER, ERR_NOT_LEADER, type EtcdResponse } from "../server/api";
import type { ClientRequestMsg } from "./protocol";
import { ClientSession, type Outcome } from "./session";

/**
 * A cluster of members answering requests by rule: `answer(member)` is what a member says.
 * Messages are delivered synchronously (a queue drained in order).
 */
function harness(members: number[], answer: (member: number) => { response: EtcdResponse; leaderHint?: number } | undefined, firstMember: number) {
  const asked: number[] = [];
  const queue: (() => void)[] = [];
  let session!: ClientSession;
  session = new ClientSession(7, members, {
    nowUs: () => 0,
    send: (to, _type, payload) => {
      const m = payload as ClientRequestMsg;
      asked.push(to);
      const a = answer(to);
      if (a) queue.push(() => session.onResponse(to, { requestId: m.requestId, response: a.response, ...(a.leaderHint ? { leaderHint: a.leaderHint } : {}) }));
    },
    setTimer: () => ({ cancelled: false }),
  }, 1_000_000, { next: () => 0, int: () => members.indexOf(firstMember) });
  const run = (): Outcome => {
    let outcome: Outcome | undefined;
    session.request({ type: "put", key: "k", value: "v" }, (o) => (outcome = o));
    while (queue.length > 0) queue.shift()!();
    return outcome!;
  };
  return { session, asked, run };
}

describe("client session: switching members", () => {
  it("follows a leader hint", () => {
    const ok: EtcdResponse = { type: "put", header: { revision: 2 } };
    const h = harness([1, 2, 3], (m) => (m === 3 ? { response: ok } : { response: { error: ERR_NOT_LEADER }, leaderHint: 3 }), 1);
    expect(h.run().status).toBe("ok");
    expect(h.asked).toEqual([1, 3]);
  });

  it("does not loop between stale members that point at each other", () => {
    // Members 2 and 3 were removed and each believes the other leads; 5 is the leader.
    const ok: EtcdResponse = { type: "put", header: { revision: 2 } };
    const stale = (m: number) => (m === 2 ? { response: { error: ERR_NOT_LEADER }, leaderHint: 3 } : m === 3 ? { response: { error: ERR_NOT_LEADER }, leaderHint: 2 } : m === 4 ? { response: { error: ERR_NO_LEADER } } : { response: ok });
    const h = harness([1, 2, 3, 4, 5], stale, 2);
    const outcomes: string[] = [];
    for (let i = 0; i < 4 && outcomes.at(-1) !== "ok"; i++) outcomes.push(h.run().status);
    expect(outcomes.at(-1)).toBe("ok");
    expect(h.asked.at(-1)).toBe(5);
  });
});

describe("client session: round-robin balancing", () => {
  it("rotate() sends each new request to the next member, wrapping around", () => {
    const ok: EtcdResponse = { type: "put", header: { revision: 2 } };
    const h = harness([1, 2, 3], () => ({ response: ok }), 2);
    for (let i = 0; i < 4; i++) {
      h.session.rotate();
      expect(h.run().status).toBe("ok");
    }
    expect(h.asked).toEqual([3, 1, 2, 3]);
  });
});
