// The oracle's record of when entries were proposed, which the linearizability hints read
// (a request can have made only a revision whose entry was proposed after it was called).
import { describe, expect, it } from "vitest";
import { StoreOracle } from "./oracle";

/** An oracle whose clock reads `now` set by each proposal: [index, term, atUs]. */
function proposed(...proposals: [number, number, number][]): StoreOracle {
  const o = new StoreOracle();
  let now = 0;
  o.clock = () => now;
  for (const [index, term, atUs] of proposals) {
    now = atUs;
    o.noteProposed(index, term);
  }
  return o;
}

describe("StoreOracle proposal times", () => {
  it("keeps the latest proposal at a (term, index): an entry lost with a failed fsync is replaced by the one that stands", () => {
    const o = proposed([92, 3, 12_620_000], [92, 3, 15_010_000]);
    o.noteRevisionEntry(65, 92, 3);
    expect(o.revisionsProposedAtUs().get(65)).toBe(15_010_000);
  });

  it("maps each revision to the proposal of the entry that made it, the first entry recorded for it", () => {
    const o = proposed([10, 2, 1_000], [11, 2, 2_000]);
    o.noteRevisionEntry(7, 11, 2);
    o.noteRevisionEntry(7, 10, 2); // a second replica's record of revision 7 changes nothing
    expect(o.revisionsProposedAtUs()).toEqual(new Map([[7, 2_000]]));
  });
});
