import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findJsonError } from "./json_error";

describe("findJsonError", () => {
  it.each([
    ['{\n  "a": 1,\n  "b": }\n', 3, 8, "a value"],
    ['{"a" 1}', 1, 6, "':' after the property name"],
    ["[1, 2", 1, 6, "',' or ']'"],
    ["{'a': 1}", 1, 2, "a property name in double quotes"],
    ['{"a": 1} x', 1, 10, "the end of the text"],
    ['"abc', 1, 5, "a closing quote"],
    ["", 1, 1, "a value (the text ended)"],
  ])("%j fails at %i:%i expecting %s", (text, line, column, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonError(text)).toMatchObject({ line, column, expected });
  });

  it("agrees with JSON.parse on what is valid (seed printed on failure)", () => {
    // Valid JSON never gets an error; mangled JSON gets one exactly when JSON.parse throws.
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom("", "}", ",", ":", '"', "x", "]"), (v, at, junk) => {
        const text = JSON.stringify(v, null, at % 2 === 0 ? 2 : 0);
        expect(findJsonError(text)).toBeUndefined();
        const cut = at % (text.length + 1);
        const mangled = text.slice(0, cut) + junk + text.slice(cut);
        let valid = true;
        try {
          JSON.parse(mangled);
        } catch {
          valid = false;
        }
        expect(findJsonError(mangled) === undefined).toBe(valid);
      }),
      { seed: 1, numRuns: 2_000 },
    );
  });
});
