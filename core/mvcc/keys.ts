// Key ordering and range conventions. etcd keys are bytes compared lexicographically;
// keys here are JS strings, so we compare by Unicode code point, which is exactly the
// order of their UTF-8 bytes (plain `<` compares UTF-16 units and disagrees above U+FFFF).

export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Only surrogate halves (0xD800–0xDFFF) sort differently by code point than by unit.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa === sb) return ca < cb ? -1 : 1;
    // A surrogate encodes a code point ≥ 0x10000, above every BMP unit.
    return sa ? 1 : -1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** The rangeEnd meaning "every key ≥ key" (etcd: a single zero byte). */
export const RANGE_END_ALL = "\0";

/**
 * Bounds of a [key, rangeEnd) request in etcd's conventions: no rangeEnd = the one key;
 * "\0" = every key ≥ key; otherwise the half-open interval (empty when rangeEnd ≤ key).
 * `end` undefined in the result means unbounded above.
 */
export interface KeyBounds {
  single: boolean;
  start: string;
  end: string | undefined;
}

export function keyBounds(key: string, rangeEnd: string | undefined): KeyBounds {
  if (rangeEnd === undefined || rangeEnd === "") return { single: true, start: key, end: undefined };
  if (rangeEnd === RANGE_END_ALL) return { single: false, start: key, end: undefined };
  return { single: false, start: key, end: rangeEnd };
}

export function inBounds(b: KeyBounds, k: string): boolean {
  if (b.single) return k === b.start;
  if (compareKeys(k, b.start) < 0) return false;
  return b.end === undefined || compareKeys(k, b.end) < 0;
}

/**
 * The rangeEnd selecting every key with this prefix (etcd's clientv3.GetPrefixRangeEnd):
 * increment the last code point that can be incremented; none → "\0" (to the end).
 */
export function prefixEnd(prefix: string): string {
  const cps = Array.from(prefix);
  for (let i = cps.length - 1; i >= 0; i--) {
    const cp = cps[i]!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      // Skip the surrogate block: those are not code points of their own.
      const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
      return cps.slice(0, i).join("") + String.fromCodePoint(next);
    }
  }
  return RANGE_END_ALL;
}
