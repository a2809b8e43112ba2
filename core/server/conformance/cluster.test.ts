// The Cluster API's rules against a real etcd 3.4: one script of member requests runs on a
// single-member etcd (through its JSON gateway) and, for the same situation, through
// raftsim's checks (core/server/cluster.ts); errors must match word for word. etcd's member
// IDs are random and its peer URLs real, so each step names both sides' arguments.
// Skips loudly when etcd is not installed. Run alone: npm run test:etcd
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMemberAdd, checkMemberPromote, checkMemberRemove, membersOf, peerUrl, type MemberConf, type PeerView } from "../cluster";

const ETCD_BIN = process.env.ETCD_BIN ?? "/usr/bin/etcd";
const HAVE_ETCD = existsSync(ETCD_BIN);
const SKIP_REASON = `${ETCD_BIN} not found: install Debian's etcd-server (apt-get install -y etcd-server) to compare the Cluster API with etcd`;
if (!HAVE_ETCD) console.warn(`\n*** CLUSTER API CONFORMANCE SKIPPED: ${SKIP_REASON} ***\n`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

type Json = Record<string, unknown>;

let proc: ChildProcess | undefined;
let dir = "";
let clientUrl = "";
let peer = "";
let log = "";

async function post(p: string, body: unknown): Promise<Json> {
  const res = await fetch(`${clientUrl}${p}`, { method: "POST", body: JSON.stringify(body) });
  return (await res.json()) as Json;
}

async function startEtcd(): Promise<void> {
  const base = existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  dir = mkdtempSync(path.join(base, "raftsim-etcd-cluster-"));
  clientUrl = `http://127.0.0.1:${await freePort()}`;
  peer = `http://127.0.0.1:${await freePort()}`;
  proc = spawn(ETCD_BIN, [
    "--name", "m1", "--data-dir", path.join(dir, "data"),
    "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `m1=${peer}`,
    "--heartbeat-interval", "10", "--election-timeout", "100", "--log-level", "error",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`etcd exited: ${log}`);
    try {
      if ((await post("/v3/maintenance/status", {})).leader) return;
    } catch { /* not up yet */ }
    await sleep(20);
  }
  throw new Error(`etcd did not elect itself: ${log}`);
}

async function stopEtcd(): Promise<void> {
  const p = proc;
  if (p && p.exitCode === null) {
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    if (p.exitCode === null) p.kill("SIGKILL");
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** raftsim's side: member 1 leads, in touch with everyone started; `learner` never started. */
function view(conf: MemberConf, learnerStarted = false): PeerView {
  const never = new Set(learnerStarted ? [] : conf.learners);
  return {
    self: 1,
    conf,
    started: (id) => !never.has(id),
    active: (id) => !never.has(id),
    match: (id) => (never.has(id) ? 0 : 10),
  };
}

const outcome = (r: Json): string => (typeof r.error === "string" ? r.error : "ok");
const ours = (r: string | undefined | { error: string } | { id: number }): string => (r === undefined ? "ok" : typeof r === "string" ? r : "error" in r ? r.error : "ok");

describe.skipIf(!HAVE_ETCD)("Cluster API conformance with real etcd", () => {
  beforeAll(startEtcd, 30_000);
  afterAll(stopEtcd);

  it("member add / remove / promote give etcd's answers, step by step", async () => {
    const status = await post("/v3/maintenance/status", {});
    const self = String(status.leader);
    for (const field of ["version", "dbSize", "leader", "raftIndex", "raftTerm", "raftAppliedIndex"]) expect(status, `etcd status has ${field}`).toHaveProperty(field);
    const one: MemberConf = { voters: [1], votersOutgoing: [], learners: [] };
    const withLearner: MemberConf = { voters: [1], votersOutgoing: [], learners: [2] };
    const rows: string[] = [];
    const compare = (step: string, etcd: Json, sim: string) => {
      rows.push(`${step}: etcd "${outcome(etcd)}" / raftsim "${sim}"`);
      expect(sim, step).toBe(outcome(etcd));
    };

    compare("remove an unknown ID", await post("/v3/cluster/member/remove", { ID: "12345" }), ours(checkMemberRemove(view(one), 99)));
    compare("promote an unknown ID", await post("/v3/cluster/member/promote", { ID: "12345" }), ours(checkMemberPromote(view(one), 99)));
    compare("add with an invalid peer URL", await post("/v3/cluster/member/add", { peerURLs: ["notaurl"], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: ["notaurl"], isLearner: true })));
    compare("add with no peer URL", await post("/v3/cluster/member/add", { peerURLs: [], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: [], isLearner: true })));
    compare("add the member itself again", await post("/v3/cluster/member/add", { peerURLs: [peer], isLearner: true }), ours(checkMemberAdd(view(one), { peerURLs: [peerUrl(1)], isLearner: true })));
    compare("remove the only voter", await post("/v3/cluster/member/remove", { ID: self }), ours(checkMemberRemove(view(one), 1)));
    compare("promote a voter", await post("/v3/cluster/member/promote", { ID: self }), ours(checkMemberPromote(view(one), 1)));

    // A learner that never starts: adding it keeps the quorum; etcd allows one.
    const added = await post("/v3/cluster/member/add", { peerURLs: ["http://127.0.0.1:1"], isLearner: true });
    compare("add a learner", added, ours(checkMemberAdd(view(one), { peerURLs: [peerUrl(2)], isLearner: true })));
    const learnerId = String((added.member as Json).ID);
    const list = await post("/v3/cluster/member/list", {});
    const etcdFlags = (list.members as Json[]).map((m) => m.isLearner === true).sort();
    expect(etcdFlags, "member list: one voter and one learner").toEqual(membersOf(withLearner).map((m) => m.isLearner).sort());
    compare("add a second learner", await post("/v3/cluster/member/add", { peerURLs: ["http://127.0.0.1:2"], isLearner: true }), ours(checkMemberAdd(view(withLearner), { peerURLs: [peerUrl(3)], isLearner: true })));
    compare("promote a learner that is not in sync", await post("/v3/cluster/member/promote", { ID: learnerId }), ours(checkMemberPromote(view(withLearner), 2)));
    compare("remove the learner", await post("/v3/cluster/member/remove", { ID: learnerId }), ours(checkMemberRemove(view(withLearner), 2)));
    const after = await post("/v3/cluster/member/list", {});
    expect((after.members as Json[]).length).toBe(1);
    console.log(`Cluster API vs etcd ${String(status.version)}: ${rows.length} steps, all matched\n  ${rows.join("\n  ")}`);
  }, 30_000);
});

if (!HAVE_ETCD) {
  describe("Cluster API conformance with real etcd (unavailable)", () => {
    it.skip(SKIP_REASON, () => {});
  });
}
