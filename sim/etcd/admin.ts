// The Cluster and Maintenance services of one etcd member: member list / add / remove /
// promote, status, and snapshot. List, status and snapshot are answered locally by the
// member asked; add / remove / promote are checked against etcd's strict reconfiguration
// rules (core/server/cluster.ts) on the leader and proposed as Raft conf changes
// (joint consensus for voters, learners directly). The answer comes once the change is
// applied on the leader, with the member list it leads to.
import {
  ERR_NO_LEADER, ERR_NOT_LEADER, ERR_TIMEOUT, type AdminRequest, type AdminResponse, type ResponseHeader,
} from "../../core/server/api";
import { encodeBackend } from "../../core/server/backend";
import { checkMemberAdd, checkMemberPromote, checkMemberRemove, memberOf, membersOf, type PeerView } from "../../core/server/cluster";
import type { KvServer } from "../../core/server/server";
import { applyConfChange } from "../../core/raft/confchange";
import type { ConfChange } from "../../core/raft/types";
import type { RaftHost } from "../host/node_host";
import type { NodeContext } from "../process";
import type { NodeId } from "../trace/types";

export const SIM_SERVER_VERSION = "3.4.0-raftsim";

export interface AdminDeps {
  readonly ctx: NodeContext;
  host(): RaftHost;
  readonly server: KvServer;
  /** A peer counts as active when heard from within this long (etcd: HealthInterval, 5 s). */
  readonly activeWindowUs: number;
  /** Bytes of the backend image on disk (status' dbSize). */
  dbSizeBytes(): number;
  reply(to: NodeId, requestId: number, response: AdminResponse, leaderHint?: number): void;
}

export class AdminService {
  /** Local time each peer was last heard from (any message): etcd's transport ActiveSince. */
  private readonly heardUs = new Map<NodeId, number>();

  constructor(private readonly deps: AdminDeps) {}

  /** Every message from a peer passes here before the Raft host sees it. */
  notePeer(from: NodeId): void {
    this.heardUs.set(from, this.deps.ctx.nowUs());
  }

  private header(): ResponseHeader {
    const s = this.deps.host().status();
    return { revision: this.deps.server.currentRevision(), memberId: this.deps.ctx.id, raftTerm: s.term };
  }

  private view(): PeerView {
    const host = this.deps.host();
    const raft = host.rn.raft;
    const now = this.deps.ctx.nowUs();
    return {
      self: this.deps.ctx.id,
      conf: raft.conf,
      started: (id) => this.heardUs.has(id),
      active: (id) => {
        const t = this.heardUs.get(id);
        return t !== undefined && now - t <= this.deps.activeWindowUs;
      },
      match: (id) => (host.isLeader() ? raft.prs.get(id)?.match : undefined),
    };
  }

  handle(from: NodeId, requestId: number, req: AdminRequest): void {
    const reply = (r: AdminResponse, hint?: number) => this.deps.reply(from, requestId, r, hint);
    const host = this.deps.host();
    switch (req.type) {
      case "memberList":
        return reply({ type: "memberList", header: this.header(), members: membersOf(host.rn.raft.conf) });
      case "status":
        return reply({ type: "status", header: this.header(), ...this.status() });
      case "snapshot": {
        // Like etcd's Maintenance.Snapshot: this member's backend as of now (its applied
        // index is the consistent index inside the image), streamed whole in one message.
        const image = encodeBackend(this.deps.server.snapshot());
        return reply({ type: "snapshot", header: this.header(), remainingBytes: 0, blob: Buffer.from(image).toString("base64") });
      }
      default:
        return this.reconfigure(req, reply);
    }
  }

  private status() {
    const s = this.deps.host().status();
    return {
      version: SIM_SERVER_VERSION,
      dbSize: this.deps.dbSizeBytes(),
      leader: s.lead,
      raftIndex: s.lastIndex,
      raftTerm: s.term,
      raftAppliedIndex: this.deps.server.appliedIndex(),
      isLearner: s.isLearner,
      errors: [] as string[],
    };
  }

  private reconfigure(req: Exclude<AdminRequest, { type: "memberList" | "status" | "snapshot" }>, reply: (r: AdminResponse, hint?: number) => void): void {
    const host = this.deps.host();
    const lead = host.status().lead;
    // Only the leader has the peers' progress; others send the client there.
    if (!host.isLeader()) return reply({ error: lead ? ERR_NOT_LEADER : ERR_NO_LEADER }, lead);
    const view = this.view();
    let cc: ConfChange;
    let added: number | undefined;
    switch (req.type) {
      case "memberAdd": {
        const r = checkMemberAdd(view, req);
        if ("error" in r) return reply({ error: r.error });
        added = r.id;
        cc = { changes: [{ op: req.isLearner ? "add-learner" : "add-voter", node: r.id }] };
        break;
      }
      case "memberRemove": {
        const error = checkMemberRemove(view, req.ID);
        if (error) return reply({ error });
        cc = { changes: [{ op: "remove-node", node: req.ID }] };
        break;
      }
      case "memberPromote": {
        const error = checkMemberPromote(view, req.ID);
        if (error) return reply({ error }, error === ERR_NOT_LEADER ? lead : undefined);
        cc = { changes: [{ op: "add-voter", node: req.ID }] };
        break;
      }
    }
    host.proposeConfChange(cc, (r) => {
      // Refused (a change still pending, a leader transfer) or lost to a new leader: etcd's
      // proposal would be dropped and the caller would time out.
      if (!r.ok) return reply({ error: ERR_TIMEOUT });
      // The host answers proposals as it applies them, before Raft takes the new
      // configuration in (advance): compute the configuration this entry leads to.
      const members = membersOf(applyConfChange(this.deps.host().rn.raft.conf, cc));
      const header = this.header();
      if (req.type === "memberAdd") return reply({ type: "memberAdd", header, member: memberOf(added!, req.isLearner ?? false), members });
      reply({ type: req.type, header, members });
    });
  }
}
