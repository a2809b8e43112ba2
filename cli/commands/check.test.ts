import { fakeIO } from "../test_io";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../args";
import { UsageError } from "../command";
import { checkCommand } from "./check";

const run = async (argv: string[], json = true) => {
  const f = fakeIO(json);
  const code = await checkCommand.run(parseArgs(checkCommand, argv), f.io);
  return { code, ...f };
};
const DATA = "/work/shared/data/porcupine";
const dir = mkdtempSync(join(tmpdir(), "raftsim-check-"));

describe("raftsim check", () => {
  it("prints one JSON object with verdict, operations, ms; exit 0 / 1", async () => {
    const ok = await run([join(DATA, "kv/c01-ok.txt")]);
    expect(ok.code).toBe(0);
    expect(ok.out).toHaveLength(1);
    const doc = JSON.parse(ok.out[0]!);
    expect(doc.verdict).toBe("linearizable");
    expect(doc.operations).toBeGreaterThan(0);
    expect(typeof doc.ms).toBe("number");
    const bad = await run([join(DATA, "jepsen-etcd/etcd_000.log")]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out[0]!).verdict).toBe("not-linearizable");
  });

  it("exit 1 with verdict unknown when the timeout runs out", async () => {
    // Many concurrent writes and an impossible read force a long search.
    const ops = Array.from({ length: 22 }, (_, i) => ({ id: i, client: i, input: { op: "write", value: i }, call: 0, output: {}, return: 100 }));
    ops.push({ id: 22, client: 99, input: { op: "read" } as never, call: 101, output: { value: 999 } as never, return: 102 });
    const file = join(dir, "slow.json");
    writeFileSync(file, JSON.stringify({ formatVersion: 1, model: "register", operations: ops }));
    const r = await run([file, "--timeout", "50ms"]);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ verdict: "unknown", unknownBecause: "budget" });
    expect(r.code).toBe(1);
    // In words: which bound ran out, so a user knows whether a longer --timeout can help.
    const text = await run([file, "--timeout", "50ms"], false);
    expect(text.out[1]).toBe("  the --timeout of 50 ms ran out before a verdict (a longer one may decide it)");
  });

  it("bad input and bad flags are usage errors naming file and line", async () => {
    const file = join(dir, "bad.log");
    writeFileSync(file, "INFO  jepsen.util - 1\t:invoke\t:write\t1\nINFO  jepsen.util - 1\t:ok\t:write\tbanana\n");
    await expect(run([file])).rejects.toThrow(new UsageError(`${file}:2: expected nil or an integer value, got 'banana'`));
    await expect(run([file, "--model", "nope"])).rejects.toThrow(UsageError);
    await expect(run([join(dir, "missing.json")])).rejects.toThrow(/cannot read history/);
  });

  it("--html writes a self-contained page with history strings escaped", async () => {
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const ops = [
      { id: 0, client: 1, input: { op: "put", key: evil, value: "v" }, call: 0, output: {}, return: 10 },
      { id: 1, client: 2, input: { op: "get", key: evil }, call: 20, output: { value: evil }, return: 30 },
    ];
    const file = join(dir, "evil.json");
    writeFileSync(file, JSON.stringify({ formatVersion: 1, model: "kv", operations: ops }));
    const html = join(dir, "out.html");
    const r = await run([file, "--html", html]);
    expect(r.code).toBe(1);
    const page = readFileSync(html, "utf8");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("alert(1)</script>");
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(page).toContain("Counterexample");
    expect(page).toContain('class="op blocking"');
  });
});

describe("raftsim check --model", () => {
  it("refuses a model the operations do not fit", async () => {
    await expect(run([join(DATA, "jepsen-etcd/etcd_000.log"), "--model", "etcd"])).rejects.toThrow(/does not fit the etcd model/);
  });
});

describe("raftsim check DIR", () => {
  it("checks every history in a directory, one line each: the verdicts porcupine's data gives; exit 1 when any is not linearizable", async () => {
    const expected = JSON.parse(readFileSync(join(DATA, "expected.json"), "utf8")) as Record<string, Record<string, boolean>>;
    for (const suite of ["jepsen-etcd", "kv"]) {
      const r = await run([join(DATA, suite)]);
      const doc = JSON.parse(r.out[0]!);
      const verdicts = Object.fromEntries((doc.files as { file: string; verdict: string }[]).map((f) => [f.file.split("/").pop(), f.verdict]));
      const want = Object.fromEntries(Object.entries(expected[suite]!).map(([name, ok]) => [name, ok ? "linearizable" : "not-linearizable"]));
      expect(verdicts).toEqual(want);
      expect(doc.linearizable + doc.notLinearizable).toBe(Object.keys(want).length);
      expect(r.code).toBe(doc.notLinearizable > 0 ? 1 : 0);
    }
  });

  it("names and skips files that are not histories; all linearizable exits 0; no history at all, or --html, is bad usage", async () => {
    const d = mkdtempSync(join(tmpdir(), "raftsim-check-dir-"));
    writeFileSync(join(d, "a-ok.txt"), readFileSync(join(DATA, "kv/c01-ok.txt")));
    writeFileSync(join(d, "notes.md"), "# not a history\n");
    const r = await run([d], false);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^ {2}linearizable {6}\S+a-ok\.txt \(\d+ operations, \d+ ms\)$/);
    expect(r.out[1]).toMatch(/^ {2}SKIP {14}\S+notes\.md: /);
    expect(r.out[2]).toBe("1 histories: 1 linearizable, 0 not linearizable, 0 unknown; 1 files skipped (not histories)");
    await expect(run([d, "--html", join(d, "x.html")])).rejects.toThrow(/--html takes one history file/);
    const empty = mkdtempSync(join(tmpdir(), "raftsim-check-dir-"));
    writeFileSync(join(empty, "notes.md"), "# not a history\n");
    await expect(run([empty])).rejects.toThrow(/none of its 1 files is a history/);
  });
});
