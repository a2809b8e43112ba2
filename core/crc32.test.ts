import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32";

/** The textbook bitwise CRC-32 (reflected, polynomial 0xEDB88320): the reference. */
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("gives the standard check value for '123456789'", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("matches the bitwise reference for every length 0..300 and for sub-ranges", () => {
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (i * 131 + n * 17 + (i >> 3)) & 0xff;
      expect(crc32(b)).toBe(crc32Bitwise(b));
      const lo = Math.min(n, 3);
      const hi = Math.max(lo, n - 5);
      expect(crc32(b, lo, hi)).toBe(crc32Bitwise(b.subarray(lo, hi)));
    }
  });
});
