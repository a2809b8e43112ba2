// The replicated state's digest, one definition for every comparison the harness makes:
// the convergence check at the end, the checkpoints the oracle takes during a run, and a
// restored snapshot against its source.
import { createHash } from "node:crypto";
import type { ServerState } from "../../core/server/server";

/** SHA-256 over data and leases (not the Raft index: replicas compare at equal index anyway). */
export function stateHashOf(state: Pick<ServerState, "mvcc" | "leases">): string {
  return createHash("sha256").update(JSON.stringify({ mvcc: state.mvcc, leases: state.leases })).digest("hex");
}
