// Online safety monitor for Raft runs (Raft paper Figure 3 properties): election safety,
// leader completeness, state machine safety (no committed entry lost or changed; applied
// sequences are prefixes of one another) and, at the end, log matching up to the commit
// index. Plug it in as the hosts' observer; violations are collected, so a run can report
// every finding — or, with stopOnViolation, the first one stops the run (a store whose Raft
// broke can spin forever: diverged logs that never agree).
import { AssertionError } from "../../core/assert";
import type { Entry, NodeId, Snapshot } from "../../core/raft/types";
import { jointVote } from "../../core/raft/quorum";
import { isJoint } from "../../core/raft/confchange";
import { crc32 } from "../../core/crc32";
import type { Message } from "../../core/raft/types";
import type { HostObserver, RaftHost } from "./node_host";

export interface SafetyViolation {
  readonly property: "election-safety" | "leader-completeness" | "committed-changed" | "applied-diverged" | "log-matching" | "commit-rule" | "lease-read" | "read-index" | "commit-durable" | "vote-once" | "vote-quorum" | "joint-left" | "liveness" | "assertion";
  readonly message: string;
}

/** Thrown by a monitor with stopOnViolation: the run stops at its first breach. */
export class SafetyBreach extends AssertionError {
  override name = "SafetyBreach";
  constructor(readonly violation: SafetyViolation) {
    super(`raft ${violation.property}: ${violation.message}`);
  }
}

export class SafetyMonitor implements HostObserver {
  readonly violations: SafetyViolation[] = [];
  /** Throw SafetyBreach at the first violation instead of only recording it. */
  stopOnViolation = false;
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Whom each node voted for in each term, by "voter/term" (its own id when it campaigned). */
  private readonly voteOf = new Map<string, NodeId>();
  /** index -> term of the committed entry, and the lowest term in which it was seen committed. */
  private readonly committed = new Map<number, { term: number; seenInTerm: number }>();
  private readonly applied = new Map<number, { term: number; hash: number }>();
  private readonly lastApplied = new Map<RaftHost, number>();
  /** A leader's commit index when it took office, by "node/term". */
  private readonly inheritedCommit = new Map<string, number>();
  maxCommitted = 0;
  elections = 0;
  /** The highest term any node has led, and who led it. */
  private maxLeaderTerm = 0;
  private maxLeaderTermNode: NodeId = 0;
  /**
   * The hosts whose processes are running now (not crashed, not paused), set by the system
   * that owns the world. With it, each election also checks that no older leader still holds
   * a lease it would answer reads from (see checkLeasesAt).
   */
  runningHosts: (() => Iterable<RaftHost>) | undefined;

  private fail(property: SafetyViolation["property"], message: string): void {
    if (this.violations.length < 50) this.violations.push({ property, message });
    if (this.stopOnViolation) throw new SafetyBreach({ property, message });
  }

  onRole(host: RaftHost, role: string, term: number): void {
    if (role !== "leader") return;
    this.elections++;
    this.inheritedCommit.set(`${host.id}/${term}`, host.rn.raft.log.committed);
    const prev = this.leaderOfTerm.get(term);
    if (prev !== undefined && prev !== host.id) this.fail("election-safety", `term ${term} has two leaders: ${prev} and ${host.id}`);
    this.leaderOfTerm.set(term, host.id);
    if (term > this.maxLeaderTerm) {
      this.maxLeaderTerm = term;
      this.maxLeaderTermNode = host.id;
    }
    this.checkLeasesAt(host, term);
    this.checkVoteQuorum(host, term);
    // Leader completeness (§5.4): entries committed in earlier terms are in the new leader's log.
    const log = host.rn.raft.log;
    for (const [index, c] of this.committed) {
      if (c.seenInTerm >= term || index <= log.snapIndex) continue;
      const t = log.term(index);
      if (t !== c.term) this.fail("leader-completeness", `leader ${host.id} of term ${term} lacks committed entry ${index}@${c.term} (has ${t ?? "none"})`);
    }
  }

