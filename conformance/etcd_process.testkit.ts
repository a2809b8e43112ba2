// A real single-member etcd for the conformance suites: Debian's etcd-server on free
// 127.0.0.1 ports with a temp data dir (on tmpfs where there is one: cheap fsyncs), spoken
// to through its JSON gateway, and stopped (then its directory removed) by the suite.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ETCD_BIN = process.env.ETCD_BIN ?? "/usr/bin/etcd";
export const HAVE_ETCD = existsSync(ETCD_BIN);

/** Why a suite skips without etcd — said loudly once, so a skip is never silent. */
export function skipReason(suite: string): string {
  const reason = `${ETCD_BIN} not found: install Debian's etcd-server (apt-get install -y etcd-server) to run ${suite}`;
  if (!HAVE_ETCD) console.warn(`\n*** ${suite.toUpperCase()} SKIPPED: ${reason} ***\n`);
  return reason;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

export class EtcdProcess {
  private proc: ChildProcess | undefined;
  private dir = "";
  clientUrl = "";
  peerUrl = "";
  version = "";
  log = "";

  constructor(
    private readonly name: string,
    private readonly electionTimeoutMs: number,
  ) {}

  /** Starts etcd and waits until it has elected itself. */
  async start(): Promise<void> {
    const base = existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
    this.dir = mkdtempSync(path.join(base, `raftsim-etcd-${this.name}-`));
    this.clientUrl = `http://127.0.0.1:${await freePort()}`;
    this.peerUrl = `http://127.0.0.1:${await freePort()}`;
    const proc = spawn(ETCD_BIN, [
      "--name", this.name, "--data-dir", path.join(this.dir, "data"),
      "--listen-client-urls", this.clientUrl, "--advertise-client-urls", this.clientUrl,
      "--listen-peer-urls", this.peerUrl, "--initial-advertise-peer-urls", this.peerUrl,
      "--initial-cluster", `${this.name}=${this.peerUrl}`,
      "--heartbeat-interval", "10", "--election-timeout", String(this.electionTimeoutMs), "--log-level", "error",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    proc.stdout!.on("data", (d) => (this.log += d));
    proc.stderr!.on("data", (d) => (this.log += d));
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`etcd exited: ${this.log}`);
      if (i >= 300) throw new Error(`etcd did not elect itself: ${this.log}`);
      try {
        if ((await this.post("/v3/maintenance/status", {})).leader) break;
      } catch { /* not up yet */ }
      await sleep(20);
    }
    this.version = ((await (await fetch(`${this.clientUrl}/version`)).json()) as { etcdserver: string }).etcdserver;
  }

  /**
   * POSTs to the gateway; a stream endpoint (keepalive) answers {"result": …} lines: the first
   * is taken. One connection per request, no pooled keep-alive and no retry (a retry could
   * apply a write twice): a request that kills etcd fails alone, as "socket hang up" (see
   * conformance/etcd_crashers.ts; etcd's own log, `log`, says why).
   */
  post(p: string, body: unknown): Promise<Record<string, unknown>> {
    const url = new URL(`${this.clientUrl}${p}`);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: Number(url.port), path: url.pathname, method: "POST", agent: false, headers: { "content-type": "application/json", connection: "close" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => settle(text.split("\n")[0]!));
        res.on("error", reject);
      });
      const settle = (line: string) => {
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch (error) {
          reject(new Error(`etcd ${p}: not JSON: ${line.slice(0, 200)} (${String(error)})`));
        }
      };
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  }

  /** Whether the etcd process has exited, and the panic line of its log if it left one. */
  died(): { dead: boolean; panic: string | undefined } {
    const dead = this.proc !== undefined && this.proc.exitCode !== null;
    return { dead, panic: /^panic: .*$/m.exec(this.log)?.[0] };
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
