// Ground truth from outside the project: Jepsen histories shipped with porcupine, with
// verdicts in expected.json. Every file is parsed by our own parsers; no name special-cases.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkHistory } from "./check";
import { loadHistory } from "./parsers/detect";

const DATA = "/work/shared/data/porcupine";
const expected = JSON.parse(readFileSync(join(DATA, "expected.json"), "utf8")) as Record<string, Record<string, boolean>>;

describe("porcupine data set", () => {
  for (const dir of Object.keys(expected)) {
    const files = readdirSync(join(DATA, dir)).sort();
    it(`${dir}: every file has an expected verdict`, () => {
      expect(files.sort()).toEqual(Object.keys(expected[dir]!).sort());
    });
    for (const file of files) {
      it(`${dir}/${file}`, () => {
        const path = join(DATA, dir, file);
        const loaded = loadHistory(readFileSync(path, "utf8"), path);
        expect(loaded.history.operations.length).toBeGreaterThan(0);
        const result = checkHistory(loaded.history, loaded.model);
        expect(result.verdict).toBe(expected[dir]![file] ? "linearizable" : "not-linearizable");
        if (result.verdict === "not-linearizable") {
          const ce = result.counterexample!;
          expect(ce.unplaceable).toContain(ce.blocking);
          expect(ce.linearized).not.toContain(ce.blocking);
        }
      });
    }
  }
});
