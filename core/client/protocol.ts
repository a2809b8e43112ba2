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
}

/** WatchProgressRequest on the stream of one watcher (etcd: sent on the stream, answered on it). */
export interface WatchProgressMsg {
  clientId: number;
  watcherId: number;
}

export interface WatchResponseMsg {
  watcherId: number;
  response: WatchResponse;
}
