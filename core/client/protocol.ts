// Messages between clients and servers over the simulated network. Requests carry a
// (clientId, requestId) pair so the member that proposed a write can answer it once applied.
import type { AdminRequest, AdminResponse, EtcdRequest, EtcdResponse, WatchCreateRequest, WatchResponse } from "../server/api";

/** Everything a client may send: the KV/lease API, and the cluster and maintenance API. */
export type ClientRequest = EtcdRequest | AdminRequest;
export type ClientResponse = EtcdResponse | AdminResponse;

export const MSG_CLIENT_REQUEST = "client-req";
export const MSG_CLIENT_RESPONSE = "client-resp";
export const MSG_WATCH_CREATE = "watch-create";
export const MSG_WATCH_RESPONSE = "watch-resp";
export const MSG_WATCH_PROGRESS = "watch-progress";
export const MSG_WATCH_CANCEL = "watch-cancel";

export interface ClientRequestMsg {
  clientId: number;
  requestId: number;
  request: ClientRequest;
}

export interface ClientResponseMsg {
  requestId: number;
  response: ClientResponse;
  /** A hint where the leader is, when the member could not serve the request. */
  leaderHint?: number;
}

export interface WatchCreateMsg {
  clientId: number;
  watcherId: number;
  request: WatchCreateRequest;
  /**
   * The stream requires a leader (clientv3's WithRequireLeader, gRPC metadata, as
   * kube-apiserver's watches have): a member without a leader refuses it, and cancels it
   * once it has had no leader for 3 election timeouts.
   */
  requireLeader?: boolean;
}

/** WatchProgressRequest on the stream of one watcher (etcd: sent on the stream, answered on it). */
export interface WatchProgressMsg {
  clientId: number;
  watcherId: number;
}

/**
 * WatchCancelRequest for one watcher: sent when a client abandons a stream (it broke, went
 * silent, or its lifetime is over), as clientv3 does on close and as a closed gRPC stream
 * makes etcd cancel its watchers. Without it a member would keep serving a dead stream.
 */
export interface WatchCancelMsg {
  clientId: number;
  watcherId: number;
}

export interface WatchResponseMsg {
  watcherId: number;
  response: WatchResponse;
}
