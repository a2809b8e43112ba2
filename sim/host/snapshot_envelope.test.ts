import { describe, expect, it } from "vitest";
import { unwrapSnapshot, wrapSnapshot } from "./snapshot_envelope";

describe("snapshot envelope", () => {
  it("carries the members (sorted) and the image unchanged", () => {
    const image = new Uint8Array([9, 8, 7, 6, 5]);
    const back = unwrapSnapshot(wrapSnapshot(new Set([4, 1, 3]), image));
    expect(back.members).toEqual([1, 3, 4]);
    expect([...back.image]).toEqual([...image]);
    expect(unwrapSnapshot(wrapSnapshot([], new Uint8Array(0)))).toEqual({ members: [], image: new Uint8Array(0) });
  });

  it("refuses what is not an envelope: too short, a bad magic, a count past the end", () => {
    expect(() => unwrapSnapshot(new Uint8Array(3))).toThrow(/shorter than its header/);
    expect(() => unwrapSnapshot(new Uint8Array(8))).toThrow(/bad magic/);
    const data = wrapSnapshot([1, 2], new Uint8Array(0));
    new DataView(data.buffer).setUint32(4, 3, true);
    expect(() => unwrapSnapshot(data)).toThrow(/do not fit/);
  });
});
