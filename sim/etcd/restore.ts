// Snapshot restore (etcdutl snapshot restore) on the simulated world: every member of a
// new cluster gets a data directory whose backend holds the snapshot's data and leases,
// its consistent index reset to the new cluster's bootstrap entry — so nothing of the old
// cluster's Raft log is replayed and the new one starts at the same revision with the
// same keys. Then the cluster boots, elects a leader and serves a linearizable read.
import { worldClientTransport } from "../client_transport";
import { NO_BUGS, type BugSet } from "../../core/canary";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import { ClientSession } from "../../core/client/session";
import { isError } from "../../core/server/api";
import { decodeBackend, encodeBackend } from "../../core/server/backend";
import { KvServer, type ServerState } from "../../core/server/server";
import { diskProfile, networkProfile, World } from "../world";
import { stateHashOf } from "./state_hash";
import { BACKEND_FILE } from "./node";
import { EtcdSystem } from "./system";

/** Raft's bootstrap puts the initial configuration at index 1: the restored backend is "applied" up to it. */
export const RESTORED_CONSISTENT_INDEX = 1;
const RESTORE_CLIENT_ID = 97;


export interface SnapshotSummary {
  /** The store revision the snapshot holds. */
  revision: number;
  compactRevision: number;
  /** Live keys at that revision. */
  keys: number;
  leases: number;
  /** The consistent (applied) index of the member it was taken from. */
  consistentIndex: number;
  stateHash: string;
  sizeBytes: number;
}

/** Decodes and summarizes a snapshot image; throws BackendCorruptError when damaged. */
export function summarizeSnapshot(image: Uint8Array): SnapshotSummary {
  const state = decodeBackend(image);
  const server = restoredServerState(state);
  return {
    revision: server.revision,
    compactRevision: server.compactRevision,
    keys: server.keys,
    leases: state.leases.length,
    consistentIndex: state.consistentIndex,
    stateHash: stateHashOf(state),
    sizeBytes: image.byteLength,
  };
}

function restoredServerState(state: ServerState): { revision: number; compactRevision: number; keys: number } {
  // Read through a real server so the summary means what a client would see.
  const s = new KvServer();
  s.restore(state, 0);
  const r = s.query({ key: "\0", rangeEnd: "\0", countOnly: true });
  return { revision: s.currentRevision(), compactRevision: s.compactRevision(), keys: "count" in r ? r.count : 0 };
}

/** The backend a restored member starts from: the snapshot's data at the bootstrap index. */
export function restoredBackend(image: Uint8Array): Uint8Array {
  const state = decodeBackend(image);
  return encodeBackend({ ...state, consistentIndex: RESTORED_CONSISTENT_INDEX });
}

export interface RestoreOptions {
  image: Uint8Array;
  nodes: number;
  seed: number;
  tickUs?: number;
  electionTicks?: number;
  disk?: string;
  network?: string;
  bugs?: BugSet;
  /** Give up waiting for a leader and a read after this much simulated time. */
  timeoutUs?: number;
}

export interface RestoreResult {
  ok: boolean;
  /** Why not ok. */
  error?: string;
  leader: number | undefined;
  /** What a linearizable read of every key returned on the restored cluster. */
  revision: number;
  keys: number;
  /** Each member's state digest once it caught up (all equal when ok). */
  stateHashes: Record<number, string>;
  simulatedMs: number;
  world: World;
  system: EtcdSystem;
}

/** Boots a fresh cluster from a snapshot image and reads it back. Throws BackendCorruptError on a bad image. */
export function restoreCluster(o: RestoreOptions): RestoreResult {
  const backend = restoredBackend(o.image);
  const nodeIds = Array.from({ length: o.nodes }, (_, i) => i + 1);
  const tickUs = o.tickUs ?? 100_000;
  const electionTicks = o.electionTicks ?? 10;
  const system = new EtcdSystem({
    voters: nodeIds,
    tickUs,
    raft: { electionTicks, heartbeatTicks: 1, preVote: true, checkQuorum: true },
    bugs: o.bugs ?? NO_BUGS,
    snapshotEntries: 10_000,
  });
  const world = new World(
    { seed: o.seed, scenario: "snapshot-restore", nodeIds, disk: diskProfile(o.disk ?? "ssd"), network: networkProfile(o.network ?? "lan"), config: { restore: true } },
    (ctx) => system.factory(ctx.id)(ctx),
  );
  // etcdutl writes each member's data directory before any member starts.
  for (const id of nodeIds) world.node(id).disk.preload(BACKEND_FILE, backend);
  system.attach(world);
  world.startAll();

  const session = new ClientSession(RESTORE_CLIENT_ID, nodeIds, worldClientTransport(world, RESTORE_CLIENT_ID), 1_000_000, world.streams.stream("restore-client"));
  world.network.register(RESTORE_CLIENT_ID, (from, msgType, payload) => {
    if (msgType === MSG_CLIENT_RESPONSE) session.onResponse(from, payload as ClientResponseMsg);
  });
  let read: { revision: number; keys: number } | undefined;
  let lastError = "no answer yet";
  const tryRead = () => {
    if (read || session.busy) return;
    session.request({ type: "range", key: "\0", rangeEnd: "\0", countOnly: true }, (outcome) => {
      const r = outcome.status === "unknown" ? undefined : outcome.response;
      if (r && !isError(r) && r.type === "range") read = { revision: r.header.revision, keys: r.count };
      else {
        lastError = outcome.status === "unknown" ? outcome.reason : r && isError(r) ? r.error : "unexpected response";
        world.scheduler.after(100_000, tryRead);
      }
    });
  };
  world.scheduler.after(electionTicks * tickUs, tryRead);
  const deadlineUs = o.timeoutUs ?? 40 * electionTicks * tickUs;
  const caughtUp = () => {
    const leader = system.leader();
    if (!read || !leader) return false;
    const commit = leader.status().commit;
    return nodeIds.every((id) => (system.node(id)?.server.appliedIndex() ?? 0) >= commit);
  };
  while (world.nowUs < deadlineUs && !caughtUp()) world.scheduler.runUntil(world.nowUs + tickUs);
  const stateHashes: Record<number, string> = {};
  for (const id of nodeIds) {
    const node = system.node(id);
    if (node) stateHashes[id] = stateHashOf(node.server.snapshot());
  }
  const leader = system.leader()?.id;
  const base = { leader, revision: read?.revision ?? 0, keys: read?.keys ?? 0, stateHashes, simulatedMs: Math.round(world.nowUs / 1_000), world, system };
  if (!read) return { ok: false, error: `no linearizable read succeeded within ${deadlineUs / 1_000} ms (${lastError})`, ...base };
  if (!caughtUp()) return { ok: false, error: `members did not catch up with the leader within ${deadlineUs / 1_000} ms`, ...base };
  return { ok: true, ...base };
}
