// Bundles the CLI (and the fuzz worker it starts) into dist/ with esbuild.
// Runs as the `prepare` script, so `npm ci` leaves a working `npx raftsim`.
import { build } from "esbuild";
await build({
  entryPoints: { raftsim: "cli/main.ts" },
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
