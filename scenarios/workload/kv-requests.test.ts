// The "full" request set against the store and the checker's model, side by side, with no
// faults: every request a client draws passes etcd's gRPC checks, and every answer the store
// gives is the one the model predicts. A request shape the two disagree on would show up in
// fuzzing as a false linearizability failure (three did, before the model was fixed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { etcdStep, initialEtcdState, type EtcdState } from "../../checker/models/etcd";
import { ERR_COMPACTED, ERR_KEY_NOT_FOUND, type EtcdRequest, type EtcdResponse, type LogRequest, type TxnOp } from "../../core/server/api";
import { KvServer } from "../../core/server/server";
import { validateRequest } from "../../core/server/validate";
import { Rng } from "../../sim/rng";
import type { WorkloadSpec } from "../types";
import { learn, makeRequest, newClientState, type OpType, type RequestSet } from "./kv-requests";

const OPS: OpType[] = ["get", "range", "put", "delete", "txn", "lease", "compact"];
const REQUESTS_PER_RUN = 400;
const CLIENTS = 3;

function spec(keys: number): WorkloadSpec {
  return { kind: "kv", clients: CLIENTS, ratePerSec: 0, keys, valueBytes: 4, mix: {}, watchers: 0, requestTimeoutMs: 1_000, api: "full" };
}

