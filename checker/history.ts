// The history format shared by raftsim's recorder, the checker and the viewer.
//
// raftsim history JSON (formatVersion 1):
//
//   {
//     "formatVersion": 1,
//     "model": "etcd" | "register" | "kv",
//     "operations": [
//       { "id": 0, "client": 3, "input": <model input>, "call": 1200,
//         "output": <model output> | null, "return": 1875 | null, "hint": 17 }
//     ]
//   }
//
// - `call` and `return` are virtual time in integer microseconds.
// - `return: null` means the outcome is unknown (timeout, lost connection): the operation
//   is open until the end of time (∞) and may or may not have taken effect. Its `output`
//   is ignored (use null).
// - `output: null` with a known `return` means "returned, result unknown" (e.g. a read
//   that timed out); models accept any result for it.
// - `input`/`output` shapes are the model's: see models/etcd.ts (EtcdRequest /
//   EtcdResponse), models/register.ts and models/kv.ts.
// - Operations of one client must not overlap (a client has one operation outstanding).
// - `hint` (optional, a non-negative number): where the system says the operation took
//   effect (raftsim: a store revision, or a half past one for an operation that changed
//   nothing and came after that revision's other operations); `null` for an open operation:
//   the system says it did not take effect. The checker verifies the order hints propose before it searches; a
//   wrong hint costs time, never a wrong verdict (witness.ts).
import { findJsonError } from "./json_error";
import { HistoryParseError } from "./errors";
import { describeShapeError } from "./validate";

export type ModelName = "etcd" | "register" | "kv";
export const MODEL_NAMES: readonly ModelName[] = ["etcd", "register", "kv"];

/** One client operation. `return` is Infinity when the outcome is unknown. */
export interface Operation<I = unknown, O = unknown> {
  id: number;
  client: number;
  input: I;
  call: number;
  /** null = unknown result (accepted by every model). */
  output: O | null;
  /** Infinity = never returned: may or may not have taken effect. */
  return: number;
  /**
   * Optional: where the system under test says the operation took effect (any number that
   * orders operations; raftsim uses store revisions), or null: it did not take effect (for
   * an open operation). Only a proposal: see witness.ts.
   */
  hint?: number | null;
}

export interface History<I = unknown, O = unknown> {
  model?: ModelName;
  operations: Operation<I, O>[];
}

/** The on-disk JSON shape (return null instead of Infinity, which JSON cannot hold). */
export interface HistoryFileV1 {
  formatVersion: 1;
  model: ModelName;
  operations: { id: number; client: number; input: unknown; call: number; output: unknown; return: number | null; hint?: number | null }[];
}

export function historyToJson(history: History, model: ModelName): HistoryFileV1 {
  return {
    formatVersion: 1,
    model,
    operations: history.operations.map((op) => ({
      id: op.id,
      client: op.client,
      input: op.input,
      call: op.call,
      output: op.return === Infinity ? null : (op.output ?? null),
      return: op.return === Infinity ? null : op.return,
      ...(op.hint !== undefined ? { hint: op.hint } : {}),
    })),
  };
}

/**
 * Parses raftsim's history JSON. Errors name the file and, as closely as JSON allows,
 * the line: for an operation we search for its `"id": N` text to report its line.
 */
export function parseHistoryJson(text: string, file: string): History & { model: ModelName } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node 20's message has no position: find it ourselves.
    const where = findJsonError(text);
    if (where) throw new HistoryParseError(file, where.line, `invalid JSON: column ${where.column}: expected ${where.expected}`);
    throw new HistoryParseError(file, 1, `invalid JSON (${message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new HistoryParseError(file, 1, "expected a JSON object {formatVersion, model, operations}");
  const d = doc as Record<string, unknown>;
  if (d.formatVersion !== 1) throw new HistoryParseError(file, lineOfKey(text, "formatVersion"), `expected "formatVersion": 1, got ${JSON.stringify(d.formatVersion)}`);
  if (typeof d.model !== "string" || !MODEL_NAMES.includes(d.model as ModelName)) throw new HistoryParseError(file, lineOfKey(text, "model"), `expected "model" to be one of ${MODEL_NAMES.join(", ")}`);
  if (!Array.isArray(d.operations)) throw new HistoryParseError(file, lineOfKey(text, "operations"), `expected "operations" to be an array`);
  const ids = new Set<number>();
  const operations: Operation[] = d.operations.map((raw: unknown, index: number) => {
    const where = () => lineOfOperation(text, raw, index);
    if (typeof raw !== "object" || raw === null) throw new HistoryParseError(file, where(), `operation #${index}: expected an object`);
    const o = raw as Record<string, unknown>;
    const int = (name: string, nullable: boolean): number | null => {
      const v = o[name];
      if (nullable && v === null) return null;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new HistoryParseError(file, where(), `operation #${index}: expected "${name}" to be a non-negative integer${nullable ? " or null" : ""}, got ${JSON.stringify(v)}`);
      return v;
    };
    const id = int("id", false)!;
    if (ids.has(id)) throw new HistoryParseError(file, where(), `operation #${index}: duplicate id ${id}`);
    ids.add(id);
    const client = int("client", false)!;
    const call = int("call", false)!;
    const ret = int("return", true);
    if (!("input" in o)) throw new HistoryParseError(file, where(), `operation #${index}: missing "input"`);
    if (ret !== null && ret < call) throw new HistoryParseError(file, where(), `operation #${index}: "return" (${ret}) is before "call" (${call})`);
    const hint = o.hint;
    if (hint !== undefined && hint !== null && (typeof hint !== "number" || !Number.isFinite(hint) || hint < 0)) {
      throw new HistoryParseError(file, where(), `operation #${index}: expected "hint" to be a non-negative number or null, got ${JSON.stringify(hint)}`);
    }
    const op: Operation = { id, client, input: o.input, call, output: ret === null ? null : (o.output ?? null), return: ret === null ? Infinity : ret, ...(hint !== undefined ? { hint } : {}) };
    const shape = describeShapeError(d.model as ModelName, op);
    if (shape) throw new HistoryParseError(file, where(), `operation #${index} (id ${id}): ${shape}`);
    return op;
  });
  return { model: d.model as ModelName, operations };
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(`"${key}"`);
  return at === -1 ? 1 : lineOfOffset(text, at);
}

function lineOfOperation(text: string, raw: unknown, index: number): number {
  const id = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).id : undefined;
  if (typeof id === "number") {
    const m = new RegExp(`"id"\\s*:\\s*${id}\\b`).exec(text);
    if (m) return lineOfOffset(text, m.index);
  }
  // Fall back to counting array elements is not worth it; point at "operations".
  void index;
  return lineOfKey(text, "operations");
}
