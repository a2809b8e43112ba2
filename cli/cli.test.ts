// Drives the built CLI as a user would: a real process, real files, exit codes.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const BIN = join(ROOT, "bin", "raftsim.mjs");

function raftsim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(ROOT, "build.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
});

describe("raftsim CLI", () => {
  it("--help lists commands; every command has --help", () => {
    const top = raftsim("--help");
    expect(top.code).toBe(0);
    for (const name of ["run", "scenarios"]) {
      expect(top.stdout).toContain(name);
      const h = raftsim(name, "--help");
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/^usage: raftsim /);
    }
  });

  it("run --json prints one JSON object with the contract's fields; same seed, same traceHash; other seed, other hash", () => {
    const a = raftsim("run", "--scenario", "leader-partition", "--seed", "42", "--json");
    const b = raftsim("run", "--scenario", "leader-partition", "--seed", "42", "--json");
    const c = raftsim("run", "--scenario", "leader-partition", "--seed", "43", "--json");
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    for (const field of ["seed", "scenario", "traceHash", "simulatedMs", "wallMs", "events", "messages", "elections", "ops", "checks", "violations"]) expect(ja).toHaveProperty(field);
    for (const check of ["linearizability", "watch", "durability", "convergence", "liveness"]) expect(["pass", "fail", "unknown", "skipped"]).toContain(ja.checks[check]);
    expect(JSON.parse(b.stdout).traceHash).toBe(ja.traceHash);
    expect(JSON.parse(c.stdout).traceHash).not.toBe(ja.traceHash);
  });

  it("bad flags and bad files get one line on stderr and exit 2, leaving nothing half-written", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
    const cases: [string[], RegExp][] = [
      [["run", "--seed", "x"], /--seed expects an integer/],
      [["run", "--bogus"], /unknown flag '--bogus'/],
      [["run", "--scenario", "no-such-thing"], /unknown scenario 'no-such-thing'/],
      [["run", "--duration", "soon"], /--duration expects a duration/],
      [["run", "--bug", "not-a-bug"], /unknown canary 'not-a-bug'/],
      [["nope"], /unknown command 'nope'/],
    ];
    writeFileSync(join(dir, "bad.json"), '{"name": "x", "cluster": {"nodes": 0}}');
    writeFileSync(join(dir, "broken.json"), '{"name": ');
    cases.push([["run", "--scenario", join(dir, "bad.json"), "--trace", join(dir, "t.ndjson")], /bad\.json\.cluster\.nodes: expected an integer in \[1, 9\]/]);
    cases.push([["run", "--scenario", join(dir, "broken.json")], /broken\.json:1:\d+: expected a value \(the text ended\) \(not valid JSON for a scenario/]);
    for (const [args, message] of cases) {
      const r = raftsim(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n").length).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
    expect(readdirSync(dir).sort()).toEqual(["bad.json", "broken.json"]);
  });

  it("run --trace writes a trace whose header names the seed and scenario", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
    const file = join(dir, "t.ndjson");
    const r = raftsim("run", "--scenario", "leader-crash-restart", "--seed", "7", "--trace", file, "--json");
    expect(r.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    const first = JSON.parse(readFileSync(file, "utf8").split("\n")[0]!);
    expect(first).toMatchObject({ type: "header", seed: 7, scenario: "leader-crash-restart" });
  });

  it("run --save writes the run as a replay file: replay reproduces it (passing or failing), and names the run command to make it again", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
    for (const [args, code] of [[["--scenario", "leader-crash-restart", "--seed", "7", "--duration", "8s"], 0], [["--scenario", "kv-mixed", "--seed", "2", "--bug", "revision-bump-on-noop"], 1]] as const) {
      const file = join(dir, `${args[1]}.json`);
      const ran = raftsim("run", ...args, "--save", file, "--json");
      expect(ran.code, args.join(" ")).toBe(code);
      const r = JSON.parse(ran.stdout);
      expect(r.saved).toBe(file);
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.origin.command).toBe(`raftsim run ${args.join(" ").replace("8s", "8000ms")} --save ${file}`);
      expect(saved.scenario.name).toBe(args[1]);
      if (args[1] === "leader-crash-restart") expect(saved.scenario.durationMs).toBe(8_000); // the override is in the file
      const replayed = raftsim("replay", file, "--json");
      expect(replayed.code).toBe(code);
      const j = JSON.parse(replayed.stdout);
      expect(j).toMatchObject({ traceHash: r.traceHash, sameTrace: true, sameRun: true, sameViolations: true, reproduced: true });
      expect(j.violations.map((v: { check: string }) => v.check)).toEqual(r.violations.map((v: { check: string }) => v.check));
      expect(j.violations.length > 0).toBe(code === 1);
    }
    // Written by another build whose run differed: the hint is the run command, on this build.
    const file = join(dir, "kv-mixed.json");
    const saved = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...saved, expected: { ...saved.expected, traceHash: "0123456789abcdef", runHash: "fedcba9876543210" }, origin: { ...saved.origin, build: "elsewhere" } }));
    expect(JSON.parse(raftsim("replay", file, "--json").stdout).hint).toMatch(/^written by raftsim build elsewhere, .*; for a file of this build, re-run it: raftsim run --scenario kv-mixed --seed 2 --bug revision-bump-on-noop --save \S+kv-mixed\.json$/);
  });

  it("view takes a replay file from fuzz: it re-runs it and shows the same page as `replay --trace` then `view` of that trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
    const fuzz = raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "torn-crash", "--shrink-budget", "30", "--workers", "1", "--out", join(dir, "failures"), "--json");
    expect(fuzz.code).toBe(1);
    const replayFile: string = JSON.parse(fuzz.stdout).failures[0].replayFile;
    const direct = raftsim("view", replayFile, "--out", join(dir, "direct.html"));
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stderr).toMatch(/^replayed \S+\.json: the run fails self-test:torn-crash\n/);
    // The two-step way, with the trace named as view names a replayed one: the same page.
    const trace = join(dir, replayFile.split("/").pop()!.replace(/\.json$/, ".ndjson"));
    expect(raftsim("replay", replayFile, "--trace", trace).code).toBe(1);
    expect(raftsim("view", trace, "--out", join(dir, "two-step.html")).code).toBe(0);
    const page = readFileSync(join(dir, "direct.html"), "utf8");
    expect(page === readFileSync(join(dir, "two-step.html"), "utf8"), "the two pages differ").toBe(true);
    // The whole trace is in it (held as a string literal: its quotes escaped).
    const lastRecord = readFileSync(trace, "utf8").trimEnd().split("\n").pop()!;
    expect(page.includes(JSON.stringify(lastRecord).slice(1, -1)), "the trace's last record is in the page").toBe(true);
    // JSON that is neither a trace nor a replay file, and a replay file of another format: one line, exit 2, no page.
    writeFileSync(join(dir, "pretty.json"), JSON.stringify({ name: "x" }, null, 2));
    writeFileSync(join(dir, "old.json"), JSON.stringify({ ...JSON.parse(readFileSync(replayFile, "utf8")), formatVersion: 1 }));
    for (const [file, message] of [["pretty.json", /expected an NDJSON trace \(one JSON object per line\) or a replay file/], ["old.json", /old\.json: formatVersion: expected 2, got 1/]] as const) {
      const r = raftsim("view", join(dir, file), "--out", join(dir, "bad.html"));
      expect(r.code, file).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, "bad.html"))).toBe(false);
  });

  it("a reader that goes away (`| head`, here `| true`) leaves the run whole: no EPIPE trace, its files and exit code stand", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
    const file = join(dir, "t.ndjson");
    const script = `set -o pipefail; "${process.execPath}" "${BIN}" run --scenario leader-partition --seed 1 --trace "${file}" | true`;
    const r = spawnSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: "check" }); // the trace ends with the checks: it is whole
  });

  it("fuzz: a first Ctrl-C ends the campaign as --time does (summary, the runs done, exit 130); a second ends it at once", async () => {
    /** Whether process `pid` has a handler for SIGINT yet (Linux: bit 2 of /proc/PID/status's SigCgt). */
    const catchesSigint = (pid: number): boolean => {
      const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("SigCgt:"));
      return line !== undefined && (BigInt(`0x${line.slice(7).trim()}`) & 2n) !== 0n;
    };
    /**
     * Starts a long campaign; once it listens for SIGINT and `afterMs` more have passed, sends
     * SIGINT, and with `again`, SIGINT once more as soon as the first is acknowledged.
     */
    const interrupt = (workers: string, cycles: string, afterMs: number, again: boolean) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        const dir = mkdtempSync(join(tmpdir(), "raftsim-cli-"));
        const child = spawn(process.execPath, [BIN, "fuzz", "--runs", "100000", "--workers", workers, "--cycles", cycles, "--json", "--out", dir], { cwd: ROOT });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => {
          stderr += d;
          if (again && /starting no more runs/.test(stderr)) (again = false), child.kill("SIGINT");
        });
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
        // Not a fixed delay: a loaded machine can take seconds to load the CLI, and a signal
        // before the handler is in place kills it as Node's default would.
        const poll = setInterval(() => {
          if (child.pid === undefined || !catchesSigint(child.pid)) return;
          clearInterval(poll);
          setTimeout(() => child.kill("SIGINT"), afterMs);
        }, 20);
      });
    for (const workers of ["1", "2"]) {
      const once = await interrupt(workers, "4", 1_500, false);
      expect(once.code, once.stderr).toBe(130);
      expect(once.stderr).toMatch(/SIGINT: starting no more runs/);
      const summary = JSON.parse(once.stdout);
      expect(summary.interrupted).toBe("SIGINT");
      expect(summary.runs).toBeGreaterThan(0);
      expect(summary.runs).toBeLessThan(100_000);
      expect(summary.passed + summary.failed).toBe(summary.runs);
      expect(summary.repeatWith).toBe(`--runs ${summary.runs}`);
      expect(summary.stoppedByTime).toBeUndefined();
    }
    // Two workers, long runs: the first signal is heard at once, and both runs under way are
    // far from done when the second comes, which ends the process as Node's default does.
    const twice = await interrupt("2", "12", 1_500, true);
    expect(twice.signal, twice.stderr).toBe("SIGINT");
    expect(twice.stdout).toBe("");
  }, 60_000);

  it("scenarios lists built-ins, one line each", () => {
    const r = raftsim("scenarios");
    expect(r.code).toBe(0);
    for (const name of ["leader-partition", "kv-mixed", "snapshot-install", "membership-change-under-partition"]) expect(r.stdout).toContain(name);
  });
});
