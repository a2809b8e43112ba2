// Quorum arithmetic for majority and joint configurations (Raft §5.3 commit rule,
// thesis §4.3: in C_old,new agreement needs separate majorities of both).
import type { ConfState, NodeId } from "./types";

export type VoteResult = "won" | "lost" | "pending";

const scratch: number[] = [];

/** Largest value that a majority of `voters` has reached. An empty config is "infinitely" agreed. */
export function majorityValue(voters: readonly NodeId[], valueOf: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  // Insertion sort (descending) into a reused scratch array: configurations are small and
  // this runs on every append response.
  const vals = scratch;
  for (let i = 0; i < n; i++) {
    const v = valueOf(voters[i]!);
    let j = i;
    while (j > 0 && vals[j - 1]! < v) {
      vals[j] = vals[j - 1]!;
      j--;
    }
    vals[j] = v;
  }
  return vals[n >> 1]!;
}

export function jointValue(cs: ConfState, valueOf: (id: NodeId) => number): number {
  return Math.min(majorityValue(cs.voters, valueOf), majorityValue(cs.votersOutgoing, valueOf));
}

/** `halfWins` is canary vote-quorum-half's arithmetic: ceil(n/2), half of an even-sized config. */
export function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>, halfWins = false): VoteResult {
  if (voters.length === 0) return "won";
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = halfWins ? Math.ceil(voters.length / 2) : Math.floor(voters.length / 2) + 1;
  if (granted >= q) return "won";
  if (granted + missing >= q) return "pending";
  return "lost";
}

export function jointVote(cs: ConfState, votes: ReadonlyMap<NodeId, boolean>, halfWins = false): VoteResult {
  const a = majorityVote(cs.voters, votes, halfWins);
  const b = majorityVote(cs.votersOutgoing, votes, halfWins);
  if (a === "lost" || b === "lost") return "lost";
  if (a === "won" && b === "won") return "won";
  return "pending";
}
