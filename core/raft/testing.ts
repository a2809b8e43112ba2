// Test support: an in-memory cluster that delivers messages synchronously and persists
// instantly. Used by the core's unit tests only (the simulated world lives in sim/).
import type { RaftConfig, RaftStorage } from "./config";
import { RawNode } from "./rawnode";
import type { Entry, HardState, Message, NodeId, ReadState, Snapshot } from "./types";

/** mulberry32: small deterministic generator for tests. */
export function testRand(seed: number): { next(): number; int(a: number, b: number): number } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (a, b) => a + Math.floor(next() * (b - a)) };
}

export interface MemNode {
  rn: RawNode;
  hardState: HardState;
  snapshot: Snapshot | undefined;
  entries: Entry[];
  applied: Entry[];
  readStates: ReadState[];
  sent: Message[];
}

export class MemCluster {
  readonly nodes = new Map<NodeId, MemNode>();
  /** Return true to drop a message. */
  drop: (m: Message) => boolean = () => false;
  private queue: Message[] = [];
  delivered: Message[] = [];

  constructor(
    ids: NodeId[],
    readonly opts: Partial<RaftConfig> = {},
    peers: NodeId[] = ids,
  ) {
    for (const id of ids) this.add(id, peers);
    this.stabilize(); // persist and apply the bootstrap configuration entry
  }

  add(id: NodeId, peers: NodeId[] = []): MemNode {
    const node: MemNode = {
      rn: new RawNode({ rand: testRand(id * 7919), ...this.opts, id, peers }),
      hardState: { term: 0, vote: 0, commit: 0 },
      snapshot: undefined,
      entries: [],
      applied: [],
      readStates: [],
      sent: [],
    };
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): MemNode {
    return this.nodes.get(id)!;
  }

  raft(id: NodeId) {
    return this.node(id).rn.raft;
  }

  /** Crash and restart a node from what it persisted. */
  restart(id: NodeId): void {
    const n = this.node(id);
    const storage: RaftStorage = { hardState: n.hardState, snapshot: n.snapshot, entries: n.entries };
    n.rn = new RawNode({ rand: testRand(id * 104729), ...this.opts, id }, storage);
    n.applied = n.snapshot ? [] : [];
  }

  /** Handle Ready on every node and deliver messages until nothing moves. */
  stabilize(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const [, n] of this.nodes) {
        while (n.rn.hasReady()) {
          moved = true;
          const rd = n.rn.ready();
          if (rd.snapshot) {
            n.snapshot = rd.snapshot;
            n.entries = [];
          }
          if (rd.entries.length > 0) {
            const first = rd.entries[0]!.index;
            const base = n.snapshot?.index ?? 0;
            n.entries.length = Math.max(0, first - base - 1);
            n.entries.push(...rd.entries);
          }
          if (rd.hardState) n.hardState = rd.hardState;
          for (const m of rd.messages) {
            n.sent.push(m);
            this.queue.push(m);
          }
          n.applied.push(...rd.committedEntries);
          n.readStates.push(...rd.readStates);
          n.rn.advance(rd);
        }
      }
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        if (this.drop(m)) continue;
        const to = this.nodes.get(m.to);
        if (!to) continue;
        moved = true;
        this.delivered.push(m);
        to.rn.step(m);
      }
      if (!moved) return;
    }
    throw new Error("cluster did not stabilize");
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.node(id).rn.tick();
      this.stabilize();
    }
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [, node] of this.nodes) node.rn.tick();
      this.stabilize();
    }
  }

  /** Let node `id` win an election: campaign and deliver. */
  elect(id: NodeId): void {
    this.node(id).rn.campaign();
    this.stabilize();
  }

  isolate(id: NodeId): void {
    this.drop = (m) => m.from === id || m.to === id;
  }

  partition(groups: NodeId[][]): void {
    const groupOf = new Map<NodeId, number>();
    groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
    this.drop = (m) => groupOf.get(m.from) !== groupOf.get(m.to);
  }

  heal(): void {
    this.drop = () => false;
  }

  leaders(): NodeId[] {
    return [...this.nodes].filter(([, n]) => n.rn.raft.role === "leader").map(([id]) => id);
  }

  propose(id: NodeId, text: string): ReturnType<RawNode["propose"]> {
    const r = this.node(id).rn.propose(new TextEncoder().encode(text));
    this.stabilize();
    return r;
  }

  appliedTexts(id: NodeId): string[] {
    return this.node(id)
      .applied.filter((e) => e.type === "normal" && e.data.byteLength > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}
