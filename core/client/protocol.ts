// Messages between clients and servers over the simulated network. Requests carry a
// (clientId, requestId) pair so the member that proposed a write can answer it once applied.
import type { EtcdRequest, EtcdResponse, WatchCreateRequest, WatchResponse } from "../server/api";

export const MSG_CLIENT_REQUEST = "client-req";
export const MSG_CLIENT_RESPONSE = "client-resp";
export const MSG_WATCH_CREATE = "watch-create";
export const MSG_WATCH_RESPONSE = "watch-resp";

export interface ClientRequestMsg {
  clientId: number;
  requestId: number;
  request: EtcdRequest;
}

export interface ClientResponseMsg {
  requestId: number;
  response: EtcdResponse;
  /** A hint where the leader is, when the member could not serve the request. */
  leaderHint?: number;
}

export interface WatchCreateMsg {
  clientId: number;
  watcherId: number;
  request: WatchCreateRequest;
}

export interface WatchResponseMsg {
  watcherId: number;
  response: WatchResponse;
}
