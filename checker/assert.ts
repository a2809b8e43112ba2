// The checker's own invariant assertion: checker/ imports nothing from core/, so it keeps its own.
export class CheckerInvariantError extends Error {
  override name = "CheckerInvariantError";
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckerInvariantError(message);
}
