// `raftsim snapshot save|restore`: etcdctl's snapshot save and etcdutl's snapshot restore
// on the simulated store. save runs a scenario up to a moment and asks a member for its
// backend through the Maintenance API; restore boots a fresh simulated cluster from such
// a file and reads it back (revision, key count, state hash on every member).
import { existsSync, readFileSync } from "node:fs";
import { BackendCorruptError } from "../../core/server/backend";
import { restoreCluster, summarizeSnapshot, type SnapshotSummary } from "../../sim/etcd/restore";
import { saveSnapshotAt } from "../../scenarios/snapshot";
import type { NodeSelector } from "../../scenarios/types";
import { type Command, type CommandIO, EXIT_CHECK_FAILED, EXIT_OK, type ParsedArgs, UsageError } from "../command";
import { writeFileAtomic } from "../files";
import { loadScenario, parseBugs } from "../scenario-arg";

const ACTIONS = ["save", "status", "restore"] as const;
const NODES_MAX = 9;

function nodeSelector(value: unknown): NodeSelector {
  const text = String(value);
  if (text === "leader" || text === "follower" || text === "random") return text;
  if (/^[1-9]\d*$/.test(text)) return Number(text);
  throw new UsageError(`snapshot save: --node expects leader, follower, random or a node id, got '${text}'`);
}

async function save(args: ParsedArgs, io: CommandIO): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError(`snapshot save: unexpected argument '${args.positionals[1]}' (the file goes in --out FILE)`);
  if (typeof args.options.out !== "string") throw new UsageError("snapshot save: missing --out FILE (where to write the snapshot)");
  if (args.options["at-ms"] === undefined) throw new UsageError("snapshot save: missing --at-ms T (when, in simulated ms, to take the snapshot)");
  const scenario = loadScenario(String(args.options.scenario));
  const atMs = Number(args.options["at-ms"]);
  if (atMs < 0 || atMs > scenario.durationMs) throw new UsageError(`snapshot save: --at-ms must be between 0 and the scenario's duration (${scenario.durationMs} ms), got ${atMs}`);
  const seed = Number(args.options.seed);
  const node = nodeSelector(args.options.node);
  const nodesMax = scenario.cluster.nodes + scenario.faults.filter((f) => f.type === "add-member").length;
  if (typeof node === "number" && node > nodesMax) throw new UsageError(`snapshot save: --node ${node} is not a member of ${scenario.name} (nodes 1..${nodesMax})`);
  const bugs = parseBugs(args.options.bug);
  let outcome;
  try {
    io.progress(`running ${scenario.name} seed ${seed} to ${atMs} ms and saving a snapshot…`);
    outcome = saveSnapshotAt(scenario, seed, atMs, node, bugs);
  } finally {
    io.progressDone();
  }
  if (!outcome.ok) {
    if (io.json) io.out(JSON.stringify({ scenario: scenario.name, seed, atMs, error: outcome.error }));
    else io.err(`snapshot save: ${outcome.error}`);
    return EXIT_CHECK_FAILED;
  }
  const { image, summary, node: member, takenAtMs } = outcome.snapshot;
  const file = args.options.out;
  writeFileAtomic(file, image);
  const output = { scenario: scenario.name, seed, atMs, node: member, takenAtMs, file, ...summary };
  if (io.json) io.out(JSON.stringify(output));
  else {
    io.out(`snapshot of node ${member} at ${takenAtMs} ms (${scenario.name}, seed ${seed}) written to ${file}`);
    printSummary(io, summary);
  }
  return EXIT_OK;
}

function printSummary(io: CommandIO, s: SnapshotSummary): void {
  const compacted = s.compactRevision > 0 ? `compacted at ${s.compactRevision}` : "never compacted";
  io.out(`revision ${s.revision}  keys ${s.keys}  leases ${s.leases}  ${compacted}  consistent index ${s.consistentIndex}  ${s.sizeBytes} bytes`);
  io.out(`stateHash ${s.stateHash}`);
}

/** Reads and checks a snapshot file named by the FILE argument of `action`. */
function readSnapshot(args: ParsedArgs, action: string): { path: string; image: Uint8Array; summary: SnapshotSummary } {
  const path = args.positionals[1];
  if (path === undefined) throw new UsageError(`snapshot ${action}: missing FILE (a file written by raftsim snapshot save)`);
  if (!existsSync(path)) throw new UsageError(`${path}: no such snapshot file`);
  const image = new Uint8Array(readFileSync(path));
  try {
    return { path, image, summary: summarizeSnapshot(image) };
  } catch (error) {
    if (error instanceof BackendCorruptError || error instanceof SyntaxError) throw new UsageError(`${path}: not a raftsim snapshot (${error.message})`);
    throw error;
  }
}

