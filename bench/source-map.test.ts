// The source map decoder behind `npm run bench:coverage`, against esbuild's own maps.
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { decodeMappings, decodeSegment, type SourceMap } from "./source-map";

describe("source map decoding", () => {
  it("decodes base64 VLQ numbers (sign in the low bit, 5 bits per digit, low group first)", () => {
    expect(decodeSegment("AAAA")).toEqual([0, 0, 0, 0]);
    expect(decodeSegment("CD")).toEqual([1, -1]);
    expect(decodeSegment("gB")).toEqual([16]);
    expect(decodeSegment("2H")).toEqual([123]);
    expect(() => decodeSegment("g")).toThrow(/inside a number/);
  });

  it("maps offsets of esbuild's output back to the lines of the TypeScript they came from", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `export const value${i}: number = ${i} * 2; // line ${i + 1}`);
    const input = ["// header", "", ...lines].join("\n");
    const out = transformSync(input, { loader: "ts", sourcemap: "external", sourcefile: "../core/example.ts" });
    const map = JSON.parse(out.map) as SourceMap;
    const locate = decodeMappings(out.code, map);
    for (let i = 0; i < 40; i += 7) {
      const offset = out.code.indexOf(`value${i} = `);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(locate(offset)).toEqual({ source: "core/example.ts", line: i + 3 });
    }
  });
});
