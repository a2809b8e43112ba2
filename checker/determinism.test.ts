// checker/ must be deterministic and standalone: no clocks or randomness, and no imports
// from core/, sim/ or scenarios/ (it checks histories from anywhere).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL(".", import.meta.url).pathname;
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}
const FORBIDDEN = [/\bDate\b/, /Math\.random/, /setTimeout|setInterval|setImmediate/, /performance\.now/, /process\.hrtime/, /crypto\.random|randomBytes|randomUUID/];
const IMPORT_OUT = /from\s+["'](\.\.\/)+(core|sim|scenarios|cli|viewer|reports)\//;

describe("checker determinism", () => {
  const files = sources(ROOT);
  it("finds the checker sources", () => expect(files.length).toBeGreaterThan(10));
  for (const file of files) {
    it(file.slice(ROOT.length), () => {
      const text = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
      for (const pattern of FORBIDDEN) expect(text, `${file} uses ${pattern}`).not.toMatch(pattern);
      expect(text).not.toMatch(IMPORT_OUT);
    });
  }
});
