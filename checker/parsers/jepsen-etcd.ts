// Jepsen etcd-register logs (porcupine's test_data/jepsen): one CAS register.
// Only `jepsen.util - <process>\t<:type>\t<:f>\t<value>` lines matter; all other lines
// are noise. Time is the line number. An invoke never completed (`:info`, or no
// completion at all) stays open to the end: return = ∞, may or may not have applied.
import { HistoryParseError } from "../errors";
import type { Operation } from "../history";
import type { RegisterInput, RegisterOutput, RegisterValue } from "../models/register";

const LINE = /jepsen\.util - (\d+)\t(:invoke|:ok|:fail|:info)\t(:read|:write|:cas)\t(.*?)\s*$/;

export function parseJepsenEtcd(text: string, file: string): Operation<RegisterInput, RegisterOutput>[] {
  const lines = text.split("\n");
  const ops: Operation<RegisterInput, RegisterOutput>[] = [];
  const open = new Map<number, Operation<RegisterInput, RegisterOutput>>();
  const failedWrites = new Set<Operation<RegisterInput, RegisterOutput>>();
  for (let index = 0; index < lines.length; index++) {
    const m = LINE.exec(lines[index]!);
    if (!m) continue;
    const lineNo = index + 1;
    const process = Number(m[1]);
    const type = m[2]!;
    const f = m[3]!.slice(1) as "read" | "write" | "cas";
    const raw = m[4]!;
    const fail = (what: string): never => {
      throw new HistoryParseError(file, lineNo, what);
    };
    if (type === ":invoke") {
      if (open.has(process)) fail(`process ${process} invokes while its previous operation is still open`);
      const input: RegisterInput = f === "read" ? { op: "read" } : f === "write" ? { op: "write", value: parseValue(raw, fail) } : { op: "cas", ...parsePair(raw, fail) };
      const op: Operation<RegisterInput, RegisterOutput> = { id: ops.length, client: process, input, call: lineNo, output: null, return: Infinity };
      ops.push(op);
      open.set(process, op);
      continue;
    }
    const op = open.get(process);
    if (!op) fail(`process ${process} completes (${type} ${m[3]}) without an open invoke`);
    if (op!.input.op !== f) fail(`process ${process} completes ${m[3]} but invoked :${op!.input.op}`);
    open.delete(process);
    // The completion repeats the invoke's argument: check it, so a garbled line is caught.
    if (f !== "read" && !(type === ":info" && raw === ":timed-out")) {
      const again = JSON.stringify(f === "write" ? parseValue(raw, fail) : parsePair(raw, fail));
      const want = JSON.stringify(op!.input.op === "write" ? op!.input.value : op!.input.op === "cas" ? { from: op!.input.from, to: op!.input.to } : null);
      if (again !== want) fail(`${type} ${m[3]} ${raw} does not match the invoke's argument`);
    }
    if (type === ":info") continue; // unknown outcome: stays open to the end (∞)
    if (type === ":ok") {
      op!.return = lineNo;
      op!.output = f === "read" ? { value: parseValue(raw, fail) } : f === "cas" ? { ok: true } : {};
    } else {
      // :fail
      op!.return = lineNo;
      if (f === "cas") op!.output = { ok: false };
      else if (f === "read") op!.output = null; // timed-out read: any value is acceptable
      else failedWrites.add(op!); // Jepsen :fail = definitely did not happen
    }
  }
  if (failedWrites.size === 0) return ops;
  const kept = ops.filter((o) => !failedWrites.has(o));
  kept.forEach((o, i) => (o.id = i));
  return kept;
}

function parseValue(raw: string, fail: (what: string) => never): RegisterValue {
  if (raw === "nil") return null;
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (raw === ":timed-out") return null;
  return fail(`expected nil or an integer value, got '${raw}'`);
}

function parsePair(raw: string, fail: (what: string) => never): { from: RegisterValue; to: RegisterValue } {
  const m = /^\[(\S+) (\S+)\]$/.exec(raw);
  if (!m) return fail(`expected [from to], got '${raw}'`);
  return { from: parseValue(m[1]!, fail), to: parseValue(m[2]!, fail) };
}
