// A single-member server without Raft: validate, then apply at the next index. The
// reference driver for unit tests and the conformance suite (and a model for the host).
import type { EtcdRequest, EtcdResponse } from "./api";
import { encodeRequest } from "./codec";
import { KvServer, type ServerConfig } from "./server";

export class LocalServer {
  readonly server: KvServer;
  private index = 0;
  nowUs = 0;

  constructor(config: ServerConfig = {}) {
    this.server = new KvServer(config);
    this.server.promote(this.nowUs, 0); // the only member is the leader
  }

  request(req: EtcdRequest): EtcdResponse {
    const err = this.server.validate(req);
    if (err !== undefined) return { error: err };
    if (req.type === "leaseKeepAlive") return this.server.leaseKeepAlive(req.ID, this.nowUs);
    if (req.type === "leaseTimeToLive") return this.server.leaseTimeToLive(req, this.nowUs);
    if (req.type === "leaseLeases") return this.server.leaseLeases();
    if (req.type === "range" && req.serializable) return this.server.query(req);
    const resp = this.server.apply(++this.index, encodeRequest(req), this.nowUs);
    if (resp === undefined) throw new Error("LocalServer: apply returned nothing");
    return resp;
  }

  /** Advances the local clock and revokes the leases the (leader) lessor finds expired. */
  advanceUs(us: number): void {
    this.nowUs += us;
    for (const id of this.server.expiredLeases(this.nowUs)) this.request({ type: "leaseRevoke", ID: id });
  }
}
