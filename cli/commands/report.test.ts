// `raftsim report` as a user runs it (the CLI from source in a real process): --help, bad
// input exit 2 with one line, `report benchmark --json`, and `report latency --faults`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

function raftsim(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "cli", "main.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // The pages inline the chart bundle built by build.mjs.
  if (existsSync(join(ROOT, "dist", "reports", "charts.js"))) return;
  const r = spawnSync(process.execPath, [join(ROOT, "build.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}, 60_000);

describe("raftsim report", () => {
  it("--help names all three reports and their options", () => {
    const h = raftsim("report", "--help");
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: raftsim report/);
    for (const word of ["latency", "elections", "benchmark", "--faults", "--requests", "--trials"]) expect(h.stdout).toContain(word);
  });

  it("bad input: one line on stderr, exit 2", () => {
    const cases: [string[], RegExp][] = [
      [["report", "nonsense"], /unknown report 'nonsense' \(expected one of: latency, elections, benchmark\)/],
      [["report", "benchmark", "--requests", "0"], /report benchmark: --requests must be an integer between 10 and 100000, got 0/],
      [["report", "benchmark", "--requests", "many"], /--requests expects an integer/],
      [["report", "benchmark", "--bogus"], /unknown flag '--bogus'/],
      [["report", "latency", "--faults", "no-such-plan"], /report latency: unknown fault plan 'no-such-plan'/],
      [["report", "latency", "--disks", "floppy"], /unknown disk profile 'floppy'/],
    ];
    for (const [args, message] of cases) {
      const r = raftsim(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);

  it("benchmark --json: one JSON object with published, simulated and ratio per row; writes JSON, Markdown and HTML", () => {
    const out = mkdtempSync(join(tmpdir(), "raftsim-bench-"));
    const r = raftsim("report", "benchmark", "--requests", "100", "--seed", "2", "--out", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.rows.map((x: { name: string }) => x.name)).toEqual(["put", "linearizable", "serializable"]);
    for (const row of json.rows) {
      expect(row.ratio.latency).toBeCloseTo(row.simulated.avgLatencyMs / row.published.avgLatencyMs, 2);
      expect(typeof row.explanation).toBe("string");
      expect(row.breakdownMs.cpu).toBe(0);
    }
    expect(json.disk.name).toBe("ssd");
    expect(json.network.name).toBe("lan");
    for (const f of json.files) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "benchmark.json"), "utf8")).rows).toHaveLength(3);
    expect(readFileSync(join(out, "benchmark.html"), "utf8")).toContain("raftsim-report-charts");
  }, 60_000);

  it("latency --faults: the same fault plan under every profile, end to end", () => {
    const out = mkdtempSync(join(tmpdir(), "raftsim-lat-"));
    const r = raftsim("report", "latency", "--disks", "ssd,hdd", "--workload", "one-client-put", "--faults", "leader-crash-restart", "--duration", "5s", "--out", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.faults.scenario).toBe("leader-crash-restart");
    expect(json.faults.steps).toEqual([{ atMs: 3_000, type: "crash", node: "leader" }]);
    // The restart at 5 s is at the end of a 5 s run: reported, and said on stderr.
    expect(json.faults.beyondEnd).toEqual([{ atMs: 5_000, type: "restart", node: "all-down" }]);
    expect(r.stderr).toMatch(/1 step\(s\) of fault plan 'leader-crash-restart' fall at or after --duration 5s/);
    for (const disk of ["ssd", "hdd"]) expect(json.profiles[disk].elections).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(out, "latency.md"), "utf8")).toContain("Not applied (at or after the end of the run): restart");
  }, 60_000);
});
