// An operator's client (think etcdctl) on the simulated network: sends cluster and
// maintenance requests one at a time through the ordinary client protocol and session
// (sticky member, switching to the leader on "not leader"), queueing the rest. What it
// asked and what it got back is written to the trace as notes.
import { worldClientTransport } from "../client_transport";
import { assert } from "../../core/assert";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import { ClientSession, type Outcome } from "../../core/client/session";
import type { AdminRequest, AdminResponse } from "../../core/server/api";
import type { NodeId } from "../trace/types";
import type { World } from "../world";

export const OPERATOR_CLIENT_ID = 98;
export const OPERATOR_TIMEOUT_US = 5_000_000;

interface Job {
  members: () => NodeId[];
  request: AdminRequest;
  done: (outcome: Outcome<AdminResponse>) => void;
}

export class Operator {
  private session: ClientSession | undefined;
  private readonly queue: Job[] = [];
  private busy = false;

  constructor(
    private readonly world: World,
    readonly clientId = OPERATOR_CLIENT_ID,
    private readonly timeoutUs = OPERATOR_TIMEOUT_US,
  ) {
    world.network.register(clientId, (from, msgType, payload) => {
      if (msgType === MSG_CLIENT_RESPONSE) this.session?.onResponse(from, payload as ClientResponseMsg);
    });
  }

  /** Sends `request` to one of `members()` (evaluated when its turn comes). */
  request(members: () => NodeId[], request: AdminRequest, done: (outcome: Outcome<AdminResponse>) => void): void {
    this.queue.push({ members, request, done });
    this.next();
  }

  private next(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) return;
    const members = job.members();
    if (members.length === 0) {
      job.done({ status: "unknown", reason: "no member to ask" });
      return this.next();
    }
    this.busy = true;
    const world = this.world;
    // One session for the operator's whole life: members drop requests whose id is not
    // above the highest they have seen from this client (duplicate suppression).
    this.session ??= new ClientSession(this.clientId, members, worldClientTransport(world, this.clientId), this.timeoutUs, world.streams.stream("operator"));
    // The member list may have changed since the last request; a single target is asked directly.
    this.session.setMembers(members, members.length === 1 ? members[0] : undefined);
    const session = this.session;
    world.record({ tUs: world.nowUs, type: "note", node: session.member, text: `operator: ${describe(job.request)}` });
    session.request(job.request, (outcome) => {
      assert(this.busy, "operator answer without a request");
      world.record({ tUs: world.nowUs, type: "note", node: session.member, text: `operator: ${describe(job.request)} -> ${describeOutcome(outcome)}` });
      this.busy = false;
      job.done(outcome);
      this.next();
    });
  }
}

function describe(req: AdminRequest): string {
  switch (req.type) {
    case "memberAdd":
      return `member add ${req.peerURLs.join(",")}${req.isLearner ? " --learner" : ""}`;
    case "memberRemove":
      return `member remove ${req.ID}`;
    case "memberPromote":
      return `member promote ${req.ID}`;
    case "memberList":
      return "member list";
    default:
      return req.type;
  }
}

function describeOutcome(o: Outcome<AdminResponse>): string {
  if (o.status === "unknown") return `unknown (${o.reason})`;
  if ("error" in o.response && o.response.error !== undefined) return o.response.error;
  const r = o.response;
  if ("members" in r) return `ok, members ${r.members.map((m) => `${m.ID}${m.isLearner ? "(learner)" : ""}`).join(",")}`;
  if (r.type === "snapshot") return `ok, ${Math.floor((r.blob.length * 3) / 4)} bytes`;
  return "ok";
}
