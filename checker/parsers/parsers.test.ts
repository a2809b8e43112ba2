import { describe, expect, it } from "vitest";
import { HistoryParseError } from "../errors";
import { historyToJson, parseHistoryJson } from "../history";
import { detectFormat, loadHistory } from "./detect";
import { parseJepsenEtcd } from "./jepsen-etcd";
import { parseJepsenKv } from "./jepsen-kv";

const errorOf = (f: () => unknown): HistoryParseError => {
  try {
    f();
  } catch (error) {
    if (error instanceof HistoryParseError) return error;
    throw error;
  }
  throw new Error("expected a HistoryParseError");
};

describe("jepsen etcd parser", () => {
  const log = [
    "INFO  jepsen.core - noise line",
    "INFO  jepsen.util - 1\t:invoke\t:write\t3",
    "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]",
    "INFO  jepsen.util - 1\t:ok\t:write\t3",
    "INFO  jepsen.util - 2\t:info\t:cas\t:timed-out",
    "INFO  jepsen.util - 5\t:invoke\t:read\tnil",
    "INFO  jepsen.util - 5\t:ok\t:read\t4",
  ].join("\n");
  it("keeps timed-out operations open to the end and ignores noise", () => {
    const ops = parseJepsenEtcd(log, "x.log");
    expect(ops.map((o) => [o.client, o.input, o.call, o.output, o.return])).toEqual([
      [1, { op: "write", value: 3 }, 2, {}, 4],
      [2, { op: "cas", from: 3, to: 4 }, 3, null, Infinity],
      [5, { op: "read" }, 6, { value: 4 }, 7],
    ]);
  });
  it("names file and line on malformed input", () => {
    const e = errorOf(() => parseJepsenEtcd("INFO  jepsen.util - 1\t:invoke\t:cas\t[3 x\n", "bad.log"));
    expect(e.message).toMatch(/^bad\.log:1: expected \[from to\]/);
    const twice = errorOf(() => parseJepsenEtcd("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\n", "t.log"));
    expect(twice.line).toBe(2);
  });
});

describe("jepsen kv parser", () => {
  it("parses invoke/ok pairs per process and drops :fail", () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "x"}',
      '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "x"}',
      '{:process 1, :type :ok, :f :get, :key "k", :value "x"}',
      '{:process 2, :type :invoke, :f :append, :key "k", :value "y"}',
      '{:process 2, :type :fail, :f :append, :key "k", :value "y"}',
    ].join("\n");
    const ops = parseJepsenKv(text, "k.txt");
    expect(ops.map((o) => [o.id, o.client, o.input, o.output, o.call, o.return])).toEqual([
      [0, 0, { op: "put", key: "k", value: "x" }, {}, 1, 3],
      [1, 1, { op: "get", key: "k" }, { value: "x" }, 2, 4],
    ]);
  });
  it("names file and line on malformed input", () => {
    const e = errorOf(() => parseJepsenKv('{:process 0, :type :invoke, :f :put, :key "k", :value "x"}\n{:process 0, :type :ok, :f :put, :key "k", :value "x"\n', "k.txt"));
    expect(e.message).toMatch(/^k\.txt:2: /);
  });
});

describe("raftsim history JSON", () => {
  it("round-trips with return null = ∞", () => {
    const text = JSON.stringify({
      formatVersion: 1,
      model: "register",
      operations: [
        { id: 0, client: 1, input: { op: "write", value: 1 }, call: 10, output: {}, return: 20 },
        { id: 1, client: 2, input: { op: "write", value: 2 }, call: 15, output: null, return: null, hint: 3 },
      ],
    });
    const h = parseHistoryJson(text, "h.json");
    expect(h.operations[1]!.return).toBe(Infinity);
    expect(h.operations.map((o) => o.hint)).toEqual([undefined, 3]);
    expect(JSON.parse(JSON.stringify(historyToJson(h, "register")))).toEqual(JSON.parse(text));
  });
  it("names file and line on malformed input", () => {
    const text = '{\n"formatVersion": 1,\n"model": "kv",\n"operations": [\n{"id": 0, "client": 1, "input": {}, "call": 5, "output": null, "return": 3}\n]}';
    const e = errorOf(() => parseHistoryJson(text, "h.json"));
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/before "call"/);
    const badHint = '{\n"formatVersion": 1,\n"model": "kv",\n"operations": [\n{"id": 0, "client": 1, "input": {}, "call": 5, "output": null, "return": 9, "hint": "x"}\n]}';
    expect(errorOf(() => parseHistoryJson(badHint, "h.json")).message).toMatch(/^h\.json:5: operation #0: expected "hint" to be a non-negative number or null, got "x"/);
    // A half past a revision is a hint too (after that revision's other operations).
    const halfHint = badHint.replace('"x"', "2.5").replace('"input": {}', '"input": {"op": "get", "key": "a"}');
    expect(parseHistoryJson(halfHint, "h.json").operations[0]!.hint).toBe(2.5);
    expect(errorOf(() => parseHistoryJson("{\n\"formatVersion\": 2}", "v.json")).message).toMatch(/^v\.json:2: expected "formatVersion": 1/);
    expect(errorOf(() => parseHistoryJson("{\n  oops", "j.json")).message).toMatch(/^j\.json:2: invalid JSON/);
  });
});

describe("format detection", () => {
  it("tells the three formats apart by content", () => {
    expect(detectFormat('{"formatVersion":1}', "a.txt")).toBe("history");
    expect(detectFormat('{:process 0, :type :invoke, :f :get, :key "1", :value nil}', "a.json")).toBe("jepsen-kv");
    expect(detectFormat("INFO  jepsen.util - 3\t:invoke\t:read\tnil", "a")).toBe("jepsen-etcd");
    expect(() => loadHistory("hello", "x.bin")).toThrow(/x\.bin:1: cannot tell the format/);
  });
});

describe("operation shapes", () => {
  it("rejects an input the model cannot read, naming the operation's line", () => {
    const text = '{"formatVersion": 1, "model": "register", "operations": [\n{"id": 0, "client": 0, "input": {"op": "write", "value": 1}, "call": 0, "output": {}, "return": 1},\n{"id": 1, "client": 0, "input": {"op": "raed"}, "call": 2, "output": {"value": 1}, "return": 3}\n]}';
    const e = errorOf(() => parseHistoryJson(text, "s.json"));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/input\.op to be read, write or cas/);
    const etcd = '{"formatVersion": 1, "model": "etcd", "operations": [\n{"id": 0, "client": 0, "input": {"type": "get", "key": "a"}, "call": 0, "output": null, "return": null}]}';
    expect(errorOf(() => parseHistoryJson(etcd, "e.json")).message).toMatch(/^e\.json:2: .*input\.type/);
  });
  it("drops Jepsen :fail writes (they definitely did not happen)", () => {
    const ops = parseJepsenEtcd("INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:fail\t:write\t3\nINFO  jepsen.util - 2\t:invoke\t:read\tnil\nINFO  jepsen.util - 2\t:ok\t:read\tnil\n", "f.log");
    expect(ops.map((o) => o.input.op)).toEqual(["read"]);
  });
});
