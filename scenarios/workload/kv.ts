// The kv workload: several clients issue a mix of get / range / put / delete / txn (CAS) /
// lease / compact requests over a small key space, so operations conflict. Each client has
// one request outstanding; arrivals are Poisson at the scenario's rate.
import { worldClientTransport } from "../../sim/client_transport";
import { ClientSession, type Outcome } from "../../core/client/session";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import type { EtcdRequest, EtcdResponse } from "../../core/server/api";
import type { Rng } from "../../sim/rng";
import type { World } from "../../sim/world";
import type { WorkloadSpec } from "../types";
import type { HistoryRecorder } from "./history";

export const CLIENT_ID_BASE = 100;

export interface WorkloadHandle {
  sessions: ClientSession[];
  /** Stop issuing new requests (outstanding ones still complete or time out). */
  stop(): void;
}

type OpType = keyof WorkloadSpec["mix"];

export function keyName(i: number): string {
  return `k${i}`;
}

export function startKvWorkload(world: World, spec: WorkloadSpec, members: () => number[], recorder: HistoryRecorder, rng: Rng): WorkloadHandle {
  const weights = (Object.entries(spec.mix) as [OpType, number][]).filter(([, w]) => w > 0);
  const totalWeight = weights.reduce((a, [, w]) => a + w, 0);
  let stopped = false;
  const sessions: ClientSession[] = [];
  const meanGapUs = spec.ratePerSec > 0 ? (1e6 * spec.clients) / spec.ratePerSec : 0;

  for (let c = 0; c < spec.clients; c++) {
    const clientId = CLIENT_ID_BASE + c;
    const crng = world.streams.stream(`client${clientId}`);
    const session = new ClientSession(
      clientId,
      members(),
      worldClientTransport(world, clientId),
      spec.requestTimeoutMs * 1_000,
      crng,
    );
    sessions.push(session);
    world.network.register(clientId, (from, msgType, payload) => {
      if (msgType === MSG_CLIENT_RESPONSE) session.onResponse(from, payload as ClientResponseMsg);
    });
    const state: ClientState = { clientId, seq: 0, lease: 0, lastRevision: 1, lastModRevision: new Map() };
    const next = () => {
      if (stopped) return;
      if (session.busy) return;
      const opType = pickOp(weights, totalWeight, crng);
      const { request, linearizable } = makeRequest(opType, state, spec, crng);
      session.setMembers(members());
      if (spec.balancer === "round-robin") session.rotate();
      const op = recorder.invoke(clientId, opType, request, session.member, linearizable);
      session.request(request, (outcome: Outcome) => {
        const response = outcome.status === "unknown" ? null : outcome.response;
        recorder.complete(op, outcome.status, response);
        if (response) learn(state, request, response);
        world.scheduler.after(gap(), next);
      });
    };
    const gap = () => (meanGapUs > 0 ? Math.round(crng.exponential(meanGapUs)) : 1_000);
    world.scheduler.after(gap(), next);
  }
  void rng;
  return { sessions, stop: () => void (stopped = true) };
}

interface ClientState {
  clientId: number;
  seq: number;
  lease: number;
  lastRevision: number;
  lastModRevision: Map<string, number>;
}

function pickOp(weights: [OpType, number][], total: number, rng: Rng): OpType {
  let x = rng.uniform(0, total);
  for (const [op, w] of weights) {
    if (x < w) return op;
    x -= w;
  }
  return weights[weights.length - 1]![0];
}

function value(state: ClientState, spec: WorkloadSpec): string {
  const v = `c${state.clientId}-${++state.seq}`;
  return v.length >= spec.valueBytes ? v : v + ".".repeat(spec.valueBytes - v.length);
}

function makeRequest(opType: OpType, state: ClientState, spec: WorkloadSpec, rng: Rng): { request: EtcdRequest; linearizable: boolean } {
  const key = keyName(rng.int(0, spec.keys));
  switch (opType) {
    case "get":
      return { request: { type: "range", key }, linearizable: true };
    case "getSerializable":
      return { request: { type: "range", key, serializable: true }, linearizable: false };
    case "range":
      return { request: { type: "range", key: "k", rangeEnd: "l", ...(rng.chance(0.5) ? { limit: rng.int(1, 4) } : {}) }, linearizable: true };
    case "put":
      return { request: { type: "put", key, value: value(state, spec), ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    case "delete":
      return { request: { type: "deleteRange", key, ...(rng.chance(0.3) ? { prevKv: true } : {}) }, linearizable: true };
    case "txn": {
      // Compare-and-swap on the modRevision this client last saw (0 = key absent).
      const seen = state.lastModRevision.get(key) ?? 0;
      return {
        request: {
          type: "txn",
          compare: [{ key, target: "MOD", result: "EQUAL", modRevision: seen }],
          success: [{ type: "put", key, value: value(state, spec) }],
          failure: [{ type: "range", key }],
        },
        linearizable: true,
      };
    }
    case "lease": {
      if (state.lease === 0 || rng.chance(0.2)) {
        state.lease = state.clientId * 1_000_000 + ++state.seq;
        return { request: { type: "leaseGrant", ID: state.lease, TTL: rng.int(2, 6) }, linearizable: true };
      }
      const r = rng.int(0, 3);
      if (r === 0) return { request: { type: "put", key, value: value(state, spec), lease: state.lease }, linearizable: true };
      if (r === 1) return { request: { type: "leaseKeepAlive", ID: state.lease }, linearizable: true };
      const id = state.lease;
      state.lease = 0;
      return { request: { type: "leaseRevoke", ID: id }, linearizable: true };
    }
    case "compact":
      return { request: { type: "compact", revision: Math.max(1, state.lastRevision - rng.int(0, 5)) }, linearizable: true };
    default:
      return { request: { type: "range", key }, linearizable: true };
  }
}

function learn(state: ClientState, request: EtcdRequest, response: EtcdResponse): void {
  if ("error" in response && response.error) return;
  const r = response as { header?: { revision: number }; kvs?: { key: string; modRevision: number }[] };
  if (r.header && r.header.revision > state.lastRevision) state.lastRevision = r.header.revision;
  if (request.type === "range" && r.kvs) {
    if (r.kvs.length === 0 && !request.rangeEnd) state.lastModRevision.set(request.key, 0);
    for (const kv of r.kvs) state.lastModRevision.set(kv.key, kv.modRevision);
  }
  if (request.type === "put" && r.header) state.lastModRevision.set(request.key, r.header.revision);
  if (request.type === "deleteRange") state.lastModRevision.set(request.key, 0);
}
