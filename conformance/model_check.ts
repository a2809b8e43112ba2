// The checker's etcd model, judged by real etcd: a sequence of requests answered one after
// another by etcd is a sequential history, so the model must find it linearizable. Where it
// does not, the model (or its reading of an answer) disagrees with etcd. The conformance
// suite runs this over every script and random sequence it sends to etcd.
import type { EtcdRequest, EtcdResponse } from "../core/server/api";
import { checkHistory } from "../checker/check";
import type { Operation } from "../checker/history";

export interface Answered {
  readonly request: EtcdRequest;
  readonly answer: EtcdResponse;
}

/** Why the etcd model rejects etcd's own answers to `log` (in order), or undefined when it accepts them. */
export function modelRejects(log: readonly Answered[]): string | undefined {
  const ops: Operation<unknown, unknown>[] = log.map((a, i) => ({ id: i, client: 0, input: a.request, call: 2 * i, output: a.answer, return: 2 * i + 1 }));
  const r = checkHistory(ops, "etcd");
  if (r.verdict === "linearizable") return undefined;
  const c = r.counterexample;
  const at = c ? log[c.blocking] : undefined;
  const where = c && at ? `; request ${c.blocking} ${JSON.stringify(at.request).slice(0, 300)} → ${JSON.stringify(at.answer).slice(0, 400)} does not follow state ${c.state.slice(0, 400)}` : "";
  return `the checker's etcd model ${r.verdict === "unknown" ? "could not decide on" : "rejects"} etcd's answers to ${log.length} requests in order${where}`;
}