/** etcdutl snapshot status: what the file holds, without booting anything. */
async function status(args: ParsedArgs, io: CommandIO): Promise<number> {
  const { path, summary } = readSnapshot(args, "status");
  if (io.json) io.out(JSON.stringify({ file: path, ...summary }));
  else {
    io.out(`snapshot ${path}`);
    printSummary(io, summary);
  }
  return EXIT_OK;
}

async function restore(args: ParsedArgs, io: CommandIO): Promise<number> {
  const nodes = Number(args.options.nodes);
  if (!(nodes >= 1 && nodes <= NODES_MAX)) throw new UsageError(`snapshot restore: --nodes must be between 1 and ${NODES_MAX}, got ${nodes}`);
  const seed = Number(args.options.seed);
  const { path, image, summary } = readSnapshot(args, "restore");
  let result;
  try {
    io.progress(`booting ${nodes} members from ${path}…`);
    result = restoreCluster({ image, nodes, seed });
  } finally {
    io.progressDone();
  }
  const hashes = Object.values(result.stateHashes);
  const same = result.ok && result.revision === summary.revision && result.keys === summary.keys && hashes.length === nodes && hashes.every((h) => h === summary.stateHash);
  const output = {
    file: path,
    nodes,
    seed,
    ok: result.ok,
    ...(result.error ? { error: result.error } : {}),
    leader: result.leader ?? null,
    revision: result.revision,
    keys: result.keys,
    stateHash: hashes[0] ?? null,
    members: result.stateHashes,
    snapshot: summary,
    same,
    simulatedMs: result.simulatedMs,
  };
  if (io.json) io.out(JSON.stringify(output));
  else {
    io.out(`restored ${path} into ${nodes} fresh members (seed ${seed}); leader ${result.leader ?? "none"} after ${result.simulatedMs} ms simulated`);
    io.out(`revision ${result.revision}  keys ${result.keys}  (snapshot: revision ${summary.revision}, keys ${summary.keys})`);
    for (const [id, hash] of Object.entries(result.stateHashes)) io.out(`  member ${id} stateHash ${hash}${hash === summary.stateHash ? "" : "  DIFFERS"}`);
    if (result.error) io.out(`FAILED: ${result.error}`);
    io.out(same ? "same state as the snapshot on every member" : "NOT the snapshot's state");
  }
  return same ? EXIT_OK : EXIT_CHECK_FAILED;
}

export const snapshotCommand: Command = {
  name: "snapshot",
  summary: "save a member's snapshot from a scenario run, or restore a fresh cluster from one",
  usage: "raftsim snapshot save --scenario NAME|FILE --at-ms T --out FILE [--seed N] [--node leader|follower|N] [--bug NAME] | raftsim snapshot status FILE | raftsim snapshot restore FILE [--nodes 3] [--seed N]",
  description:
    "save: runs the scenario with the seed up to --at-ms (simulated), asks a member for its backend through the Maintenance API (etcdctl snapshot save) and writes it to --out; the snapshot is also restored once and checked. " +
    "status: what a snapshot file holds (revision, keys, leases, consistent index, state hash), like etcdutl snapshot status. " +
    "restore: like etcdutl snapshot restore, gives every member of a new simulated cluster the snapshot's data and boots it, then prints revision, key count and each member's state hash. Exit 1 when the restored state differs.",
  positionals: [
    { name: "ACTION", required: true, help: `one of: ${ACTIONS.join(", ")}` },
    { name: "FILE", required: false, help: "status, restore: the snapshot file written by `raftsim snapshot save`" },
  ],
  options: [
    { name: "scenario", kind: "string", valueName: "NAME|FILE", help: "save: built-in scenario name or a scenario JSON file", default: "kv-mixed" },
    { name: "seed", kind: "int", valueName: "N", help: "the seed of the run (save) or of the restored cluster (restore)", default: 1 },
    { name: "at-ms", kind: "int", valueName: "T", help: "save: simulated time of the snapshot request, in ms" },
    { name: "out", kind: "string", valueName: "FILE", help: "save: where to write the snapshot (written whole or not at all)" },
    { name: "node", kind: "string", valueName: "SEL", help: "save: the member asked: leader, follower, random or a node id", default: "leader" },
    { name: "bug", kind: "list", valueName: "NAME", help: "save: switch on canary bugs (comma-separated)" },
    { name: "nodes", kind: "int", valueName: "N", help: "restore: members of the restored cluster", default: 3 },
  ],
  async run(args, io) {
    const action = args.positionals[0]!;
    if (action === "save") return save(args, io);
    if (action === "status") return status(args, io);
    if (action === "restore") return restore(args, io);
    throw new UsageError(`snapshot: unknown action '${action}' (expected one of: ${ACTIONS.join(", ")})`);
  },
};
