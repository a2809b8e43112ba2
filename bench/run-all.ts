// `npm run bench`: runs every benchmark script in bench/ (each prints its own figures).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

// bench:canaries runs fuzz campaigns for minutes: run it on its own.
const SCRIPTS = ["scheduler.ts", "raft.ts", "store.ts", "checker.ts", "viewer.ts"];
let failed = 0;
for (const script of SCRIPTS) {
  const path = join(import.meta.dirname ?? __dirname, script);
  if (!existsSync(path)) continue;
  console.log(`\n== bench/${script}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
