import { describe, expect, it } from "vitest";
import { ERR_COMPACTED, ERR_TIMEOUT, type EtcdRequest, type EtcdResponse } from "../../core/server/api";
import type { World } from "../../sim/world";
import { checkLinearizability } from "../checks";
import { HistoryRecorder } from "./history";

/** A recorder over a world that has only a clock; ops one after another, 10 µs apart. */
function record(ops: [EtcdRequest, "ok" | "fail", EtcdResponse][]): HistoryRecorder {
  let now = 0;
  const world = { get nowUs() { return now; }, record() {} } as unknown as World;
  const rec = new HistoryRecorder(world);
  for (const [input, status, output] of ops) {
    now += 10;
    const op = rec.invoke(1, input.type, input, 1);
    now += 5;
    rec.complete(op, status, output);
  }
  return rec;
}

const put = (value: string, revision: number): [EtcdRequest, "ok", EtcdResponse] => [{ type: "put", key: "a", value }, "ok", { type: "put", header: { revision } } as EtcdResponse];
const readAt2 = (status: "fail", error: string): [EtcdRequest, "fail", EtcdResponse] => [{ type: "range", key: "a", revision: 2 }, status, { error } as EtcdResponse];

describe("the history the linearizability check gets", () => {
  it("keeps a read that failed with a definite error: a 'compacted' with no compaction is not linearizable", () => {
    const rec = record([put("1", 2), put("2", 3), readAt2("fail", ERR_COMPACTED)]);
    expect(rec.toHistoryJson().operations.map((o) => (o.input as EtcdRequest).type)).toEqual(["put", "put", "range"]);
    expect(checkLinearizability(rec).result).toBe("fail");
    // After a compaction to revision 3, the same answer is right.
    const compacted = record([put("1", 2), put("2", 3), [{ type: "compact", revision: 3 }, "ok", { type: "compact", header: { revision: 3 } } as EtcdResponse], readAt2("fail", ERR_COMPACTED)]);
    expect(checkLinearizability(compacted).result).toBe("pass");
  });

  it("leaves out a read that failed without an answer (a timeout): it proves nothing", () => {
    const rec = record([put("1", 2), put("2", 3), readAt2("fail", ERR_TIMEOUT)]);
    expect(rec.toHistoryJson().operations.map((o) => (o.input as EtcdRequest).type)).toEqual(["put", "put"]);
  });
});
