// Bundles the CLI (and the fuzz worker it starts) into dist/ with esbuild.
// Runs as the `prepare` script, so `npm ci` leaves a working `npx raftsim`.
import { execFileSync } from "node:child_process";
import { build } from "esbuild";

/** The commit being bundled, recorded in replay files (cli/build-id.ts); "unknown" outside git. */
function buildId() {
  try {
    const git = (...args) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const commit = git("rev-parse", "--short=12", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") === "" ? commit : `${commit}-dirty`;
  } catch {
    return "unknown";
  }
}

await build({
  entryPoints: { raftsim: "cli/main.ts", "fuzz-worker": "scenarios/fuzz/worker.ts" },
  define: { RAFTSIM_BUILD: JSON.stringify(buildId()) },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  sourcemap: "linked",
  logLevel: "warning",
  // Bundled CommonJS deps (seedrandom) expect require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// The viewer's browser bundle; `raftsim view` inlines it into the page it serves or writes.
await build({
  entryPoints: { viewer: "viewer/app/main.ts" },
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "chrome110",
  minify: true,
  outdir: "dist/viewer",
  logLevel: "warning",
});

// The report pages' chart script (d3 inlined); `raftsim report` inlines it into its HTML.
await build({
  entryPoints: { charts: "reports/html/charts.ts" },
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "chrome110",
  minify: true,
  outdir: "dist/reports",
  logLevel: "warning",
});
