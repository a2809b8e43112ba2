// A small deterministic generator of plausible traces, for the viewer's tests and its
// benchmark: an election, heartbeats and replication, a leader partition with a split
// vote then a new leader, a crash/restart, a pause, a slow disk, client operations with
// ok / fail / unknown outcomes, and check records (optionally a failing one with a
// counterexample). It is a script, not Raft: it only has to look like a real run.
import type { NodeId, TraceEvent, TraceHeader } from "../../sim/trace/types";

export interface SyntheticOptions {
  nodes?: number;
  durationUs?: number;
  seed?: number;
  /** Time between client operations (across all clients). */
  opIntervalUs?: number;
  clients?: number;
  /** Append a failing linearizability check with a counterexample. */
  failing?: boolean;
  /** The key every operation uses (tests pass HTML here to prove it renders as text). */
  key?: string;
}

export interface SyntheticTrace {
  header: TraceHeader;
  events: TraceEvent[];
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export function syntheticTrace(options: SyntheticOptions = {}): SyntheticTrace {
  const n = options.nodes ?? 3;
  const durationUs = options.durationUs ?? 10_000_000;
  const opIntervalUs = options.opIntervalUs ?? 200_000;
  const clients = options.clients ?? 2;
  const key = options.key ?? "k1";
  const rand = rng(options.seed ?? 1);
  const nodes: NodeId[] = Array.from({ length: n }, (_, i) => i + 1);
  const events: TraceEvent[] = [];
  let msgId = 0;
  let opId = 0;
  const crashed = new Set<NodeId>();
  const paused = new Set<NodeId>();
  let cut: NodeId[][] | null = null;
  const isCut = (a: NodeId, b: NodeId) => cut !== null && cut.findIndex((g) => g.includes(a)) !== cut.findIndex((g) => g.includes(b));
  const latencyUs = () => 300 + Math.floor(rand() * 1_500);

  /** One message: send, then deliver or drop. Returns the delivery time or null. */
  const message = (tUs: number, from: NodeId, to: NodeId, msgType: string, term: number): number | null => {
    const id = ++msgId;
    events.push({ tUs, type: "send", msgId: id, from, to, msgType, term });
    const atUs = tUs + latencyUs();
    if (crashed.has(from)) return null;
    if (isCut(from, to)) return void events.push({ tUs: atUs, type: "drop", msgId: id, from, to, msgType, reason: "partition" }), null;
    if (crashed.has(to)) return void events.push({ tUs: atUs, type: "drop", msgId: id, from, to, msgType, reason: "receiver-down" }), null;
    if (paused.has(to)) return void events.push({ tUs: atUs, type: "drop", msgId: id, from, to, msgType, reason: "receiver-paused" }), null;
    events.push({ tUs: atUs, type: "deliver", msgId: id, from, to, msgType, sentUs: tUs });
    return atUs;
  };

  const role = (tUs: number, node: NodeId, r: "follower" | "candidate" | "leader", term: number, leader: NodeId | null) => events.push({ tUs, type: "role", node, role: r, term, leader });

  /** A candidate asks everyone; returns whether it won (majority reachable). */
  const election = (tUs: number, cand: NodeId, term: number, voters: NodeId[]): { won: boolean; atUs: number } => {
    role(tUs, cand, "candidate", term, null);
    let granted = 1;
    let atUs = tUs;
    for (const v of nodes) {
      if (v === cand) continue;
      const arrived = message(tUs, cand, v, "MsgVote", term);
      if (arrived === null) continue;
      const yes = voters.includes(v);
      events.push({ tUs: arrived, type: "vote", node: v, term, votedFor: yes ? cand : 0, granted: yes, candidate: cand });
      const back = message(arrived + 50, v, cand, "MsgVoteResp", term);
      if (back !== null && yes) {
        granted++;
        atUs = Math.max(atUs, back);
      }
    }
    return { won: granted > n / 2, atUs: atUs + 10 };
  };

  for (const node of nodes) role(0, node, "follower", 0, null);
  let term = 1;
  let leader: NodeId = 1;
  const first = election(150_000, 1, term, nodes);
  role(first.atUs, leader, "leader", term, leader);
  for (const node of nodes) if (node !== leader) role(first.atUs + 100, node, "follower", term, leader);

  const partitionAtUs = Math.round(durationUs * 0.3);
  const healAtUs = Math.round(durationUs * 0.55);
  const crashAtUs = Math.round(durationUs * 0.65);
  const restartAtUs = Math.round(durationUs * 0.72);
  const pauseAtUs = Math.round(durationUs * 0.8);
  const resumeAtUs = Math.round(durationUs * 0.83);
  const slowAtUs = Math.round(durationUs * 0.86);
  const slowUntilUs = Math.round(durationUs * 0.92);
  let phase = 0;
  let commitIndex = 1;
  let nextOpUs = first.atUs + 20_000;
  let nextStateUs = 0;
  const clientBusyUntilUs = new Array<number>(clients).fill(0);
  const okOps: number[] = [];

  for (let tUs = first.atUs + 100_000; tUs < durationUs; tUs += 100_000) {
    // Scripted faults, in order.
    if (phase === 0 && tUs >= partitionAtUs) {
      phase = 1;
      const old = leader;
      const rest = nodes.filter((x) => x !== old);
      cut = [[old], rest];
      events.push({ tUs, type: "fault", fault: "partition", nodes: [old], detail: JSON.stringify(cut) });
      // A split vote in term+1 (two candidates), then a winner in term+2.
      const t1 = tUs + 1_000_000;
      if (rest.length >= 4) {
        election(t1, rest[0]!, term + 1, [rest[2]!]);
        election(t1 + 2_000, rest[1]!, term + 1, [rest[3]!]);
        term += 2;
      } else term += 1;
      const win = election(t1 + 300_000, rest[0]!, term, rest);
      leader = rest[0]!;
      role(win.atUs, leader, "leader", term, leader);
      for (const x of rest) if (x !== leader) role(win.atUs + 100, x, "follower", term, leader);
      tUs = win.atUs - (win.atUs % 100_000);
      continue;
    }
    if (phase === 1 && tUs >= healAtUs) {
      phase = 2;
      events.push({ tUs, type: "fault", fault: "heal", nodes: [] });
      const old = cut![0]![0]!;
      cut = null;
      role(tUs + 5_000, old, "follower", term, leader);
    }
    const follower = nodes.find((x) => x !== leader)!;
    if (phase === 2 && tUs >= crashAtUs) {
      phase = 3;
      crashed.add(follower);
      events.push({ tUs, type: "fault", fault: "crash", nodes: [follower] });
    }
    if (phase === 3 && tUs >= restartAtUs) {
      phase = 4;
      crashed.delete(follower);
      events.push({ tUs, type: "fault", fault: "restart", nodes: [follower] });
      role(tUs + 1_000, follower, "follower", term, null);
    }
    const last = nodes[n - 1]!;
    if (phase === 4 && tUs >= pauseAtUs) {
      phase = 5;
      paused.add(last);
      events.push({ tUs, type: "fault", fault: "pause", nodes: [last] });
    }
    if (phase === 5 && tUs >= resumeAtUs) {
      phase = 6;
      paused.delete(last);
      events.push({ tUs, type: "fault", fault: "resume", nodes: [last] });
    }
    if (phase === 6 && tUs >= slowAtUs) {
      phase = 7;
      events.push({ tUs, type: "fault", fault: "slow-disk", nodes: [leader], detail: "fsync x20", untilUs: slowUntilUs });
    }
    // Heartbeats from whoever believes it leads (the isolated old leader keeps trying).
    const leaders = phase === 1 && cut ? [cut[0]![0]!, leader] : [leader];
    for (const l of leaders) for (const x of nodes) if (x !== l) {
      const at = message(tUs, l, x, "MsgHeartbeat", term);
      if (at !== null) message(at + 20, x, l, "MsgHeartbeatResp", term);
    }
    // Client operations in this 100 ms slice.
    for (; nextOpUs < tUs + 100_000; nextOpUs += opIntervalUs) {
      const client = Math.floor(rand() * clients);
      if (clientBusyUntilUs[client]! > nextOpUs) continue;
      const id = ++opId;
      const isPut = rand() < 0.5;
      const target = phase === 1 && rand() < 0.3 ? cut![0]![0]! : leader;
      events.push({ tUs: nextOpUs, type: "client-invoke", client, opId: id, op: isPut ? "put" : "get", input: isPut ? { key, value: `v${id}` } : { key }, node: target });
      if (target !== leader) {
        // Sent to the isolated leader: it can never commit, so the client times out.
        clientBusyUntilUs[client] = nextOpUs + 1_000_000;
        events.push({ tUs: nextOpUs + 1_000_000, type: "client-return", client, opId: id, status: rand() < 0.5 ? "unknown" : "fail", output: { error: "context deadline exceeded" } });
        continue;
      }
      let acks = 1;
      let commitAtUs = nextOpUs + 200;
      for (const x of nodes) {
        if (x === leader) continue;
        const at = message(nextOpUs + 100, leader, x, "MsgApp", term);
        if (at === null) continue;
        const back = message(at + 30, x, leader, "MsgAppResp", term);
        if (back !== null) {
          acks++;
          commitAtUs = Math.max(commitAtUs, back);
        }
      }
      if (acks <= n / 2) continue;
      commitIndex++;
      events.push({ tUs: commitAtUs + 5, type: "commit", node: leader, index: commitIndex, term });
      events.push({ tUs: commitAtUs + 10, type: "apply", node: leader, index: commitIndex, revision: commitIndex });
      const retUs = commitAtUs + 50;
      clientBusyUntilUs[client] = retUs;
      events.push({ tUs: retUs, type: "client-return", client, opId: id, status: "ok", output: isPut ? { revision: commitIndex } : { kvs: [{ key, value: `v${Math.max(1, id - 1)}` }] } });
      okOps.push(id);
    }
    if (tUs >= nextStateUs) {
      nextStateUs = tUs + 500_000;
      for (const x of nodes) {
        if (crashed.has(x)) continue;
        events.push({ tUs, type: "node-state", node: x, term, vote: leader, commit: commitIndex, applied: commitIndex - (x === leader ? 0 : 1), logLength: commitIndex + 1, revision: commitIndex });
      }
    }
  }
  events.sort((a, b) => a.tUs - b.tUs);
  const endUs = Math.max(durationUs, events[events.length - 1]!.tUs + 1);
  if (options.failing && okOps.length >= 3) {
    const blocking = okOps[Math.floor(okOps.length / 2)]!;
    const other = okOps[Math.floor(okOps.length / 2) + 1]!;
    events.push({
      tUs: endUs,
      type: "check",
      check: "linearizability",
      result: "fail",
      message: `operation ${blocking} cannot be linearized`,
      detail: { counterexample: { linearized: okOps.slice(0, 3), state: { [key]: { value: "v1", modRevision: 2 } }, blocking, unplaceable: [blocking, other] } },
    });
  } else events.push({ tUs: endUs, type: "check", check: "linearizability", result: "pass" });
  events.push({ tUs: endUs, type: "check", check: "convergence", result: "pass" });
  return { header: { type: "header", formatVersion: 1, seed: options.seed ?? 1, scenario: "synthetic-leader-partition", config: { nodes: n, durationUs } }, events };
}

export function toNdjson(trace: SyntheticTrace): string {
  return [trace.header, ...trace.events].map((r) => JSON.stringify(r)).join("\n") + "\n";
}