/** Tallies of what was drawn and answered, to show the run reached every shape. */
type Seen = Map<string, number>;
const tally = (seen: Seen, what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

function shapesOf(req: EtcdRequest | TxnOp, seen: Seen, nested = false): void {
  switch (req.type) {
    case "range":
      if (req.keysOnly) tally(seen, "range keysOnly");
      if (req.countOnly) tally(seen, "range countOnly");
      if (req.revision) tally(seen, "range at a revision");
      if (req.rangeEnd && req.rangeEnd !== "l") tally(seen, "sub-range");
      if (req.sortTarget) tally(seen, `sort by ${req.sortTarget} ${req.sortOrder}`);
      for (const bound of ["minModRevision", "maxModRevision", "minCreateRevision", "maxCreateRevision"] as const) if (req[bound]) tally(seen, `range ${bound}`);
      return;
    case "put":
      if (req.ignoreValue) tally(seen, "put ignoreValue");
      if (req.ignoreLease) tally(seen, "put ignoreLease");
      return;
    case "deleteRange":
      if (req.rangeEnd) tally(seen, "range delete");
      return;
    case "txn":
      if (nested) tally(seen, "nested txn");
      if (req.compare.length > 1) tally(seen, "several compares");
      for (const c of req.compare) {
        tally(seen, `compare ${c.target} ${c.result}`);
        if (c.rangeEnd) tally(seen, "compare over a range");
      }
      for (const op of [...req.success, ...req.failure]) shapesOf(op, seen, true);
      return;
    case "compact":
      if (req.physical) tally(seen, "physical compaction");
      return;
    case "leaseGrant":
      if (req.ID === 0) tally(seen, "server-assigned lease");
      return;
    case "leaseTimeToLive":
      tally(seen, req.keys ? "timeToLive with keys" : "timeToLive");
      return;
    case "leaseLeases":
      tally(seen, "list of leases");
      return;
    default:
      return;
  }
}

/** The store's answer: the lessor's requests from the (leader) lessor, the rest applied as log entries. */
function answer(server: KvServer, request: EtcdRequest, nowUs: number, nextIndex: () => number): EtcdResponse {
  if (request.type === "leaseKeepAlive") return server.leaseKeepAlive(request.ID, nowUs);
  if (request.type === "leaseTimeToLive") return server.leaseTimeToLive(request, nowUs);
  if (request.type === "leaseLeases") return server.leaseLeases();
  return server.applyRequest(nextIndex(), request as LogRequest, nowUs) as EtcdResponse;
}

/** One run: clients take turns; each request goes to the store, then to the model. */
function runSequential(seed: number, keys: number, set: RequestSet, seen: Seen): { failure?: string } {
  const rng = new Rng(`kv-requests:${seed}`);
  const server = new KvServer({ minLeaseTtlSeconds: 1 });
  server.promote(0, 0);
  const clients = Array.from({ length: CLIENTS }, (_, i) => newClientState(100 + i));
  let model: EtcdState = initialEtcdState();
  let index = 0;
  for (let i = 0; i < REQUESTS_PER_RUN; i++) {
    const state = clients[i % CLIENTS]!;
    const { request } = makeRequest(set, rng.pick(OPS), state, spec(keys), rng);
    shapesOf(request, seen);
    const invalid = validateRequest(request);
    if (invalid) return { failure: `request ${i} fails etcd's checks (${invalid}): ${JSON.stringify(request)}` };
    // 10 ms a request: 4 s a run, so some leases (TTL 2–6 s) expire.
    const nowUs = i * 10_000;
    const response = answer(server, request, nowUs, () => ++index);
    if ("error" in response && response.error) tally(seen, `error: ${response.error}`);
    if (request.type === "leaseTimeToLive" && (response as { TTL?: number }).TTL === -1) tally(seen, "timeToLive of a lease gone");
    if (request.type === "txn" && !("error" in response)) tally(seen, `txn ${(response as { succeeded: boolean }).succeeded ? "succeeded" : "failed"}`);
    const next = etcdStep(model, request, response);
    if (next === undefined) return { failure: `request ${i}: the model does not accept the store's answer\n  ${JSON.stringify(request)}\n  → ${JSON.stringify(response)}\n  model state: ${model.text}` };
    model = next;
    learn(set, state, request, response);
    // The lessor revokes what has expired, through the log, as the store's leader does.
    for (const ID of server.expiredLeases(nowUs)) {
      const revoke: EtcdRequest = { type: "leaseRevoke", ID };
      const revoked = answer(server, revoke, nowUs, () => ++index);
      const after = etcdStep(model, revoke, revoked);
      if (after === undefined) return { failure: `request ${i}: the model does not accept the expiry of lease ${ID}: ${JSON.stringify(revoked)}` };
      model = after;
      tally(seen, "lease expired");
    }
  }
  return {};
}

describe("kv requests: the full set against the store and the model", () => {
  it("every request is valid and every answer the store gives is the one the model predicts", () => {
    const seen: Seen = new Map();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1, 3, 8, 12), (seed, keys) => {
        const { failure } = runSequential(seed, keys, "full", seen);
        expect(failure).toBeUndefined();
      }),
      { numRuns: 40, seed: 41 },
    );
    // The runs reached every shape, both branches of txns, and the definite errors.
    const shapes = [
      "range keysOnly", "range countOnly", "range at a revision", "sub-range", "put ignoreValue", "put ignoreLease",
      "range delete", "nested txn", "several compares", "compare over a range", "server-assigned lease", "txn succeeded", "txn failed",
      "timeToLive", "timeToLive with keys", "timeToLive of a lease gone", "list of leases", "lease expired", "physical compaction",
      `error: ${ERR_KEY_NOT_FOUND}`, `error: ${ERR_COMPACTED}`,
    ];
    for (const target of ["VERSION", "CREATE", "MOD", "VALUE", "LEASE"]) for (const result of ["EQUAL", "NOT_EQUAL", "GREATER", "LESS"]) shapes.push(`compare ${target} ${result}`);
    for (const target of ["KEY", "VERSION", "CREATE", "MOD", "VALUE"]) for (const order of ["NONE", "ASCEND", "DESCEND"]) shapes.push(`sort by ${target} ${order}`);
    for (const bound of ["minModRevision", "maxModRevision", "minCreateRevision", "maxCreateRevision"]) shapes.push(`range ${bound}`);
    const missing = shapes.filter((s) => !seen.has(s));
    expect(missing, JSON.stringify(Object.fromEntries(seen))).toEqual([]);
  });

  it("the basic set draws none of the full set's shapes (its runs stay what they were)", () => {
    const seen: Seen = new Map();
    for (let seed = 1; seed <= 10; seed++) expect(runSequential(seed, 5, "basic", seen).failure).toBeUndefined();
    const fullOnly = [...seen.keys()].filter((k) => !k.startsWith("error:") && !k.startsWith("txn ") && k !== "compare MOD EQUAL" && k !== "lease expired");
    expect(fullOnly).toEqual([]);
    expect(seen.get("compare MOD EQUAL")).toBeGreaterThan(0);
  });
});
