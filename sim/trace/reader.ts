// Reads an NDJSON trace back, validating every line; errors name the line and what was expected.
import { TRACE_FORMAT_VERSION, type TraceEvent, type TraceHeader } from "./types";

export class TraceFormatError extends Error {
  override name = "TraceFormatError";
  constructor(
    readonly line: number,
    readonly expected: string,
    source = "trace",
  ) {
    super(`${source}:${line}: ${expected}`);
  }
}

const EVENT_TYPES = new Set([
  "send", "deliver", "drop", "duplicate", "role", "vote", "commit", "apply", "node-state",
  "fsync-start", "fsync-end", "fault", "client-invoke", "client-return", "watch-event", "note", "check",
]);

export interface ParsedTrace {
  header: TraceHeader;
  events: TraceEvent[];
}

export function parseTrace(text: string, source = "trace"): ParsedTrace {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new TraceFormatError(1, "expected a header line, the file is empty", source);
  const header = parseLine(lines[0]!, 1, source) as Partial<TraceHeader>;
  if (header.type !== "header") throw new TraceFormatError(1, `expected a header record {"type":"header",...}, got type ${JSON.stringify(header.type)}`, source);
  if (header.formatVersion !== TRACE_FORMAT_VERSION) {
    throw new TraceFormatError(1, `expected trace format version ${TRACE_FORMAT_VERSION}, got ${JSON.stringify(header.formatVersion)}`, source);
  }
  if (typeof header.seed !== "number" || typeof header.scenario !== "string") throw new TraceFormatError(1, "expected header fields seed (number) and scenario (string)", source);
  const events: TraceEvent[] = [];
  let lastUs = 0;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const record = parseLine(lines[i]!, lineNo, source) as Partial<TraceEvent>;
    if (typeof record.type !== "string" || !EVENT_TYPES.has(record.type)) {
      throw new TraceFormatError(lineNo, `expected an event with a known "type", got ${JSON.stringify(record.type)}`, source);
    }
    if (typeof record.tUs !== "number" || !Number.isInteger(record.tUs) || record.tUs < 0) {
      throw new TraceFormatError(lineNo, `expected "tUs" as a non-negative integer, got ${JSON.stringify(record.tUs)}`, source);
    }
    if (record.tUs < lastUs) throw new TraceFormatError(lineNo, `expected time order: tUs ${record.tUs} is before the previous event's ${lastUs}`, source);
    lastUs = record.tUs;
    events.push(record as TraceEvent);
  }
  return { header: header as TraceHeader, events };
}

function parseLine(line: string, lineNo: number, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TraceFormatError(lineNo, "expected one JSON object per line (the line is not valid JSON; is the file truncated?)", source);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TraceFormatError(lineNo, "expected a JSON object", source);
  return value;
}
