// The kv workload: several clients issue a mix of get / range / put / delete / txn / lease /
// compact requests over a small key space, so operations conflict (the request shapes of
// each type: kv-requests.ts). Each client has one request outstanding; arrivals are
// Poisson at the scenario's rate.
import { worldClientTransport } from "../../sim/client_transport";
import { ClientSession, type Outcome } from "../../core/client/session";
import { MSG_CLIENT_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import type { Rng } from "../../sim/rng";
import type { World } from "../../sim/world";
import type { WorkloadSpec } from "../types";
import type { HistoryRecorder } from "./history";
import { learn, makeRequest, newClientState, type OpType } from "./kv-requests";

export const CLIENT_ID_BASE = 100;

export interface WorkloadHandle {
  sessions: ClientSession[];
  /** Stop issuing new requests (outstanding ones still complete or time out). */
  stop(): void;
}

export { keyName } from "./kv-requests";

export function startKvWorkload(world: World, spec: WorkloadSpec, members: () => number[], recorder: HistoryRecorder, rng: Rng): WorkloadHandle {
  const weights = (Object.entries(spec.mix) as [OpType, number][]).filter(([, w]) => w > 0);
  const totalWeight = weights.reduce((a, [, w]) => a + w, 0);
  const api = spec.api ?? "basic";
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
    const state = newClientState(clientId);
    const next = () => {
      if (stopped) return;
      if (session.busy) return;
      const opType = pickOp(weights, totalWeight, crng);
      const { request, linearizable } = makeRequest(api, opType, state, spec, crng);
      session.setMembers(members());
      if (spec.balancer === "round-robin") session.rotate();
      const op = recorder.invoke(clientId, opType, request, session.member, linearizable);
      session.request(request, (outcome: Outcome) => {
        const response = outcome.status === "unknown" ? null : outcome.response;
        recorder.complete(op, outcome.status, response);
        if (response) learn(api, state, request, response);
        world.scheduler.after(gap(), next);
      });
    };
    const gap = () => (meanGapUs > 0 ? Math.round(crng.exponential(meanGapUs)) : 1_000);
    world.scheduler.after(gap(), next);
  }
  void rng;
  return { sessions, stop: () => void (stopped = true) };
}

function pickOp(weights: [OpType, number][], total: number, rng: Rng): OpType {
  let x = rng.uniform(0, total);
  for (const [op, w] of weights) {
    if (x < w) return op;
    x -= w;
  }
  return weights[weights.length - 1]![0];
}
