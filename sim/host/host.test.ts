// The Raft host on the simulated world: elections over the network, replication through
// the WAL with fsync, crash/restart recovery from disk, torn WAL tails.
import { describe, expect, it } from "vitest";
import { decodeWal, WAL_FILE, WalEncoder } from "./wal";
import { buildRaftWorld } from "./testkit";
import type { HashListStateMachine } from "./state_machine";

const MS = 1_000;
const enc = (s: string) => new TextEncoder().encode(s);

function leaders(system: ReturnType<typeof buildRaftWorld>["system"]): number[] {
  return [...system.hosts.keys()].filter((id) => system.host(id)?.isLeader());
}

describe("WAL", () => {
  it("round-trips records and stops at a torn or corrupt tail", () => {
    const e = new WalEncoder()
      .entry({ index: 1, term: 1, type: "normal", data: enc("a") })
      .entry({ index: 2, term: 1, type: "normal", data: enc("b") })
      .hardState({ term: 1, vote: 2, commit: 1 })
      .entry({ index: 2, term: 2, type: "normal", data: enc("c") }) // overwrites index 2
      .bytes();
    const st = decodeWal(e);
    expect(st.entries.map((x) => [x.index, x.term])).toEqual([[1, 1], [2, 2]]);
    expect(st.hardState).toEqual({ term: 1, vote: 2, commit: 1 });
    const torn = decodeWal(e.slice(0, e.length - 3));
    expect(torn.entries.map((x) => [x.index, x.term])).toEqual([[1, 1], [2, 1]]);
    expect(torn.validBytes).toBeLessThan(e.length - 3);
    const flipped = e.slice();
    flipped[10] = flipped[10]! ^ 1;
    expect(decodeWal(flipped).records).toBe(0);
  });
});

