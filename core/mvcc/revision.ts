// A store revision: `main` is the store revision of a write request (one per request),
// `sub` orders the changes inside it (a txn's puts and deletes share one main).
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

export function compareRevisions(a: Revision, b: Revision): number {
  if (a.main !== b.main) return a.main < b.main ? -1 : 1;
  return a.sub < b.sub ? -1 : a.sub > b.sub ? 1 : 0;
}

export function rev(main: number, sub = 0): Revision {
  return { main, sub };
}
