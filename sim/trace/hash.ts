// The run's identity: a 64-bit incremental hash over every trace record (header included),
// computed from the records' values rather than from serialized text, so a run that
// writes no trace file never pays for JSON.stringify (it used to cost most of a run).
//
// Encoding: each record is a sequence of 32-bit words fed to two independent mixing lanes
// (multiply/xor-shift, Math.imul: the same on every platform and Node version), finished
// with murmur3's fmix32. Values are prefix-free: tags in [TAG_MIN, TAG_MAX] mark everything
// but plain int32s (one word each). The hot record types (message send/deliver/drop, fsync, commit,
// apply) have a fixed field order (HOT_FIELDS); any other record is encoded generically
// from its JSON value: key/value pairs in key order, undefined/function properties skipped
// and NaN/±Infinity as null, as JSON.stringify does. Either way the hash depends only on
// the record's JSON value, so re-hashing the records parsed back from a trace file gives
// the hash of the run that wrote it (traceHashOfRecords).
import { fmix32 } from "../../core/mix";
import type { TraceEvent } from "./types";

/** Names the hash encoding; bump (and the replay file format version) if it changes. */
export const TRACE_HASH_ALGORITHM = "raftsim-trace-hash-v1";

const TAG_UNDEFINED = 0x7f000001;
const TAG_NULL = 0x7f000002;
const TAG_FALSE = 0x7f000003;
const TAG_TRUE = 0x7f000004;
const TAG_BIG = 0x7f000005;
const TAG_FLOAT = 0x7f000006;
const TAG_STRING = 0x7f000007;
const TAG_ARRAY = 0x7f000008;
const TAG_OBJECT = 0x7f000009;
const TAG_END = 0x7f00000a;
const TAG_RECORD = 0x7f00000b;
const TAG_INT = 0x7f00000c;
/** TAG_HOT + i: the hot record types (send 0, deliver 1, fsync-start 2, fsync-end 3, commit 4, apply 5, drop 6). */
const TAG_HOT = 0x7f000080;
const TAG_MIN = 0x7f000000;
const TAG_MAX = 0x7f0000ff;

const TWO_POW_32 = 4_294_967_296;
const floatView = new Float64Array(1);
const floatWords = new Int32Array(floatView.buffer);

type Hot = Extract<TraceEvent, { type: "send" | "deliver" | "drop" | "fsync-start" | "fsync-end" | "commit" | "apply" }>;
type FieldsOf<T> = T extends { type: infer K extends string } ? { [P in K]: readonly Exclude<keyof T, "type">[] } : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every field of every hot type, in hashing order. The type check keeps it complete. */
export const HOT_FIELDS: UnionToIntersection<FieldsOf<Hot>> = {
  send: ["tUs", "msgId", "from", "to", "msgType", "term", "bytes", "detail"],
  deliver: ["tUs", "msgId", "from", "to", "msgType", "sentUs"],
  drop: ["tUs", "msgId", "from", "to", "msgType", "reason"],
  "fsync-start": ["tUs", "node", "file", "bytes"],
  "fsync-end": ["tUs", "node", "file", "latencyUs", "ok"],
  commit: ["tUs", "node", "index", "term"],
  apply: ["tUs", "node", "index", "revision"],
};
// Compile-time completeness: a hot type's key missing from its list is an error here.
type MissingHotField = { [K in Hot["type"]]: Exclude<keyof Extract<Hot, { type: K }>, "type" | (typeof HOT_FIELDS)[K][number]> }[Hot["type"]];
const noMissingHotField: [MissingHotField] extends [never] ? true : MissingHotField = true;
void noMissingHotField;

export class TraceHasher {
  private a = 0x9747b28c | 0;
  private b = 0x5bd1e995 | 0;
  private words = 0;

  /** Folds one record (a trace event or the header: a JSON-compatible object) into the hash. */
  record(r: object): void {
    const e = r as Partial<Record<string, unknown>> & { type?: unknown };
    // Hot types: fixed field order, direct property reads (no key walk), the same words
    // as the typed entry points below (which hash a record without building it).
    switch (e.type) {
      case "send": {
        const s = r as Extract<Hot, { type: "send" }>;
        return this.sendFields(s.tUs, s.msgId, s.from, s.to, s.msgType, s.term, s.bytes, s.detail);
      }
      case "deliver": {
        const d = r as Extract<Hot, { type: "deliver" }>;
        return this.deliverFields(d.tUs, d.msgId, d.from, d.to, d.msgType, d.sentUs);
      }
      case "fsync-start": {
        const f = r as Extract<Hot, { type: "fsync-start" }>;
        return this.fsyncStartFields(f.tUs, f.node, f.file, f.bytes);
      }
      case "fsync-end": {
        const f = r as Extract<Hot, { type: "fsync-end" }>;
        return this.fsyncEndFields(f.tUs, f.node, f.file, f.latencyUs, f.ok);
      }
      case "commit": {
        const c = r as Extract<Hot, { type: "commit" }>;
        return this.commitFields(c.tUs, c.node, c.index, c.term);
      }
      case "apply": {
        const a = r as Extract<Hot, { type: "apply" }>;
        return this.applyFields(a.tUs, a.node, a.index, a.revision);
      }
      case "drop": {
        const d = r as Extract<Hot, { type: "drop" }>;
        return this.dropFields(d.tUs, d.msgId, d.from, d.to, d.msgType, d.reason);
      }
      default:
        this.word(TAG_RECORD);
        this.value(r);
    }
  }

  // Typed entry points for the hot record types: each hashes exactly what record() does
  // for the same record (TAG_RECORD, its hot tag, then its fields in HOT_FIELDS order).

