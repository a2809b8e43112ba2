import { describe, expect, it } from "vitest";
import type { StoreEvent } from "../checker/watch";
import type { KeyValue } from "../core/server/api";
import { checkKubernetes } from "./checks-kubernetes";
import type { FencedWrite, KubernetesRecord } from "./workload/kubernetes";
import type { LeadershipClaim } from "./workload/kubernetes-election";
import type { CacheSnapshot } from "./workload/kubernetes-informer";
import { controllerIdentity, keySpaceText, LEADER_KEY } from "./workload/kubernetes-objects";

const POD = "/registry/pods/default/obj-0";
const CM = "/registry/configmaps/default/obj-1";

function kv(key: string, createRevision: number, modRevision: number, version: number, value: string, lease = 0): KeyValue {
  return { key, createRevision, modRevision, version, value, lease };
}
const put = (revision: number, k: KeyValue): StoreEvent => ({ revision, type: "PUT", kv: k });
const del = (revision: number, key: string): StoreEvent => ({ revision, type: "DELETE", kv: kv(key, 0, revision, 0, "") });

/**
 * A store history: controller 0 leads (leader key created at 2), writes a pod at 3, resigns
 * (delete at 4); controller 1 leads from 5 and writes a configmap at 6 and the pod at 7.
 * Revision 8 is a key outside the registry.
 */
const EVENTS: StoreEvent[] = [
  put(2, kv(LEADER_KEY, 2, 2, 1, controllerIdentity(0), 7)),
  put(3, kv(POD, 3, 3, 1, "a")),
  del(4, LEADER_KEY),
  put(5, kv(LEADER_KEY, 5, 5, 1, controllerIdentity(1), 8)),
  put(6, kv(CM, 6, 6, 1, "b")),
  put(7, kv(POD, 3, 7, 2, "c")),
  put(8, kv("probe", 8, 8, 1, "p")),
];

/** The registry at each revision, as a correct cache would hold it. */
function storeText(revision: number): string {
  const state = new Map<string, KeyValue>();
  for (const e of EVENTS) {
    if (e.revision > revision || !e.kv.key.startsWith("/registry/")) continue;
    if (e.type === "PUT") state.set(e.kv.key, e.kv);
    else state.delete(e.kv.key);
  }
  return keySpaceText(state.values());
}

function fenced(controller: number, token: number, revision: number, key: string, value: string, opId: number): FencedWrite {
  return { controller, token, opId, action: "update", key, value, outcome: "committed", revision };
}

function record(parts: { snapshots?: CacheSnapshot[]; fencedWrites?: FencedWrite[]; claims?: LeadershipClaim[] }): KubernetesRecord {
  return { controllers: 2, snapshots: parts.snapshots ?? [], fencedWrites: parts.fencedWrites ?? [], claims: parts.claims ?? [], stats: () => ({}) as never };
}

const goodSnapshots = (): CacheSnapshot[] => [2, 3, 5, 7, 8].flatMap((revision) => [0, 1].map((controller) => ({ controller, revision, atUs: revision * 1_000, text: storeText(revision) })));
const goodWrites = (): FencedWrite[] => [fenced(0, 2, 3, POD, "a", 10), fenced(1, 5, 6, CM, "b", 11), fenced(1, 5, 7, POD, "c", 12)];
const goodClaims = (): LeadershipClaim[] => [
  { controller: 0, token: 2, atUs: 2_000, how: "campaign" },
  { controller: 1, token: 5, atUs: 5_000, how: "campaign" },
];

