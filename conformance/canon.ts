// Canonical form for comparing responses: etcd's JSON cannot tell a zero, false, empty
// string or empty list from an absent field, so both sides drop them before comparing.
export function canon(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canon);
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) {
      const v = canon((x as Record<string, unknown>)[k]);
      if (v === undefined || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = v;
    }
    return out;
  }
  return x;
}

/** The first path where a and b differ (after canon), or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = "$"): string | undefined {
  const x = canon(a);
  const y = canon(b);
  return diff(x, y, path);
}

function diff(x: unknown, y: unknown, path: string): string | undefined {
  if (x === y) return undefined;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== "object") {
    return `${path}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`;
  }
  if (Array.isArray(x) !== Array.isArray(y)) return `${path}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`;
  if (Array.isArray(x)) {
    const ya = y as unknown[];
    for (let i = 0; i < Math.max(x.length, ya.length); i++) {
      const d = diff(x[i], ya[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(xo), ...Object.keys(yo)])].sort()) {
    const d = diff(xo[k], yo[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
