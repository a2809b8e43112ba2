// A client session: sends each request to one member (sticky, switching on failure) with
// a per-request timeout. An outcome that is not known — a timeout, the member gone — is
// reported as "unknown" and never retried as if it were the same operation. Only errors
// that prove the request was not applied (e.g. "not leader" before proposing) are retried,
// at a bounded count, on another member.
import { assert } from "../assert";
import type { Rand } from "../rand";
import { ERR_NO_LEADER, ERR_NOT_LEADER, type AdminRequest, type AdminResponse, type EtcdRequest, type EtcdResponse } from "../server/api";
import { MSG_CLIENT_REQUEST, type ClientRequest, type ClientResponse, type ClientRequestMsg, type ClientResponseMsg } from "./protocol";

export interface ClientTransport {
  nowUs(): number;
  send(to: number, msgType: string, payload: unknown, bytes: number): void;
  setTimer(delayUs: number, fn: () => void): { cancelled: boolean };
}

export type Outcome<R = EtcdResponse> = { status: "ok"; response: R } | { status: "fail"; response: R } | { status: "unknown"; reason: string };

/** Errors that prove the request never took effect: safe to send again elsewhere. */
const RETRYABLE_NOT_APPLIED = new Set([ERR_NOT_LEADER, ERR_NO_LEADER]);
export const RETRIES_NOT_APPLIED_MAX = 3;

interface Pending {
  requestId: number;
  request: ClientRequest;
  member: number;
  attempts: number;
  timer: { cancelled: boolean };
  done: (outcome: Outcome<ClientResponse>) => void;
}

export class ClientSession {
  private memberIndex: number;
  private rotationIndex: number;
  private followedHint = false;
  private requestIdNext = 1;
  private pending: Pending | undefined;

  constructor(
    readonly clientId: number,
    private members: number[],
    private readonly transport: ClientTransport,
    private readonly timeoutUs: number,
    rand: Rand,
  ) {
    assert(members.length > 0, "a client needs at least one member");
    this.memberIndex = rand.int(0, members.length);
    this.rotationIndex = this.memberIndex;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  get member(): number {
    return this.members[this.memberIndex % this.members.length]!;
  }

  /** Replaces the member list; `prefer` (when listed) becomes the member asked next. */
  setMembers(members: number[], prefer?: number): void {
    if (members.length > 0) this.members = members.slice();
    const i = prefer === undefined ? -1 : this.members.indexOf(prefer);
    if (i >= 0) this.memberIndex = i;
    this.rotationIndex = this.memberIndex % this.members.length;
  }

  /**
   * Round-robin balancing (etcd's clientv3 spreads unary calls over its endpoints): the next
   * new request goes to the next member in rotation. Retries still follow hints as usual.
   */
  rotate(): void {
    this.followedHint = false;
    this.rotationIndex = (this.memberIndex + 1) % this.members.length;
    this.memberIndex = this.rotationIndex;
  }

  /** One request at a time: a client has at most one operation outstanding. */
  request(request: EtcdRequest, done: (outcome: Outcome) => void): void;
  request(request: AdminRequest, done: (outcome: Outcome<AdminResponse>) => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads above type each caller
  request(request: ClientRequest, done: (outcome: Outcome<any>) => void): void {
    assert(!this.pending, () => `client ${this.clientId} already has a request outstanding`);
    this.send({ requestId: this.requestIdNext++, request, member: this.member, attempts: 1, timer: { cancelled: true }, done });
  }

  private send(p: Pending): void {
    this.pending = p;
    const msg: ClientRequestMsg = { clientId: this.clientId, requestId: p.requestId, request: p.request };
    this.transport.send(p.member, MSG_CLIENT_REQUEST, msg, 64 + JSON.stringify(p.request).length);
    p.timer = this.transport.setTimer(this.timeoutUs, () => {
      if (this.pending !== p) return;
      this.pending = undefined;
      this.switchMember();
      p.done({ status: "unknown", reason: "request timed out" });
    });
  }

  onResponse(from: number, msg: ClientResponseMsg): void {
    const p = this.pending;
    if (!p || msg.requestId !== p.requestId || from !== p.member) return; // late or stray
    p.timer.cancelled = true;
    this.pending = undefined;
    const r = msg.response;
    if ("error" in r && typeof r.error === "string") {
      if (RETRYABLE_NOT_APPLIED.has(r.error) && p.attempts < RETRIES_NOT_APPLIED_MAX) {
        this.switchMember(msg.leaderHint);
        // A fresh request id: the old one is finished (definitely not applied).
        this.send({ ...p, requestId: this.requestIdNext++, member: this.member, attempts: p.attempts + 1 });
        return;
      }
      if (RETRYABLE_NOT_APPLIED.has(r.error)) this.switchMember(msg.leaderHint);
      p.done({ status: "fail", response: r });
      return;
    }
    p.done({ status: "ok", response: r });
  }

  /**
   * Moves to the hinted leader, or else to the next member in rotation. The rotation has its
   * own position and a hint is followed at most once in a row: members with stale beliefs
   * (a removed member, say) can point at each other, and following them would loop forever.
   */
  private switchMember(hint?: number): void {
    const followHint = !this.followedHint && hint !== undefined && hint !== 0 && hint !== this.member && this.members.includes(hint);
    this.followedHint = followHint;
    if (followHint) {
      this.memberIndex = this.members.indexOf(hint!);
      return;
    }
    const current = this.member;
    this.rotationIndex = (this.rotationIndex + 1) % this.members.length;
    if (this.members[this.rotationIndex] === current) this.rotationIndex = (this.rotationIndex + 1) % this.members.length;
    this.memberIndex = this.rotationIndex;
  }

}