  /** The fields send, deliver and drop records begin with, in HOT_FIELDS order. */
  private messageFields(hot: number, tUs: number, msgId: number, from: number, to: number, msgType: string): void {
    this.word(TAG_RECORD);
    this.word(TAG_HOT + hot);
    this.number(tUs);
    this.number(msgId);
    this.number(from);
    this.number(to);
    this.text(msgType);
  }

  sendFields(tUs: number, msgId: number, from: number, to: number, msgType: string, term: number | undefined, bytes: number | undefined, detail: string | undefined): void {
    this.messageFields(0, tUs, msgId, from, to, msgType);
    this.optional(term);
    this.optional(bytes);
    this.optional(detail);
  }

  deliverFields(tUs: number, msgId: number, from: number, to: number, msgType: string, sentUs: number): void {
    this.messageFields(1, tUs, msgId, from, to, msgType);
    this.number(sentUs);
  }

  fsyncStartFields(tUs: number, node: number, file: string, bytes: number): void {
    this.word(TAG_RECORD);
    this.word(TAG_HOT + 2);
    this.number(tUs);
    this.number(node);
    this.text(file);
    this.number(bytes);
  }

  fsyncEndFields(tUs: number, node: number, file: string, latencyUs: number, ok: boolean): void {
    this.word(TAG_RECORD);
    this.word(TAG_HOT + 3);
    this.number(tUs);
    this.number(node);
    this.text(file);
    this.number(latencyUs);
    this.value(ok);
  }

  commitFields(tUs: number, node: number, index: number, term: number): void {
    this.word(TAG_RECORD);
    this.word(TAG_HOT + 4);
    this.number(tUs);
    this.number(node);
    this.number(index);
    this.number(term);
  }

  applyFields(tUs: number, node: number, index: number, revision: number | undefined): void {
    this.word(TAG_RECORD);
    this.word(TAG_HOT + 5);
    this.number(tUs);
    this.number(node);
    this.number(index);
    this.optional(revision);
  }

  dropFields(tUs: number, msgId: number, from: number, to: number, msgType: string, reason: string): void {
    this.messageFields(6, tUs, msgId, from, to, msgType);
    this.text(reason);
  }

  /** Hex digest of everything fed so far (16 hex digits); does not end the hash. */
  digest(): string {
    let a = this.a ^ this.words;
    let b = this.b ^ Math.imul(this.words, 0x27d4eb2f);
    a = fmix32(a);
    b = fmix32(b);
    // Cross the lanes once so every input bit reaches both halves of the output.
    a = fmix32(a ^ b);
    b = fmix32((b + a) | 0);
    return hex8(a) + hex8(b);
  }

  private word(k: number): void {
    this.words++;
    let a = Math.imul(this.a ^ k, 0x01000193);
    this.a = a ^ (a >>> 15);
    let b = Math.imul((this.b + k) | 0, 0x5bd1e995);
    this.b = (b << 13) | (b >>> 19);
  }

  private string(s: string): void {
    const n = s.length;
    // Two code units per word; the length first makes the encoding prefix-free.
    this.word(TAG_STRING ^ n);
    let i = 0;
    for (; i + 1 < n; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) this.word(s.charCodeAt(i));
  }

  /** A string field of a hot record (anything else, e.g. missing in a hand-edited file, hashes as its JSON value). */
  private text(v: string): void {
    if (typeof v === "string") this.string(v);
    else this.value(v);
  }

  private number(v: number): void {
    if ((v | 0) === v) {
      // Every int32 (and -0, which JSON writes as 0) is one word, unless it looks like a tag.
      if (v >= TAG_MIN && v <= TAG_MAX) this.word(TAG_INT);
      this.word(v);
    } else if (Number.isSafeInteger(v)) {
      this.word(TAG_BIG);
      const hi = Math.floor(v / TWO_POW_32);
      this.word(v - hi * TWO_POW_32);
      this.word(hi);
    } else if (Number.isFinite(v)) {
      floatView[0] = v;
      this.word(TAG_FLOAT);
      this.word(floatWords[0]!);
      this.word(floatWords[1]!);
    } else {
      this.word(TAG_NULL);
    }
  }

  /** A field that JSON omits when undefined. */
  private optional(v: unknown): void {
    if (v === undefined) this.word(TAG_UNDEFINED);
    else this.value(v);
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case "number":
        this.number(v);
        return;
      case "string":
        this.string(v);
        return;
      case "boolean":
        this.word(v ? TAG_TRUE : TAG_FALSE);
        return;
      case "object":
        if (v === null) this.word(TAG_NULL);
        else if (Array.isArray(v)) {
          this.word(TAG_ARRAY);
          // JSON writes undefined/function array slots as null.
          for (const x of v) {
            if (x === undefined || typeof x === "function" || typeof x === "symbol") this.word(TAG_NULL);
            else this.value(x);
          }
          this.word(TAG_END);
        } else {
          const withJson = v as { toJSON?: () => unknown };
          if (typeof withJson.toJSON === "function") return this.value(withJson.toJSON());
          this.word(TAG_OBJECT);
          const o = v as Record<string, unknown>;
          for (const k in o) {
            if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
            const x = o[k];
            if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
            this.string(k);
            this.value(x);
          }
          this.word(TAG_END);
        }
        return;
      case "bigint":
        throw new TypeError("trace records cannot hold a bigint (JSON cannot)");
      default:
        // undefined, function, symbol at top level: JSON has no value for them.
        this.word(TAG_NULL);
    }
  }
}

function hex8(x: number): string {
  return (x >>> 0).toString(16).padStart(8, "0");
}

/** The hash a run computed, recomputed from its records (e.g. parsed back from a trace file). */
export function traceHashOfRecords(records: Iterable<object>): string {
  const h = new TraceHasher();
  for (const r of records) h.record(r);
  return h.digest();
}
