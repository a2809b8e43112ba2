// The viewer's elections are the trace's elections (sim/trace/elections.ts), derived the same
// way as the CLI's run summary so the two always agree.
export { type Election, type ElectionVote, deriveElections } from "../../sim/trace/elections";
