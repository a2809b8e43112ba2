#!/usr/bin/env node
// Entry point installed as `raftsim`: the CLI is bundled into dist/ by `npm run build` (prepare).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const bundle = fileURLToPath(new URL("../dist/raftsim.mjs", import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write("raftsim: dist/raftsim.mjs is missing; run `npm run build` (npm ci runs it)\n");
  process.exit(2);
}
await import(bundle);
