// Just enough of the source map format (v3) to turn an offset in a bundle into the source
// file and line it came from: the base64 VLQ "mappings" decoded line by line.
import { assert } from "../core/assert";

export interface SourceMap {
  version: number;
  sources: string[];
  mappings: string;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The numbers of one segment: VLQ groups of 5 bits, low first, continuation bit 32, sign in bit 0. */
export function decodeSegment(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    assert(digit !== undefined, () => `source map: bad base64 digit ${JSON.stringify(c)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  assert(shift === 0, "source map: segment ends inside a number");
  return out;
}

/** Returns offset → { source (without leading "../"), line (1-based) }, or undefined where nothing maps. */
export function decodeMappings(generated: string, map: SourceMap): (offset: number) => { source: string; line: number } | undefined {
  assert(map.version === 3, () => `source map: version ${map.version}, expected 3`);
  // Per generated line: [column, source, line] of each segment, in column order.
  const lines: [number, number, number][][] = [];
  let source = 0;
  let sourceLine = 0;
  for (const text of map.mappings.split(";")) {
    const segments: [number, number, number][] = [];
    let column = 0;
    for (const segment of text.split(",")) {
      if (segment === "") continue;
      const v = decodeSegment(segment);
      column += v[0]!;
      if (v.length < 4) continue;
      source += v[1]!;
      sourceLine += v[2]!;
      segments.push([column, source, sourceLine]);
    }
    lines.push(segments);
  }
  const lineStarts = [0];
  for (let i = 0; i < generated.length; i++) if (generated.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const sources = map.sources.map((s) => s.replace(/^(\.\.\/)+/, ""));
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const column = offset - lineStarts[lo]!;
    let best: [number, number, number] | undefined;
    for (const s of lines[lo] ?? []) {
      if (s[0] > column) break;
      best = s;
    }
    return best && { source: sources[best[1]]!, line: best[2] + 1 };
  };
}
