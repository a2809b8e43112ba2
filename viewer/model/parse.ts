// Parses an NDJSON trace (header line, then one TraceEvent per line) in the browser and in
// Node alike. Any problem becomes a TraceParseError naming the line and what was expected,
// because the viewer must show that message instead of a blank page.
import type { TraceEvent, TraceHeader } from "../../sim/trace/types";

/** Must match sim/trace TRACE_FORMAT_VERSION; the viewer imports only types from sim/trace. */
export const SUPPORTED_FORMAT_VERSION = 1;

export class TraceParseError extends Error {
  override name = "TraceParseError";
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

export interface ParsedTrace {
  header: TraceHeader;
  /** Sorted by tUs (stable), so time lookups can binary-search. */
  events: TraceEvent[];
  /** Records of a type this viewer does not know; skipped, counted so the page can say so. */
  unknownTypes: Record<string, number>;
}

type FieldKind = "number" | "string" | "boolean" | "numbers" | "any" | "number|null";
// Required fields per event type (beyond type and tUs): enough that every view can rely on them.
const REQUIRED: Record<TraceEvent["type"], Record<string, FieldKind>> = {
  send: { msgId: "number", from: "number", to: "number", msgType: "string" },
  deliver: { msgId: "number", from: "number", to: "number", msgType: "string", sentUs: "number" },
  drop: { msgId: "number", from: "number", to: "number", msgType: "string", reason: "string" },
  duplicate: { msgId: "number", copyId: "number", from: "number", to: "number" },
  role: { node: "number", role: "string", term: "number", leader: "number|null" },
  vote: { node: "number", term: "number", votedFor: "number", granted: "boolean", candidate: "number" },
  commit: { node: "number", index: "number", term: "number" },
  apply: { node: "number", index: "number" },
  "node-state": { node: "number", term: "number", vote: "number|null", commit: "number", applied: "number", logLength: "number" },
  "fsync-start": { node: "number", file: "string", bytes: "number" },
  "fsync-end": { node: "number", file: "string", latencyUs: "number", ok: "boolean" },
  fault: { fault: "string", nodes: "numbers" },
  "client-invoke": { client: "number", opId: "number", op: "string", input: "any" },
  "client-return": { client: "number", opId: "number", status: "string", output: "any" },
  "watch-event": { watcher: "number", revision: "number", events: "any" },
  note: { text: "string" },
  check: { check: "string", result: "string" },
};

function fits(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "numbers":
      return Array.isArray(value) && value.every((v) => typeof v === "number");
    case "number|null":
      return value === null || (typeof value === "number" && Number.isFinite(value));
    case "any":
      return value !== undefined;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

function parseLine(text: string, lineNo: number, isLastLine: boolean, endsWithNewline: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch {
    if (isLastLine && !endsWithNewline) {
      throw new TraceParseError(lineNo, `truncated record: the file ends in the middle of a line (expected a complete JSON object, got ${describe(text.slice(0, 40))})`);
    }
    throw new TraceParseError(lineNo, `expected one JSON object per line, got ${describe(text.slice(0, 40))}`);
  }
}

function checkHeader(value: unknown): TraceHeader {
  const h = value as Partial<TraceHeader> | null;
  if (typeof h !== "object" || h === null || Array.isArray(h) || h.type !== "header") {
    throw new TraceParseError(1, `expected the trace header {"type":"header","formatVersion":${SUPPORTED_FORMAT_VERSION},"seed",...}, got ${describe(value)}`);
  }
  if (h.formatVersion !== SUPPORTED_FORMAT_VERSION) {
    throw new TraceParseError(1, `expected formatVersion ${SUPPORTED_FORMAT_VERSION}, got ${describe(h.formatVersion)}`);
  }
  if (typeof h.seed !== "number") throw new TraceParseError(1, `expected a numeric "seed" in the header, got ${describe(h.seed)}`);
  if (typeof h.scenario !== "string") throw new TraceParseError(1, `expected a string "scenario" in the header, got ${describe(h.scenario)}`);
  return h as TraceHeader;
}

export function parseTrace(text: string): ParsedTrace {
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) lines.pop();
  if (lines.length === 0 || (lines.length === 1 && lines[0]!.trim() === "")) {
    throw new TraceParseError(1, 'the trace is empty (expected a header line {"type":"header",...})');
  }
  const header = checkHeader(parseLine(lines[0]!, 1, lines.length === 1, endsWithNewline));
  const events: TraceEvent[] = [];
  const unknownTypes: Record<string, number> = {};
  let sorted = true;
  let lastUs = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === "") continue;
    const value = parseLine(raw, lineNo, i === lines.length - 1, endsWithNewline) as Record<string, unknown> | null;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TraceParseError(lineNo, `expected a JSON object (a trace event), got ${describe(value)}`);
    const type = value.type;
    if (typeof type !== "string") throw new TraceParseError(lineNo, `expected a string "type" field, got ${describe(type)}`);
    if (type === "header") throw new TraceParseError(lineNo, "expected a trace event, got a second header");
    if (!fits(value.tUs, "number")) throw new TraceParseError(lineNo, `expected a numeric "tUs" (virtual microseconds) in the ${type} event, got ${describe(value.tUs)}`);
    const required = REQUIRED[type as TraceEvent["type"]];
    if (!required) {
      unknownTypes[type] = (unknownTypes[type] ?? 0) + 1;
      continue;
    }
    for (const field in required) {
      const kind = required[field]!;
      if (!fits(value[field], kind)) {
        throw new TraceParseError(lineNo, `expected "${field}" (${kind}) in the ${type} event, got ${describe(value[field])}`);
      }
    }
    const tUs = value.tUs as number;
    if (tUs < lastUs) sorted = false;
    lastUs = tUs;
    events.push(value as unknown as TraceEvent);
  }
  // Array.prototype.sort is stable, so same-time events keep their written order.
  if (!sorted) events.sort((a, b) => a.tUs - b.tUs);
  return { header, events, unknownTypes };
}
