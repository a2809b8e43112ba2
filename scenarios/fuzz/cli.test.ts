// `raftsim fuzz` and `raftsim replay` as a user runs them: a real bundled CLI with its
// worker bundle, real processes, files and exit codes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { rerunCommand } from "./replay";

const ROOT = join(__dirname, "..", "..");
let bundleDir: string;

beforeAll(async () => {
  // Our own bundle (as build.mjs makes dist/), so this suite never races another's build of dist/.
  bundleDir = mkdtempSync(join(tmpdir(), "raftsim-fuzz-cli-"));
  await build({
    entryPoints: { raftsim: join(ROOT, "cli/main.ts"), "fuzz-worker": join(ROOT, "scenarios/fuzz/worker.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: bundleDir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
});

const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const child of spawned.splice(0)) child.kill("SIGKILL");
});

function raftsim(...args: string[]) {
  const r = spawnSync(process.execPath, [join(bundleDir, "raftsim.mjs"), ...args], { cwd: bundleDir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What must not depend on how the campaign was spread. */
function stable(summary: Record<string, unknown>) {
  const { wallMs: _w, runsPerSecond: _r, workers: _k, failures, ...rest } = summary;
  return { ...rest, failures: (failures as Record<string, unknown>[]).map(({ replayFile, ...f }) => ({ ...f, file: String(replayFile).split("/").pop() })) };
}

const CAMPAIGN = ["--runs", "10", "--seed", "7", "--self-test", "torn-crash", "--shrink-budget", "60", "--max-failures", "0", "--json"];

describe("raftsim fuzz / replay", () => {
  it("--workers 2 and --workers 1 give the same results and the same replay files; each replays exactly", () => {
    console.log("cli fuzz campaign seed 7");
    const d1 = join(bundleDir, "w1");
    const d2 = join(bundleDir, "w2");
    const one = raftsim("fuzz", ...CAMPAIGN, "--workers", "1", "--out", d1);
    const two = raftsim("fuzz", ...CAMPAIGN, "--workers", "2", "--out", d2);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(one.stderr).toBe(""); // not a TTY: no progress
    const j1 = JSON.parse(one.stdout);
    const j2 = JSON.parse(two.stdout);
    expect(j2.workers).toBe(2);
    expect(stable(j2)).toEqual(stable(j1));
    for (const field of ["runs", "passed", "failed", "runsPerSecond", "failures"]) expect(j1).toHaveProperty(field);
    expect(j1.runs).toBe(10);
    expect(j1.failed).toBeGreaterThan(0);
    expect(j1.passed + j1.failed).toBe(10);
    const files = readdirSync(d1).sort();
    expect(files).toEqual(readdirSync(d2).sort());
    expect(files.length).toBe(j1.failed);
    for (const f of j1.failures) {
      expect(f.faults).toBeLessThanOrEqual(3);
      expect(readFileSync(f.replayFile, "utf8")).toBe(readFileSync(join(d2, f.replayFile.split("/").pop()), "utf8"));
      const trace = join(bundleDir, `${f.seed}.ndjson`);
      const r = raftsim("replay", f.replayFile, "--trace", trace, "--json");
      expect(r.code).toBe(1);
      const jr = JSON.parse(r.stdout);
      const recorded = JSON.parse(readFileSync(f.replayFile, "utf8"));
      expect(jr.traceHash).toBe(recorded.expected.traceHash);
      expect(jr.violations).toEqual(recorded.expected.violations);
      expect(jr.reproduced).toBe(true);
      expect(jr.violations[0].check).toBe(f.check);
      expect(JSON.parse(readFileSync(trace, "utf8").split("\n")[0]!)).toMatchObject({ type: "header", seed: f.seed });
    }
    const text = raftsim("replay", j1.failures[0].replayFile);
    expect(text.stdout).toMatch(/VIOLATION self-test:torn-crash: /);
    expect(text.stdout).toMatch(/reproduced: same trace, same violations/);
  });

  it("--shard I/N: the shards together run exactly the unsharded campaign", () => {
    const whole = JSON.parse(raftsim("fuzz", ...CAMPAIGN, "--workers", "1", "--out", join(bundleDir, "s")).stdout);
    const parts = [0, 1].map((i) => JSON.parse(raftsim("fuzz", ...CAMPAIGN, "--workers", "1", "--shard", `${i}/2`, "--out", join(bundleDir, `s${i}`)).stdout));
    expect(parts.map((p) => p.runs)).toEqual([5, 5]);
    const seeds = (j: { failures: { seed: number }[] }) => j.failures.map((f) => f.seed);
    expect([...seeds(parts[0]), ...seeds(parts[1])].sort()).toEqual(seeds(whole).sort());
  });

  it("a plain campaign prints one JSON object and exits 1 exactly when a run failed", () => {
    const r = raftsim("fuzz", "--runs", "4", "--seed", "2", "--workers", "1", "--json", "--out", join(bundleDir, "plain"));
    const j = JSON.parse(r.stdout);
    expect(j.runs).toBe(4);
    expect(r.code).toBe(j.failed > 0 ? 1 : 0);
    // Unknown checks by name: each run with one counts at least once.
    const byCheck = Object.values(j.unknownByCheck as Record<string, number>);
    expect(byCheck.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(j.unknown);
    expect(byCheck.length === 0).toBe(j.unknown === 0);
  });

  /** A canary hunt with extra campaign flags: it fails, and its first failure replays exactly. */
  function huntReplaying(out: string, ...flags: string[]) {
    const r = raftsim("fuzz", ...flags, "--bug", "ack-before-fsync", "--seed", "1", "--workers", "1", "--json", "--out", out);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    const f = j.failures[0];
    const file = JSON.parse(readFileSync(f.replayFile, "utf8"));
    const replayed = raftsim("replay", f.replayFile, "--json");
    expect(JSON.parse(replayed.stdout)).toMatchObject({ sameTrace: true, sameViolations: true });
    return { j, f, file };
  }

  it("--cycles N: longer runs of N fault rounds; a canary found there shrinks, replays, and its file names the cycles", () => {
    const out = join(bundleDir, "cycles");
    const { j, f, file } = huntReplaying(out, "--cycles", "4");
    expect(j.cycles).toBe(4);
    expect(file.origin.cycles).toBe(4);
    // Four rounds, each at least a 1 s fault window and 1 s to settle (shrinking goes down to
    // that): twice a one-round case's longest (4 s).
    expect(file.scenario.durationMs).toBeGreaterThanOrEqual(4 * 2_000);
    expect(f.faults).toBeLessThan(f.faultsBeforeShrink);
    // Other cycle counts draw other runs; a bad count is a usage error.
    const one = JSON.parse(raftsim("fuzz", "--runs", "3", "--seed", "1", "--workers", "1", "--json", "--out", out).stdout);
    expect(one.cycles).toBe(1);
    const bad = raftsim("fuzz", "--cycles", "21", "--runs", "1");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cycles expects an integer in \[1, 20\], got 21/);
  });

  it("--nodes N: every run on an N-member cluster; a failure's file and re-run hint name it", () => {
    const out = join(bundleDir, "nodes");
    const { j, f, file } = huntReplaying(out, "--nodes", "7");
    expect(j.nodes).toBe(7);
    expect(file.origin.nodes).toBe(7);
    expect(file.scenario.cluster.nodes).toBe(7);
    // The re-run hint (shown when a replay no longer reproduces) names --nodes, and runs
    // exactly that campaign run again.
    const hint = rerunCommand(file)!;
    expect(hint).toMatch(/ --nodes 7( |$)/);
    const again = JSON.parse(raftsim(...hint.replace(/^raftsim /, "").split(" "), "--workers", "1", "--json", "--out", join(out, "again")).stdout);
    expect(again.failures.map((x: { seed: number }) => x.seed)).toEqual([f.seed]);
    const plain = JSON.parse(raftsim("fuzz", "--runs", "2", "--seed", "1", "--workers", "1", "--json", "--out", out).stdout);
    expect(plain.nodes).toBeUndefined();
    for (const bad of ["1", "8"]) {
      const b = raftsim("fuzz", "--nodes", bad, "--runs", "1");
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(new RegExp(`--nodes expects an integer in \\[2, 7\\], got ${bad}`));
      expect(b.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("runs a check could not decide: named with a re-run command; --save-unknown writes a file that replays with its history", () => {
    const out = join(bundleDir, "undecided");
    const args = ["fuzz", "--runs", "10", "--seed", "7", "--self-test", "undecided-torn-crash", "--workers", "1", "--out", out];
    const j = JSON.parse(raftsim(...args, "--json").stdout);
    // An unknown check is not a failure.
    expect(j.failed).toBe(0);
    expect(j.unknownRuns.length).toBeGreaterThan(0);
    expect(j.unknown).toBe(j.unknownRuns.length);
    expect(j.unknownByCheck["self-test:undecided-torn-crash"]).toBe(j.unknownRuns.length);
    expect(j.unknownRuns.every((u: { replayFile?: string }) => u.replayFile === undefined)).toBe(true);
    const u = j.unknownRuns[0];
    // Each names why its check could not decide (here the planted check's own message).
    expect(u.reasons["self-test:undecided-torn-crash"]).toMatch(/^node \d+ crashed with a torn write at [\d.]+ ms$/);
    expect(u.rerun).toBe(`raftsim fuzz --seed 7 --runs ${u.runIndex + 1} --shard ${u.runIndex}/${u.runIndex + 1} --self-test undecided-torn-crash`);
    // The re-run command runs that run alone, and it is undecided again.
    const again = JSON.parse(raftsim(...u.rerun.replace(/^raftsim /, "").split(" "), "--workers", "1", "--json", "--out", out).stdout);
    expect(again.unknownRuns.map((x: { seed: number }) => x.seed)).toEqual([u.seed]);
    // The text summary names it, with the command.
    const text = raftsim(...args);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`UNKNOWN run ${u.runIndex} seed ${u.seed} self-test:undecided-torn-crash: ${u.rerun}\n  self-test:undecided-torn-crash: ${u.reasons["self-test:undecided-torn-crash"]}\n`);
    expect(text.stdout).toMatch(/--save-unknown writes each one's case/);
    // --save-unknown: one file per undecided run, which replays exactly, undecided again.
    const saved = JSON.parse(raftsim(...args, "--save-unknown", "--json").stdout);
    const files = saved.unknownRuns.map((x: { replayFile: string }) => x.replayFile);
    expect(files).toHaveLength(j.unknownRuns.length);
    expect(readdirSync(out).filter((f) => f.startsWith("unknown-")).sort()).toEqual(files.map((f: string) => f.split("/").pop()).sort());
    const history = join(out, "h.json");
    const r = raftsim("replay", files[0], "--history", history, "--json");
    expect(r.code).toBe(0);
    const rj = JSON.parse(r.stdout);
    expect(rj.reproduced).toBe(true);
    expect(rj.unknownChecks).toEqual(["self-test:undecided-torn-crash"]);
    expect(rj.unknownReasons["self-test:undecided-torn-crash"]).toMatch(/crashed with a torn write/);
    expect(raftsim("replay", files[0]).stdout).toMatch(/\n {2}UNKNOWN self-test:undecided-torn-crash: node \d+ crashed with a torn write/);
    expect(rj.history).toBe(history);
    // The history goes to the checker as it is.
    const checked = raftsim("check", history, "--json");
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout).verdict).toBe("linearizable");
  });

  it("replay after a checker changed: the same run (run hash) judged anew is told apart from another run", () => {
    const out = join(bundleDir, "judged-anew");
    const saved = JSON.parse(raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "undecided-torn-crash", "--workers", "1", "--save-unknown", "--out", out, "--json").stdout);
    const path: string = saved.unknownRuns[0].replayFile;
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(file.expected.runHash).toMatch(/^[0-9a-f]{16}$/);
    expect(file.expected.runHash).not.toBe(file.expected.traceHash);
    // What a file written by a build whose checker judged this run otherwise holds: the same
    // run hash, another trace hash (the verdicts are the trace's last records).
    const olderVerdicts = { ...file, expected: { ...file.expected, traceHash: "0123456789abcdef" } };
    writeFileSync(path, JSON.stringify(olderVerdicts));
    const r = raftsim("replay", path, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sameTrace: false, sameRun: true, reproduced: false, runHash: file.expected.runHash, expectedRunHash: file.expected.runHash });
    expect(JSON.parse(r.stdout).hint).toBeUndefined();
    const text = raftsim("replay", path).stdout;
    expect(text).toContain(`same run (runHash ${file.expected.runHash}, as recorded), judged anew: the checks' verdicts changed since the file was written\n`);
    expect(text).not.toContain("NOT reproduced");
    expect(raftsim("replay", out).stdout).toMatch(/^ {2}pass, self-test:undecided-torn-crash undecided +\S+\.json \(when written: passed, a check undecided; same run, judged anew\)$/m);
    expect(raftsim("replay", out).stdout).toMatch(/reproduced exactly, 1 the same run judged anew/);
    // Another run hash too: another run.
    writeFileSync(path, JSON.stringify({ ...file, expected: { ...file.expected, traceHash: "0123456789abcdef", runHash: "fedcba9876543210" } }));
    const other = JSON.parse(raftsim("replay", path, "--json").stdout);
    expect(other).toMatchObject({ sameTrace: false, sameRun: false, reproduced: false });
    expect(raftsim("replay", path).stdout).toContain("NOT reproduced");
    // A file from before run hashes: only the trace hash to go by.
    const { runHash: _r, ...withoutRunHash } = olderVerdicts.expected;
    writeFileSync(path, JSON.stringify({ ...file, expected: withoutRunHash }));
    const old = JSON.parse(raftsim("replay", path, "--json").stdout);
    expect(old.sameRun).toBeUndefined();
    expect(old.reproduced).toBe(false);
    // A malformed run hash is bad input: one line, exit 2.
    writeFileSync(path, JSON.stringify({ ...file, expected: { ...file.expected, runHash: "xyz" } }));
    const bad = raftsim("replay", path);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`raftsim: ${path}: expected.runHash: expected 16 hex digits, got "xyz"`);
  });

  it("replay DIR: every saved file of a campaign's --out re-run, one line each and a tally; not replay files skipped", () => {
    const dir = join(bundleDir, "replay-dir");
    const failing = JSON.parse(raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "torn-crash", "--shrink-budget", "30", "--max-failures", "0", "--workers", "1", "--out", dir, "--json").stdout);
    expect(failing.failed).toBeGreaterThan(0);
    const undecided = JSON.parse(raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "undecided-torn-crash", "--workers", "1", "--save-unknown", "--out", dir, "--json").stdout);
    expect(undecided.unknownRuns.length).toBeGreaterThan(0);
    const undecidedOnly = join(bundleDir, "replay-dir-undecided");
    raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "undecided-torn-crash", "--workers", "1", "--save-unknown", "--out", undecidedOnly, "--json");
    writeFileSync(join(dir, "notes.json"), JSON.stringify({ note: "not a replay file" }));

    const r = raftsim("replay", dir, "--json");
    expect(r.code).toBe(1); // a saved failure fails again
    const j = JSON.parse(r.stdout);
    expect(j.failed).toBe(failing.failed);
    expect(j.undecided).toBe(undecided.unknownRuns.length);
    expect(j.passed).toBe(undecided.unknownRuns.length);
    expect(j.reproduced).toBe(failing.failed + undecided.unknownRuns.length);
    expect(j.unreadable).toBe(1);
    expect(j.files.find((f: { file: string }) => f.file.endsWith("notes.json")).error).toMatch(/expected a raftsim replay file/);

    const text = raftsim("replay", dir);
    expect(text.stdout).toMatch(/^ {2}FAIL self-test:torn-crash +\S+fuzz-\d+-\S+\.json \(when written: failed self-test:torn-crash; reproduced exactly\)$/m);
    expect(text.stdout).toMatch(/^ {2}pass, self-test:undecided-torn-crash undecided +\S+unknown-\d+-\S+\.json \(when written: passed, a check undecided; reproduced exactly\)$/m);
    expect(text.stdout).toMatch(/^ {2}SKIP {2}\S+notes\.json: expected a raftsim replay file/m);
    expect(text.stdout).toContain(`${dir}: ${failing.failed + undecided.unknownRuns.length} replayed: ${failing.failed} fail, ${undecided.unknownRuns.length} pass (${undecided.unknownRuns.length} with a check still undecided)`);

    // Nothing failing, nothing unreadable: exit 0.
    expect(raftsim("replay", undecidedOnly).code).toBe(0);
    // A campaign that wrote files says how to re-check them all.
    const again = raftsim("fuzz", "--runs", "10", "--seed", "7", "--self-test", "undecided-torn-crash", "--workers", "1", "--save-unknown", "--out", undecidedOnly);
    expect(again.stdout).toContain(`(after a fix, \`raftsim replay ${undecidedOnly}\` re-runs every file there)`);
    // One file's options on a directory, and a directory with no replay files: one line, exit 2.
    const traceOnDir = raftsim("replay", dir, "--trace", join(bundleDir, "t.ndjson"));
    expect(traceOnDir.code).toBe(2);
    expect(traceOnDir.stderr.trim().split("\n")).toEqual([`raftsim: replay: --trace takes one replay file, and ${dir} is a directory`]);
    const empty = mkdtempSync(join(tmpdir(), "raftsim-empty-"));
    const none = raftsim("replay", empty);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe(`raftsim: ${empty}: no replay files (*.json) in this directory`);
  });

  it("--time: stops starting runs when the budget is spent; the summary's --runs repeats exactly those runs", () => {
    const timed = raftsim("fuzz", "--time", "1500ms", "--seed", "5", "--workers", "2", "--json", "--out", join(bundleDir, "timed"));
    const j = JSON.parse(timed.stdout);
    expect(j.stoppedByTime).toBe(true);
    expect(j.runs).toBeGreaterThan(0);
    expect(j.repeatWith).toBe(`--runs ${j.runs}`);
    const again = JSON.parse(raftsim("fuzz", ...j.repeatWith.split(" "), "--seed", "5", "--workers", "1", "--json", "--out", join(bundleDir, "timed-again")).stdout);
    expect(again.stoppedByTime).toBeUndefined();
    expect(stable(again)).toEqual(stable({ ...j, workers: 1, planned: j.runs, stoppedEarly: false, stoppedByTime: undefined, repeatWith: undefined }));
  });

  it("a failure's replay file is written when its run ends: a campaign killed later still leaves it", async () => {
    const out = join(bundleDir, "killed");
    // Killed in afterEach too, should this test time out waiting.
    const child = spawn(process.execPath, [join(bundleDir, "raftsim.mjs"), "fuzz", "--runs", "100000", "--seed", "7", "--self-test", "torn-crash", "--shrink-budget", "60", "--max-failures", "0", "--workers", "1", "--out", out], { cwd: bundleDir });
    spawned.push(child);
    const found = await new Promise<string>((resolve, reject) => {
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /found: run \d+ fails [^;]+; raftsim replay (\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on("exit", () => reject(new Error(`fuzz exited before reporting a failure: ${stderr}`)));
    }).finally(() => child.kill("SIGKILL"));
    const file = JSON.parse(readFileSync(found, "utf8"));
    expect(file.expected.violations[0].check).toBe("self-test:torn-crash");
    expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("--max-failures: files past the cutoff are not left behind, whatever the worker count", () => {
    for (const workers of ["1", "2"]) {
      const out = join(bundleDir, `cutoff-${workers}`);
      const j = JSON.parse(raftsim("fuzz", ...CAMPAIGN, "--max-failures", "1", "--workers", workers, "--out", out).stdout);
      expect(j.failed).toBe(1);
      expect(readdirSync(out)).toEqual([j.failures[0].replayFile.split("/").pop()]);
    }
  });

  it("a replay that no longer reproduces on another build says so, with the command that re-runs its campaign run", () => {
    const dir = join(bundleDir, "w1");
    const path = join(dir, readdirSync(dir).sort()[0]!);
    const original = JSON.parse(readFileSync(path, "utf8"));
    expect(original.origin.build).toBe("source"); // this suite's bundle has no build id defined
    const moved = join(bundleDir, "other-build.json");
    // A change to the store or the simulator moves the run itself: both hashes differ.
    const movedRun = { ...original.expected, traceHash: "0000000000000000", runHash: "0000000000000000" };
    writeFileSync(moved, JSON.stringify({ ...original, expected: movedRun, origin: { ...original.origin, build: "0123456789ab" } }));
    const r = JSON.parse(raftsim("replay", moved, "--json").stdout);
    expect(r.reproduced).toBe(false);
    expect(r.writtenBy).toBe("0123456789ab");
    const i = original.origin.runIndex;
    const command = `raftsim fuzz --seed 7 --runs ${i + 1} --shard ${i}/${i + 1} --self-test torn-crash`;
    expect(r.hint).toContain(command);
    // The command runs that one campaign run, and it fails the same check again.
    const again = JSON.parse(raftsim(...command.split(" ").slice(1), "--shrink-budget", "60", "--json", "--out", join(bundleDir, "rerun")).stdout);
    expect(again.runs).toBe(1);
    expect(again.failures.map((f: { runIndex: number; check: string }) => [f.runIndex, f.check])).toEqual([[i, original.expected.violations[0].check]]);
    // On the same build, a trace that differs is not blamed on the build.
    writeFileSync(moved, JSON.stringify({ ...original, expected: movedRun }));
    expect(JSON.parse(raftsim("replay", moved, "--json").stdout).hint).toBeUndefined();
  });

  it("--bug alone hunts: up to 10,000 runs, stopping at the first failure; --runs / --max-failures still rule", () => {
    const out = join(bundleDir, "hunt");
    const hunt = raftsim("fuzz", "--bug", "revision-bump-on-noop", "--workers", "1", "--shrink-budget", "0", "--out", out, "--json");
    expect(hunt.code).toBe(1);
    const j = JSON.parse(hunt.stdout);
    expect([j.planned, j.failed, j.stoppedEarly]).toEqual([10_000, 1, true]);
    expect(j.runs).toBeLessThan(50);
    const plain = JSON.parse(raftsim("fuzz", "--bug", "revision-bump-on-noop", "--runs", "3", "--workers", "1", "--shrink-budget", "0", "--out", out, "--json").stdout);
    expect([plain.planned, plain.runs]).toEqual([3, 3]);
    const many = JSON.parse(raftsim("fuzz", "--bug", "revision-bump-on-noop", "--runs", "3", "--max-failures", "2", "--workers", "1", "--shrink-budget", "0", "--out", out, "--json").stdout);
    expect(many.failed).toBe(2);
  });

  it("bad input: one line on stderr, exit 2", () => {
    const good = JSON.parse(readFileSync(readdirSync(join(bundleDir, "w1")).map((f) => join(bundleDir, "w1", f))[0]!, "utf8"));
    writeFileSync(join(bundleDir, "v1.json"), JSON.stringify({ ...good, formatVersion: 1 }));
    writeFileSync(join(bundleDir, "broken.json"), "{\n  \"seed\": x }");
    writeFileSync(join(bundleDir, "summary.json"), JSON.stringify({ runs: 4, passed: 4, failed: 0, failures: [] }));
    const cases: [string[], RegExp][] = [
      [["replay", join(bundleDir, "v1.json")], /v1\.json: formatVersion: expected 2, got 1 \(written by another raftsim version/],
      [["replay", join(bundleDir, "broken.json")], /broken\.json:2:11: expected a value \(not valid JSON/],
      [["replay", join(bundleDir, "missing.json")], /missing\.json: no such replay file/],
      [["replay", join(bundleDir, "summary.json")], /summary\.json: expected a raftsim replay file .* none of those fields/],
      [["replay"], /replay: missing FILE/],
      [["fuzz", "--shard", "2/2"], /--shard expects I\/N with 0 <= I < N/],
      [["fuzz", "--runs", "0"], /--runs expects a positive integer/],
      [["fuzz", "--time", "soon"], /--time expects a duration like 30s, 500ms or 2m, got 'soon'/],
      [["fuzz", "--bug", "nope"], /unknown canary 'nope'/],
      [["fuzz", "--self-test", "nope"], /unknown self-test 'nope'/],
    ];
    for (const [args, message] of cases) {
      const r = raftsim(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n").length, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("--help documents fuzz and replay", () => {
    expect(raftsim("--help").stdout).toMatch(/fuzz[\s\S]*replay/);
    expect(raftsim("fuzz", "--help").stdout).toMatch(/^usage: raftsim fuzz .*--shard I\/N/);
    expect(raftsim("replay", "--help").stdout).toMatch(/^usage: raftsim replay FILE/);
  });
});
