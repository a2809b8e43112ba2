// etcd's membership rules (Cluster service) as pure functions of what one member knows:
// the Raft configuration, which peers it has heard from, and (on the leader) how far each
// one's log matches. The checks follow etcd's server.go with --strict-reconfig-check on
// (its default): mayAddMember, mayRemoveMember, mayPromoteMember / isLearnerReady, and
// the IsReadyTo{Add,Remove,Promote} counts of started voting members.
import {
  ERR_LEARNER_NOT_READY, ERR_MEMBER_BAD_URLS, ERR_PEER_URL_EXIST, ERR_MEMBER_NOT_ENOUGH_STARTED, ERR_MEMBER_NOT_FOUND,
  ERR_MEMBER_NOT_LEARNER, ERR_NOT_LEADER, ERR_TOO_MANY_LEARNERS, ERR_UNHEALTHY, LEARNER_READY_FRACTION, MAX_LEARNERS,
  type Member, type MemberAddRequest,
} from "./api";

/** The configuration as Raft holds it (core/raft ConfState); the incoming voters are the members. */
export interface MemberConf {
  readonly voters: readonly number[];
  readonly votersOutgoing: readonly number[];
  readonly learners: readonly number[];
}

/** What the member deciding knows about its peers. */
export interface PeerView {
  readonly self: number;
  readonly conf: MemberConf;
  /** Has this member ever heard from `id` (etcd: the member has published itself, "started")? */
  started(id: number): boolean;
  /** Has it heard from `id` recently (etcd: connected within the health interval)? */
  active(id: number): boolean;
  /** Leader only: the Raft match index of `id` (undefined when not tracked or not leader). */
  match(id: number): number | undefined;
}

export const PEER_PORT = 2380;
export const CLIENT_PORT = 2379;

export function peerUrl(id: number): string {
  return `http://n${id}:${PEER_PORT}`;
}

/** A member's ID in the simulation is its node id, named by its peer URL (etcd derives IDs from peer URLs too). */
export function memberIdFromPeerUrl(url: string): number | undefined {
  const m = /^http:\/\/n([1-9]\d{0,8}):2380$/.exec(url);
  return m ? Number(m[1]) : undefined;
}

export function memberOf(id: number, isLearner: boolean): Member {
  return { ID: id, name: `n${id}`, peerURLs: [peerUrl(id)], clientURLs: [`http://n${id}:${CLIENT_PORT}`], isLearner };
}

/** The member list: voters of the incoming configuration and learners, by ID. */
export function membersOf(conf: MemberConf): Member[] {
  const learners = new Set(conf.learners);
  const ids = [...new Set([...conf.voters, ...conf.learners])].sort((a, b) => a - b);
  return ids.map((id) => memberOf(id, learners.has(id) && !conf.voters.includes(id)));
}

function isMember(conf: MemberConf, id: number): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

function isLearner(conf: MemberConf, id: number): boolean {
  return conf.learners.includes(id) && !conf.voters.includes(id);
}

function quorum(members: number): number {
  return Math.floor(members / 2) + 1;
}

function startedVoters(view: PeerView, skip?: number): { members: number; started: number } {
  let members = 0;
  let started = 0;
  for (const id of view.conf.voters) {
    if (id === skip) continue;
    members++;
    if (id === view.self || view.started(id)) started++;
  }
  return { members, started };
}

/** Which node a MemberAdd names, or the error etcd gives. */
export function checkMemberAdd(view: PeerView, req: MemberAddRequest): { error: string } | { id: number } {
  const ids = (req.peerURLs ?? []).map(memberIdFromPeerUrl);
  const id = ids[0];
  if (id === undefined || ids.some((other) => other !== id)) return { error: ERR_MEMBER_BAD_URLS };
  // The ID is the URL here, so a current member's URL is what etcd reports (its own IDs
  // also mix in the time, so re-adding a URL gives a new ID but the same URL).
  if (isMember(view.conf, id) || view.conf.votersOutgoing.includes(id)) return { error: ERR_PEER_URL_EXIST };
  if (req.isLearner) {
    const learners = view.conf.learners.filter((l) => !view.conf.voters.includes(l)).length;
    if (learners >= MAX_LEARNERS) return { error: ERR_TOO_MANY_LEARNERS };
  } else {
    // IsReadyToAddVotingMember: the started voters must stay a quorum of the grown cluster.
    const { members, started } = startedVoters(view);
    const grown = members + 1;
    if (!(started === 1 && grown === 2) && started < quorum(grown)) return { error: ERR_MEMBER_NOT_ENOUGH_STARTED };
  }
  // isConnectedFullySince: this member must be in touch with every voter.
  for (const v of view.conf.voters) if (v !== view.self && !view.active(v)) return { error: ERR_UNHEALTHY };
  return { id };
}

/** The error etcd gives for MemberRemove(id), or undefined when the change may be proposed. */
export function checkMemberRemove(view: PeerView, id: number): string | undefined {
  if (!isMember(view.conf, id)) return ERR_MEMBER_NOT_FOUND;
  if (isLearner(view.conf, id)) return undefined; // a learner is not part of any quorum
  const { members, started } = startedVoters(view, id);
  if (started < quorum(members)) return ERR_MEMBER_NOT_ENOUGH_STARTED;
  // A member that is down is safe to remove: it is not part of the active quorum.
  if (id !== view.self && !view.active(id)) return undefined;
  let active = 0;
  for (const v of view.conf.voters) if (v === view.self || view.active(v)) active++;
  if (active - 1 < 1 + Math.floor((view.conf.voters.length - 1) / 2)) return ERR_UNHEALTHY;
  return undefined;
}

/** The error etcd gives for MemberPromote(id), or undefined. Only the leader knows if a learner is in sync. */
export function checkMemberPromote(view: PeerView, id: number): string | undefined {
  const leaderMatch = view.match(view.self);
  if (leaderMatch === undefined) return ERR_NOT_LEADER;
  if (!isMember(view.conf, id)) return ERR_MEMBER_NOT_FOUND;
  if (!isLearner(view.conf, id)) return ERR_MEMBER_NOT_LEARNER;
  const learnerMatch = view.match(id) ?? 0;
  if (learnerMatch < leaderMatch * LEARNER_READY_FRACTION) return ERR_LEARNER_NOT_READY;
  // IsReadyToPromoteMember: the learner counts as started and as a future voter.
  const { members, started } = startedVoters(view);
  if (started + 1 < quorum(members + 1)) return ERR_MEMBER_NOT_ENOUGH_STARTED;
  return undefined;
}
