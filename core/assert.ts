// Invariant assertions, TigerBeetle style: a broken invariant is a finding, never skipped.
export class AssertionError extends Error {
  override name = "AssertionError";
}

/**
 * Throws AssertionError(message) when condition is falsy. Pass a message that needs
 * formatting as a function (`() => \`...${x}\``): a template literal argument would be
 * built on every call, which on hot paths (the scheduler, the Raft log) cost more than the
 * work being checked.
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === "string" ? message : message());
}

export function unreachable(value: never, what: string): never {
  throw new AssertionError(`unreachable ${what}: ${JSON.stringify(value)}`);
}