describe("RaftHost on the simulated world", () => {
  it("elects a leader, replicates proposals to every state machine, survives a leader partition", () => {
    const { world, system } = buildRaftWorld({ seed: 7, nodes: 3 });
    world.scheduler.runUntil(3_000 * MS);
    const l1 = leaders(system);
    expect(l1.length).toBe(1);
    const results: boolean[] = [];
    for (let i = 0; i < 10; i++) system.host(l1[0]!)!.propose(enc(`v${i}`), (r) => results.push(r.ok));
    world.scheduler.runUntil(4_000 * MS);
    expect(results).toEqual(Array(10).fill(true));
    for (const id of [1, 2, 3]) expect((system.host(id)!.sm as HashListStateMachine).count).toBe(10);
    world.isolate(l1[0]!);
    world.scheduler.runUntil(8_000 * MS);
    const others = [1, 2, 3].filter((id) => id !== l1[0]);
    const l2 = others.filter((id) => system.host(id)!.isLeader());
    expect(l2.length).toBe(1);
    expect(system.host(l1[0]!)!.isLeader()).toBe(false); // check-quorum stepped down
    world.heal();
    world.scheduler.runUntil(12_000 * MS);
    expect(leaders(system)).toEqual(l2);
  });

  it("a batch proposal answers each entry once, in order, and every state machine applies them all", () => {
    const { world, system } = buildRaftWorld({ seed: 7, nodes: 3 });
    world.scheduler.runUntil(3_000 * MS);
    const l = leaders(system)[0]!;
    const indexes: number[] = [];
    system.host(l)!.proposeBatch([enc("a"), enc("b"), enc("c")], (r) => indexes.push(r.ok ? r.index : -1));
    world.scheduler.runUntil(4_000 * MS);
    expect(indexes.length).toBe(3);
    expect(indexes[1]).toBe(indexes[0]! + 1);
    expect(indexes[2]).toBe(indexes[0]! + 2);
    for (const id of [1, 2, 3]) expect((system.host(id)!.sm as HashListStateMachine).count).toBe(3);
    const refused: boolean[] = [];
    const follower = [1, 2, 3].find((id) => id !== l)!;
    system.host(follower)!.proposeBatch([enc("x"), enc("y")], (r) => refused.push(r.ok));
    expect(refused).toEqual([false, false]);
  });

  it("a crashed node restarts from its WAL and catches up; unsynced writes are lost safely", () => {
    const { world, system } = buildRaftWorld({ seed: 11, nodes: 3 });
    world.scheduler.runUntil(3_000 * MS);
    const l = leaders(system)[0]!;
    const f = [1, 2, 3].find((id) => id !== l)!;
    let ok = 0;
    for (let i = 0; i < 20; i++) system.host(l)!.propose(enc(`x${i}`), (r) => r.ok && ok++);
    world.scheduler.runUntil(3_500 * MS);
    world.crash(f, "tear-last");
    for (let i = 0; i < 20; i++) system.host(l)!.propose(enc(`y${i}`), (r) => r.ok && ok++);
    world.scheduler.runUntil(4_000 * MS);
    world.restart(f);
    world.scheduler.runUntil(6_000 * MS);
    expect(ok).toBe(40);
    const sm = system.host(f)!.sm as HashListStateMachine;
    expect(sm.count).toBe(40);
    expect(sm.hash).toBe((system.host(l)!.sm as HashListStateMachine).hash);
    expect(world.node(f).disk.read(WAL_FILE).length).toBeGreaterThan(0);
  });

  it("a follower that missed compacted entries catches up by InstallSnapshot and restarts from it", () => {
    const { world, system } = buildRaftWorld({ seed: 5, nodes: 3, snapshotEntries: 10, keepTrace: true });
    world.scheduler.runUntil(3_000 * MS);
    const l = leaders(system)[0]!;
    const f = [1, 2, 3].find((id) => id !== l)!;
    world.crash(f);
    for (let i = 0; i < 50; i++) system.host(l)!.propose(enc(`s${i}`), () => undefined);
    world.scheduler.runUntil(4_000 * MS);
    expect(system.host(l)!.status().firstIndex).toBeGreaterThan(10);
    const snapsBefore = world.network.messagesSent;
    world.restart(f);
    world.scheduler.runUntil(6_000 * MS);
    expect(world.network.messagesSent).toBeGreaterThan(snapsBefore);
    expect(world.trace.events.some((e) => e.type === "send" && e.msgType === "snap" && e.to === f)).toBe(true);
    const sm = system.host(f)!.sm as HashListStateMachine;
    const lsm = system.host(l)!.sm as HashListStateMachine;
    expect(sm.count).toBe(50);
    expect(sm.hash).toBe(lsm.hash);
    world.crash(f);
    world.restart(f);
    world.scheduler.runUntil(8_000 * MS);
    expect((system.host(f)!.sm as HashListStateMachine).hash).toBe(lsm.hash);
  });

  it("replaces a voter in one joint change: C_old,new, then C_new alone (thesis §4.3)", () => {
    const { world, system } = buildRaftWorld({ seed: 9, nodes: 3 });
    world.scheduler.runUntil(3_000 * MS);
    const l = leaders(system)[0]!;
    const gone = [1, 2, 3].find((id) => id !== l)!;
    const confs: string[] = [];
    let ok = 0;
    for (let i = 0; i < 5; i++) system.host(l)!.propose(enc(`r${i}`), (r) => r.ok && ok++);
    expect(system.replaceMember(gone)).toBe(4);
    // Sample the leader's configuration as the change goes through.
    for (let t = 3_000; t < 6_000; t += 5) {
      world.scheduler.runUntil(t * MS);
      const cs = system.host(l)!.status().confState;
      const text = `${cs.voters.join(",")}/${cs.votersOutgoing.join(",")}`;
      if (confs.at(-1) !== text) confs.push(text);
    }
    for (let i = 0; i < 5; i++) system.host(l)!.propose(enc(`s${i}`), (r) => r.ok && ok++);
    world.scheduler.runUntil(8_000 * MS);
    const stays = [1, 2, 3].filter((id) => id !== gone);
    const after = [...stays, 4].sort((a, b) => a - b).join(",");
    expect(confs).toEqual(["1,2,3/", `${after}/1,2,3`, `${after}/`]);
    expect(ok).toBe(10);
    const lsm = system.host(l)!.sm as HashListStateMachine;
    expect((system.host(4)!.sm as HashListStateMachine).hash).toBe(lsm.hash);
  });
});
