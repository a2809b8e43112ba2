// Jepsen kv histories as in porcupine's test_data/kv: one EDN map per line,
// {:process P, :type :invoke|:ok|:fail|:info, :f :get|:put|:append, :key "k", :value v}.
// :ok completes the process's open invoke; :fail means it did not happen (dropped);
// :info, or no completion, leaves it open to the end (return = ∞).
import { HistoryParseError } from "../errors";
import type { Operation } from "../history";
import type { KvInput, KvOutput } from "../models/kv";
import { EdnSyntaxError, readEdn, type EdnMap, type EdnValue } from "./edn";

export function parseJepsenKv(text: string, file: string): Operation<KvInput, KvOutput>[] {
  const lines = text.split("\n");
  const ops: (Operation<KvInput, KvOutput> | undefined)[] = [];
  const open = new Map<number, number>(); // process -> index in ops
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith(";")) continue;
    const lineNo = index + 1;
    const fail = (what: string): never => {
      throw new HistoryParseError(file, lineNo, what);
    };
    let doc: EdnValue;
    try {
      doc = readEdn(line);
    } catch (error) {
      if (error instanceof EdnSyntaxError) fail(`expected one EDN map per line: ${error.message}`);
      throw error;
    }
    if (typeof doc !== "object" || doc === null || !("map" in doc)) return fail("expected an EDN map {:process ..., :type ..., :f ..., :key ..., :value ...}");
    const map = (doc as EdnMap).map;
    const process = map.get(":process");
    if (typeof process !== "number") fail("expected :process to be an integer");
    const type = keyword(map.get(":type"));
    const f = keyword(map.get(":f"));
    if (f !== "get" && f !== "put" && f !== "append") fail(`expected :f to be :get, :put or :append, got ${JSON.stringify(map.get(":f"))}`);
    const key = map.get(":key");
    if (typeof key !== "string" && typeof key !== "number") fail("expected :key to be a string");
    const rawValue = map.get(":value");
    const value = rawValue === null || rawValue === undefined ? null : typeof rawValue === "string" || typeof rawValue === "number" ? String(rawValue) : fail("expected :value to be a string or nil");
    const p = process as number;
    if (type === "invoke") {
      if (open.has(p)) fail(`process ${p} invokes while its previous operation is still open`);
      let input: KvInput;
      if (f === "get") input = { op: "get", key: String(key) };
      else {
        if (value === null) fail(`expected a :value for :${f}`);
        input = { op: f as "put" | "append", key: String(key), value: value! };
      }
      open.set(p, ops.length);
      ops.push({ id: ops.length, client: p, input, call: lineNo, output: null, return: Infinity });
    } else if (type === "ok" || type === "fail" || type === "info") {
      const at = open.get(p);
      if (at === undefined) fail(`process ${p} completes without an open invoke`);
      const op = ops[at!]!;
      if (op.input.op !== f) fail(`process ${p} completes :${f} but invoked :${op.input.op}`);
      open.delete(p);
      if (type === "fail") ops[at!] = undefined;
      else if (type === "ok") {
        op.return = lineNo;
        op.output = f === "get" ? { value: value ?? "" } : {};
      }
    } else fail(`expected :type to be :invoke, :ok, :fail or :info, got ${JSON.stringify(map.get(":type"))}`);
  }
  const kept = ops.filter((o): o is Operation<KvInput, KvOutput> => o !== undefined);
  kept.forEach((o, i) => (o.id = i));
  return kept;
}

function keyword(v: EdnValue | undefined): string | undefined {
  return typeof v === "object" && v !== null && "keyword" in v ? v.keyword : undefined;
}
