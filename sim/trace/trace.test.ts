import { describe, expect, it } from "vitest";
import { TraceLog } from "./log";
import { parseTrace, TraceFormatError } from "./reader";
import { TRACE_FORMAT_VERSION, type TraceHeader } from "./types";

const header: TraceHeader = { type: "header", formatVersion: TRACE_FORMAT_VERSION, seed: 1, scenario: "t", config: {} };

describe("trace", () => {
  it("writes NDJSON that reads back, and hashes exactly the bytes written", async () => {
    const lines: string[] = [];
    const log = new TraceLog(header, (l) => lines.push(l));
    log.record({ tUs: 5, type: "note", text: "hello" });
    log.record({ tUs: 9, type: "fault", fault: "crash", nodes: [2] });
    const hash = log.finish();
    const text = lines.join("");
    const { createHash } = await import("node:crypto");
    expect(hash).toBe(createHash("sha256").update(text).digest("hex"));
    const parsed = parseTrace(text);
    expect(parsed.header.seed).toBe(1);
    expect(parsed.events.map((e) => e.type)).toEqual(["note", "fault"]);
  });

  it("a different event gives a different hash", () => {
    const a = new TraceLog(header);
    a.record({ tUs: 5, type: "note", text: "a" });
    const b = new TraceLog(header);
    b.record({ tUs: 5, type: "note", text: "b" });
    expect(a.finish()).not.toBe(b.finish());
  });

  const bad: [string, string, RegExp][] = [
    ["empty", "", /:1: expected a header line/],
    ["truncated line", JSON.stringify(header) + "\n" + '{"tUs":1,"type":"no', /:2: expected one JSON object per line/],
    ["unknown type", JSON.stringify(header) + "\n" + '{"tUs":1,"type":"bogus"}', /:2: expected an event with a known "type"/],
    ["missing time", JSON.stringify(header) + "\n" + '{"type":"note","text":"x"}', /:2: expected "tUs"/],
    ["time goes back", JSON.stringify(header) + "\n" + '{"tUs":5,"type":"note","text":""}\n{"tUs":4,"type":"note","text":""}', /:3: expected time order/],
    ["wrong version", JSON.stringify({ ...header, formatVersion: 99 }), /:1: expected trace format version 1/],
    ["no header", '{"tUs":1,"type":"note","text":""}', /:1: expected a header record/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects a malformed trace (${name}) naming the line`, () => {
      expect(() => parseTrace(text, "t.ndjson")).toThrow(TraceFormatError);
      expect(() => parseTrace(text, "t.ndjson")).toThrow(message);
    });
  }
});