  /**
   * §5.2: a candidate wins with the votes of a quorum of its configuration (both, when joint)
   * granted in the term it leads. The grants are read off the wire (vote responses sent),
   * so a count that takes in a grant of another term, or a non-voter's, shows here even
   * when no second leader happens to be elected.
   */
  private checkVoteQuorum(host: RaftHost, term: number): void {
    const conf = host.rn.raft.electionConf;
    const granted = new Map<NodeId, boolean>();
    for (const id of [...conf.voters, ...conf.votersOutgoing]) granted.set(id, id === host.id || this.voteOf.get(`${id}/${term}`) === host.id);
    if (jointVote(conf, granted) === "won") return;
    const by = [...granted].filter(([, g]) => g).map(([id]) => id);
    this.fail("vote-quorum", `node ${host.id} became leader of term ${term} with votes granted in that term only by ${by.join(", ")} of voters ${JSON.stringify(conf.voters)}${conf.votersOutgoing.length > 0 ? `/${JSON.stringify(conf.votersOutgoing)}` : ""}`);
  }

  /**
   * Thesis §6.4.1: a leader's lease must lapse before any other leader can be elected, so a
   * read answered from the lease never misses a write. Once a later term has a leader, a
   * lease read in an earlier term is unsafe whether or not a client happens to notice.
   */
  onLeaseRead(host: RaftHost, term: number, count: number): void {
    if (this.maxLeaderTerm > term) {
      this.fail("lease-read", `node ${host.id} answered ${count} read(s) from its lease in term ${term}, after node ${this.maxLeaderTermNode} was elected leader of term ${this.maxLeaderTerm}`);
    }
  }

  /**
   * Thesis §6.4: a linearizable read sees every write committed before it was asked, so the
   * read index it is answered with is at least the highest commit index any node had
   * reached when it was asked. ReadIndex and lease reads alike. (A node's commit is noted
   * when its host handles the Ready that shows it, never early, so the bound is sound.)
   */
  onReadAsked(): number {
    return this.maxCommitted;
  }

  onReadAnswered(host: RaftHost, index: number, committedWhenAsked: number): void {
    if (index < committedWhenAsked) {
      this.fail("read-index", `node ${host.id} answered a read at index ${index}, but index ${committedWhenAsked} was committed before the read was asked`);
    }
  }

  /**
   * Thesis §6.4.1, the lease itself rather than a read that happens to use it: at the moment
   * a leader of `term` is elected, no leader of an earlier term may still hold a lease it
   * would answer a read from. A read arriving there now would miss the new leader's writes.
   * (A paused process is skipped: it answers nothing until it resumes and ticks away the
   * time it lost; a read after that is judged by onLeaseRead. So is a stopped host, which
   * answers nothing ever again and no longer ticks, so its lease looks frozen: a removed
   * leader whose disk stalls the durable removal mark is still up and still "leader".)
   */
  private checkLeasesAt(elected: RaftHost, term: number): void {
    if (!this.runningHosts) return;
    for (const h of this.runningHosts()) {
      const r = h.rn.raft;
      if (h === elected || h.stopped || r.role !== "leader" || r.term >= term || r.cfg.readOnlyOption !== "lease-based") continue;
      if (r.committedInTerm() && r.leaseValid()) {
        this.fail("lease-read", `node ${h.id} still held its lease of term ${r.term} when node ${elected.id} was elected leader of term ${term}`);
      }
    }
  }