describe("checkKubernetes", () => {
  it("passes a consistent record and counts what it compared", () => {
    const out = checkKubernetes(record({ snapshots: goodSnapshots(), fencedWrites: goodWrites(), claims: goodClaims() }), EVENTS);
    expect(out.messages).toEqual([]);
    expect(out.result).toBe("pass");
    expect(out.detail).toMatchObject({ snapshotsChecked: 10, fencedWritesChecked: 3, leaderships: 2, oracleCoveredRevision: 8 });
  });

  it("is skipped without a kubernetes workload and unknown with nothing to compare", () => {
    expect(checkKubernetes(undefined, EVENTS).result).toBe("skipped");
    expect(checkKubernetes(record({}), EVENTS).result).toBe("unknown");
  });

  it("fails when a cache differs from the store at its revision", () => {
    const snapshots = goodSnapshots();
    // Controller 1 claims to have seen revision 7 but still holds the pod as of revision 3.
    snapshots.push({ controller: 1, revision: 7, atUs: 7_500, text: storeText(6) });
    const out = checkKubernetes(record({ snapshots }), EVENTS);
    expect(out.result).toBe("fail");
    expect(out.messages[0]).toMatch(/controller 1's cache at revision 7 .*differs from the store: cache has \[.*obj-0 c3 m3 v1 l0 =a\], store has \[.*obj-0 c3 m7 v2 l0 =c\]/);
  });

  it("fails when a fenced write committed while another controller held the leader key", () => {
    // Controller 0 still believes in leadership 2 and its write lands at 7, while 1 leads.
    const writes = [fenced(0, 2, 3, POD, "a", 10), fenced(0, 2, 7, POD, "c", 12)];
    const out = checkKubernetes(record({ snapshots: goodSnapshots(), fencedWrites: writes }), EVENTS);
    expect(out.result).toBe("fail");
    expect(out.messages.join("\n")).toMatch(/controller 0's update of \/registry\/pods\/default\/obj-0 \(op 12\) fenced by leadership 2 committed at revision 7, but the leader key was createRevision 5 held by controller-1/);
  });

  it("fails when writes of two leaderships interleave, even where the oracle has a gap", () => {
    // Revision 5 is missing from the oracle: nothing from 5 on can be compared with the store,
    // but the order of the fenced writes alone shows two leaders at once.
    const events = EVENTS.filter((e) => e.revision !== 5);
    const writes = [fenced(0, 2, 3, POD, "a", 10), fenced(1, 5, 6, CM, "b", 11), fenced(0, 2, 7, POD, "c", 12)];
    const out = checkKubernetes(record({ snapshots: goodSnapshots(), fencedWrites: writes }), events);
    expect(out.result).toBe("fail");
    expect(out.detail?.snapshotsUnchecked).toBe(6);
    expect(out.messages.join("\n")).toMatch(/two leaders at once: controller 0's write under leadership 2 \(op 12, revision 7\) came after controller 1's under leadership 5 \(op 11, revision 6\)/);
  });

  it("finds an unknown-outcome fenced write in the store by its value", () => {
    // Controller 0's update timed out, but the store applied it at 7 — under leadership 5.
    const writes: FencedWrite[] = [fenced(0, 2, 3, POD, "a", 10), { controller: 0, token: 2, opId: 12, action: "update", key: POD, value: "c", outcome: "unknown" }];
    const out = checkKubernetes(record({ snapshots: goodSnapshots(), fencedWrites: writes }), EVENTS);
    expect(out.result).toBe("fail");
    expect(out.messages.join("\n")).toMatch(/op 12\) fenced by leadership 2 committed at revision 7/);
    // Never applied: nothing to check.
    writes[1] = { ...writes[1]!, value: "never-written" };
    expect(checkKubernetes(record({ snapshots: goodSnapshots(), fencedWrites: writes }), EVENTS).result).toBe("pass");
  });

  it("fails when two controllers claim one leadership, or a claim does not match the leader key", () => {
    const twice = checkKubernetes(record({ snapshots: goodSnapshots(), claims: [...goodClaims(), { controller: 0, token: 5, atUs: 6_000, how: "adopt" }] }), EVENTS);
    expect(twice.result).toBe("fail");
    expect(twice.messages.join("\n")).toMatch(/controllers 1 and 0 both claimed the leadership with createRevision 5/);
    const wrong = checkKubernetes(record({ snapshots: goodSnapshots(), claims: [{ controller: 1, token: 2, atUs: 2_000, how: "campaign" }] }), EVENTS);
    expect(wrong.result).toBe("fail");
    expect(wrong.messages[0]).toMatch(/controller 1 claimed the leadership with createRevision 2, but at that revision the leader key was createRevision 2 held by controller-0/);
  });
});
