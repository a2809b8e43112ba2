// `raftsim snapshot save` then `raftsim snapshot restore`: the restored cluster holds the
// saved member's keys at its revision, with the same state hash on every member.
import { fakeIO } from "../test_io";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../args";
import { UsageError } from "../command";
import { snapshotCommand } from "./snapshot";

const run = async (argv: string[], json = true) => {
  const f = fakeIO(json);
  const code = await snapshotCommand.run(parseArgs(snapshotCommand, argv), f.io);
  return { code, ...f };
};
const dir = mkdtempSync(join(tmpdir(), "raftsim-snapshot-"));

describe("raftsim snapshot", () => {
  it("save -> restore gives the same revision, keys and state hash on every restored member", async () => {
    const file = join(dir, "kv.db");
    const saved = await run(["save", "--scenario", "kv-mixed", "--seed", "3", "--at-ms", "4000", "--out", file]);
    expect(saved.code).toBe(0);
    expect(saved.out).toHaveLength(1);
    const s = JSON.parse(saved.out[0]!);
    expect(s).toMatchObject({ scenario: "kv-mixed", seed: 3, atMs: 4000, file });
    expect(s.revision).toBeGreaterThan(10); // the workload wrote for 4 s
    expect(s.keys).toBeGreaterThan(0);
    expect(readFileSync(file).byteLength).toBe(s.sizeBytes);

    const status = await run(["status", file]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out[0]!)).toMatchObject({ file, revision: s.revision, keys: s.keys, stateHash: s.stateHash, sizeBytes: s.sizeBytes });

    const restored = await run(["restore", file, "--nodes", "3", "--seed", "5"]);
    expect(restored.code).toBe(0);
    const r = JSON.parse(restored.out[0]!);
    expect(r).toMatchObject({ ok: true, same: true, revision: s.revision, keys: s.keys, stateHash: s.stateHash });
    expect(Object.values(r.members)).toEqual([s.stateHash, s.stateHash, s.stateHash]);

    // Another seed for the run gives another history and so another snapshot.
    const other = await run(["save", "--scenario", "kv-mixed", "--seed", "4", "--at-ms", "4000", "--out", join(dir, "kv4.db")]);
    expect(JSON.parse(other.out[0]!).stateHash).not.toBe(s.stateHash);
    // The same seed gives the same bytes.
    await run(["save", "--scenario", "kv-mixed", "--seed", "3", "--at-ms", "4000", "--out", join(dir, "kv-again.db")]);
    expect(readFileSync(join(dir, "kv-again.db"))).toEqual(readFileSync(file));
  });

  it("human output names the member, revision, keys and hash", async () => {
    const file = join(dir, "human.db");
    const saved = await run(["save", "--scenario", "kv-mixed", "--seed", "2", "--at-ms", "1500", "--node", "follower", "--out", file], false);
    expect(saved.code).toBe(0);
    expect(saved.out.join("\n")).toMatch(/snapshot of node \d at 1500 ms \(kv-mixed, seed 2\) written to .*human\.db\nrevision \d+ {2}keys \d+/);
    const restored = await run(["restore", file], false);
    expect(restored.out.join("\n")).toMatch(/same state as the snapshot on every member/);
  });

  it("a member that cannot answer: exit 1 and no file", async () => {
    const file = join(dir, "none.db");
    // With seed 1, leader-crash-restart has node 2 down at 3 s: nobody answers the request.
    const r = await run(["save", "--scenario", "leader-crash-restart", "--seed", "1", "--at-ms", "3000", "--node", "2", "--out", file]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out[0]!).error).toMatch(/did not answer/);
    expect(readdirSync(dir).filter((f) => f.startsWith("none.db"))).toEqual([]);
  });

  it("bad input is a usage error naming the problem", async () => {
    writeFileSync(join(dir, "garbage.db"), "not a snapshot at all");
    const good = join(dir, "kv.db");
    const cases: [string[], RegExp][] = [
      [["save", "--at-ms", "100"], /missing --out FILE/],
      [["save", "--out", join(dir, "x.db")], /missing --at-ms T/],
      [["save", "--at-ms", "99999999", "--out", join(dir, "x.db")], /--at-ms must be between 0 and the scenario's duration/],
      [["save", "--at-ms", "100", "--node", "boss", "--out", join(dir, "x.db")], /--node expects leader, follower, random or a node id/],
      [["save", "--at-ms", "100", "--node", "40", "--out", join(dir, "x.db")], /--node 40 is not a member of kv-mixed/],
      [["save", "--scenario", "nope", "--at-ms", "100", "--out", join(dir, "x.db")], /unknown scenario 'nope'/],
      [["restore"], /missing FILE/],
      [["status"], /snapshot status: missing FILE/],
      [["status", join(dir, "garbage.db")], /garbage\.db: not a raftsim snapshot/],
      [["restore", join(dir, "missing.db")], /missing\.db: no such snapshot file/],
      [["restore", join(dir, "garbage.db")], /garbage\.db: not a raftsim snapshot/],
      [["restore", good, "--nodes", "0"], /--nodes must be between 1 and 9/],
      [["frobnicate"], /unknown action 'frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      const attempt = run(argv);
      await expect(attempt, argv.join(" ")).rejects.toThrow(UsageError);
      await expect(run(argv)).rejects.toThrow(message);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith("x.db"))).toEqual([]);
  });
});