  /**
   * §5.4.2 as a leader shows it to followers: the commit index in its appends is either one
   * it inherited or the index of an entry of its own term. (Its own commit may jump over an
   * older-term index within one Ready, so the appends are where a wrong count shows.)
   */
  onSend(host: RaftHost, m: Message): void {
    if (m.type === "vote") this.noteVote(host.id, m.term, host.id);
    else if (m.type === "vote-resp" && !m.reject) this.noteVote(host.id, m.term, m.to);
    if (m.type !== "app" || m.commit === undefined) return;
    const inherited = this.inheritedCommit.get(`${host.id}/${m.term}`);
    if (inherited === undefined || m.commit <= inherited) return;
    const t = host.rn.raft.log.term(m.commit);
    if (t !== undefined && t !== m.term) this.fail("commit-rule", `leader ${host.id} of term ${m.term} advertised commit index ${m.commit}, an entry of term ${t}, counted by replicas`);
  }

  /**
   * §5.2 and Figure 2: a server votes for at most one candidate in a term (a candidate for
   * itself), and persists the vote before answering, so a crash cannot make it forget. Two
   * votes break election safety only when both candidates also reach a quorum; the double
   * vote itself is the breach, seen from the messages on the wire.
   */
  private noteVote(voter: NodeId, term: number, candidate: NodeId): void {
    const key = `${voter}/${term}`;
    const prev = this.voteOf.get(key);
    if (prev === undefined) this.voteOf.set(key, candidate);
    else if (prev !== candidate) this.fail("vote-once", `node ${voter} voted for ${prev} and for ${candidate} in term ${term}`);
  }

  /** What each node has on stable storage: the term of each index it holds, and its snapshot's index. */
  private readonly durable = new Map<NodeId, { snapIndex: number; terms: number[] }>();

  /**
   * A host starts from what its disk holds, all of it durable now (a torn write may have
   * left more than was ever fsynced; what a crash dropped is gone): that replaces the record.
   */
  onStart(host: RaftHost): void {
    const log = host.rn.raft.log;
    const terms: number[] = [];
    for (let i = log.snapIndex + 1; i <= log.stabled; i++) terms.push(log.term(i)!);
    this.durable.set(host.id, { snapIndex: log.snapIndex, terms });
  }

  onDurable(host: RaftHost, entries: readonly Entry[], snapshot: Snapshot | undefined): void {
    let d = this.durable.get(host.id);
    if (!d || snapshot) {
      d = { snapIndex: snapshot?.index ?? 0, terms: [] };
      this.durable.set(host.id, d);
    }
    if (entries.length === 0) return;
    // A write from index i on replaces whatever the WAL held from i (a truncated suffix).
    d.terms.length = Math.max(0, entries[0]!.index - d.snapIndex - 1);
    for (const e of entries) d.terms.push(e.term);
  }

  /** Whether `id` has entry index@term on stable storage (or a snapshot covering it: committed, so the same entry). */
  private holdsDurably(id: NodeId, index: number, term: number): boolean {
    const d = this.durable.get(id);
    if (!d) return false;
    if (index <= d.snapIndex) return true;
    return d.terms[index - d.snapIndex - 1] === term;
  }

  /**
   * Figure 2 (followers respond after persisting; a leader counts itself once it has):
   * when a leader commits index N, a quorum of its configuration has entry N on stable
   * storage, so no crash can lose it.
   */
  private checkCommitDurable(host: RaftHost, to: number): void {
    const r = host.rn.raft;
    const term = r.log.term(to);
    if (term === undefined || to <= r.log.snapIndex) return;
    const conf = r.commitConf;
    const holds = new Map<NodeId, boolean>();
    for (const id of [...conf.voters, ...conf.votersOutgoing]) holds.set(id, this.holdsDurably(id, to, term));
    if (jointVote(conf, holds) !== "won") {
      const on = [...holds].filter(([, h]) => h).map(([id]) => id);
      this.fail("commit-durable", `leader ${host.id} of term ${r.term} committed index ${to}@${term}, on stable storage only on ${on.length > 0 ? on.join(", ") : "no member"} of voters ${JSON.stringify(conf.voters)}${conf.votersOutgoing.length > 0 ? `/${JSON.stringify(conf.votersOutgoing)}` : ""}`);
    }
  }

