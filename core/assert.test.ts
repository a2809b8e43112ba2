import { describe, expect, it } from "vitest";
import { assert, AssertionError } from "./assert";

describe("assert", () => {
  it("builds a lazy message only when the assertion fails", () => {
    let built = 0;
    const message = () => {
      built++;
      return `broken at ${built}`;
    };
    assert(true, message);
    expect(built).toBe(0);
    expect(() => assert(false, message)).toThrow(new AssertionError("broken at 1"));
    expect(() => assert(0, "plain")).toThrow(AssertionError);
  });
});
