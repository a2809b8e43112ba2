// Canary bugs: named, off-by-default switches that plant a known bug in the store.
// The harness is measured by how fast it catches each one. Every switch is named here,
// and only here; code asks `bugs.has("name")`.
export const CANARY_BUGS = {
  "commit-prior-term": "leader commits an older-term entry by counting replicas (Raft §5.4.2, Figure 8)",
  "vote-before-persist": "a vote is granted before term and vote are durable",
  "ack-before-fsync": "a follower acknowledges appended entries before they are fsynced",
  "no-truncate-on-conflict": "a follower keeps conflicting entries instead of truncating its log",
  "consistent-index-not-atomic": "the applied index is saved apart from the backend data",
  "revision-bump-on-noop": "a write request that changes nothing still bumps the store revision",
  "stale-linearizable-read": "linearizable reads are served locally without ReadIndex",
  "watch-skip-on-compact": "watch events are skipped when a compaction runs",
  "lease-expire-on-follower": "a follower expires leases by its own clock",
  "progress-notify-ahead": "progress notifications report a revision ahead of delivered events",
  "lease-read-ignores-skew": "lease-based reads ignore clock drift when trusting the leader lease",
  "vote-quorum-half": "a candidate wins an election with half the votes of an even-sized configuration, ceil(n/2) for floor(n/2)+1 (Raft §5.2 needs a majority)",
  "vote-ignores-log": "a vote is granted without checking that the candidate's log is up to date (Raft §5.4.1)",
  "heartbeat-commit-unclamped": "heartbeats carry the leader's commit index unclamped by the follower's match, and a follower commits whatever it holds up to it",
  "read-index-skips-heartbeat": "the leader answers ReadIndex without a heartbeat round confirming it still leads (thesis §6.4)",
  "read-index-before-term-commit": "a new leader answers ReadIndex before an entry of its own term has committed, so with a commit index that may lag its predecessor's (thesis §6.4 step 1)",
  "snapshot-keeps-conflicting-log": "a follower installing a snapshot keeps its log past the snapshot's index though the snapshot's last entry is not in it (Raft §7)",
  "joint-quorum-incoming-only": "in a joint configuration C_old,new, commits and elections count only a majority of C_new (thesis §4.3 needs both)",
  "learner-counts-for-commit": "the leader's commit index counts learners' copies toward a majority of the voters' size (learners are non-voting, thesis §4.2.1)",
  "snapshot-ignores-conf-state": "a follower installing a snapshot keeps its own configuration instead of the one the snapshot carries (Raft §7: the snapshot holds the latest configuration)",
  "compact-drops-kept-value": "compaction also drops the value a key still had at the compaction revision, once the key has a later revision",
} as const;

export type CanaryBug = keyof typeof CANARY_BUGS;

export type BugSet = ReadonlySet<CanaryBug>;

export const NO_BUGS: BugSet = new Set<CanaryBug>();

export function isCanaryBug(name: string): name is CanaryBug {
  return Object.prototype.hasOwnProperty.call(CANARY_BUGS, name);
}