  onCommit(host: RaftHost, from: number, to: number): void {
    const log = host.rn.raft.log;
    const term = host.rn.raft.term;
    if (host.rn.raft.role === "leader") this.checkCommitDurable(host, to);
    // §5.4.2: a leader advances its commit index only onto an entry of its own term. What
    // it learned as a follower (the commit index it took office with) may be older.
    const inherited = this.inheritedCommit.get(`${host.id}/${term}`);
    if (host.rn.raft.role === "leader" && inherited !== undefined && to > inherited && log.term(to) !== term) {
      this.fail("commit-rule", `leader ${host.id} of term ${term} committed index ${to} of term ${log.term(to)} by counting replicas`);
    }
    for (let i = Math.max(from, log.snapIndex + 1); i <= to; i++) {
      const t = log.term(i);
      if (t === undefined) continue;
      const c = this.committed.get(i);
      if (c === undefined) this.committed.set(i, { term: t, seenInTerm: term });
      else {
        if (c.term !== t) this.fail("committed-changed", `entry ${i} committed as term ${c.term}, node ${host.id} commits term ${t}`);
        if (term < c.seenInTerm) this.committed.set(i, { term: c.term, seenInTerm: term });
      }
    }
    if (to > this.maxCommitted) this.maxCommitted = to;
  }

  onRestore(host: RaftHost, snap: { index: number }): void {
    this.lastApplied.set(host, snap.index);
  }

  onApply(host: RaftHost, e: Entry): void {
    const last = this.lastApplied.get(host) ?? host.rn.raft.log.applied;
    if (e.index !== last + 1 && e.index > last) this.fail("applied-diverged", `node ${host.id} applied ${e.index} after ${last}`);
    this.lastApplied.set(host, Math.max(last, e.index));
    const h = e.type === "normal" ? crc32(e.data) : -1;
    const prev = this.applied.get(e.index);
    if (prev === undefined) this.applied.set(e.index, { term: e.term, hash: h });
    else if (prev.term !== e.term || prev.hash !== h) {
      this.fail("applied-diverged", `node ${host.id} applied ${e.index}@${e.term}, another node applied ${e.index}@${prev.term}`);
    }
  }

  /**
   * Thesis §4.3: C_new follows C_old,new. A leader in a joint configuration always has the
   * entry that leaves it in flight (past its applied index); one that applied everything up
   * to its last configuration entry and is still joint stays so for ever, every later
   * change refused as pending. Judged on the given live hosts, at the end of a run.
   */
  checkJointLeft(hosts: RaftHost[]): void {
    for (const h of hosts) {
      const r = h.rn.raft;
      if (r.role !== "leader" || !isJoint(r.conf) || r.log.applied < r.pendingConfIndex) continue;
      this.fail("joint-left", `leader ${h.id} of term ${r.term} is in the joint configuration ${JSON.stringify(r.conf.voters)}/${JSON.stringify(r.conf.votersOutgoing)} with no entry leaving it in flight (applied ${r.log.applied}, last configuration entry at ${r.pendingConfIndex})`);
    }
  }

  /** Log matching up to the commit index across the given live hosts (Figure 3). */
  checkLogs(hosts: RaftHost[]): void {
    for (let a = 0; a < hosts.length; a++) {
      for (let b = a + 1; b < hosts.length; b++) {
        const la = hosts[a]!.rn.raft.log;
        const lb = hosts[b]!.rn.raft.log;
        const hi = Math.min(la.committed, lb.committed);
        for (let i = Math.max(la.snapIndex, lb.snapIndex) + 1; i <= hi; i++) {
          if (la.term(i) !== lb.term(i)) {
            this.fail("log-matching", `nodes ${hosts[a]!.id} and ${hosts[b]!.id} differ at committed index ${i}: ${la.term(i)} vs ${lb.term(i)}`);
            break;
          }
        }
      }
    }
  }
}
