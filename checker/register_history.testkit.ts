// Test support: random small register histories (reads, writes, compare-and-sets, some
// open), shared by the search's and the witness's agreement tests with brute force.
import fc from "fast-check";
import type { Operation } from "./history";
import type { RegisterInput, RegisterOutput, RegisterValue } from "./models/register";

export type RegOp = Operation<RegisterInput, RegisterOutput>;
export const REGISTER_VALUES: RegisterValue[] = [null, 0, 1, 2];

/** One drawn operation: its kind, arguments, claimed result, interval and whether it stayed open. */
export const registerRowArb = fc.record({
  kind: fc.constantFrom("read", "write", "cas"),
  a: fc.constantFrom(...REGISTER_VALUES),
  b: fc.constantFrom(...REGISTER_VALUES),
  r: fc.constantFrom(...REGISTER_VALUES),
  ok: fc.boolean(),
  call: fc.nat(20),
  len: fc.nat(12),
  open: fc.nat(6),
});
export type RegisterRow = typeof registerRowArb extends fc.Arbitrary<infer T> ? T : never;

/** The operation a drawn row stands for (the i-th of its history, on its own client). */
export function registerOp(s: RegisterRow, i: number): RegOp {
  const input: RegisterInput = s.kind === "read" ? { op: "read" } : s.kind === "write" ? { op: "write", value: s.a } : { op: "cas", from: s.a, to: s.b };
  const output: RegisterOutput = input.op === "read" ? { value: s.r } : input.op === "cas" ? { ok: s.ok } : {};
  const open = s.open === 0;
  return { id: i, client: i, input, call: s.call, output: open ? null : output, return: open ? Infinity : s.call + s.len };
}

/** Histories of 1-7 such operations. */
export const randomRegisterHistory: fc.Arbitrary<RegOp[]> = fc.array(registerRowArb, { minLength: 1, maxLength: 7 }).map((rows) => rows.map(registerOp));
