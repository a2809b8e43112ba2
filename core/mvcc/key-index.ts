// Per-key history as etcd's keyIndex: a list of generations. A generation is one life
// of the key, from its creation to its tombstone (delete); the last generation is the
// live one (or empty, when the key is currently deleted).
import { assert } from "../assert";
import { type Revision } from "./revision";

interface Generation {
  /** Revisions of the puts of this life, ascending; with `closed`, the last is the tombstone. */
  revs: Revision[];
  closed: boolean;
}

export class KeyIndex {
  private generations: Generation[] = [{ revs: [], closed: false }];

  constructor(readonly key: string) {}

  private live(): Generation {
    return this.generations[this.generations.length - 1]!;
  }

  put(r: Revision): void {
    const g = this.live();
    const last = g.revs[g.revs.length - 1];
    assert(last === undefined || last.main < r.main || (last.main === r.main && last.sub < r.sub),
      `keyIndex ${this.key}: put revision must grow`);
    g.revs.push(r);
  }

  /**
   * A delete of the live generation. `restoring`: rebuilding from stored records, where a
   * key's oldest record may be a tombstone kept at the compaction revision, its puts gone
   * (etcd-io/etcd#19188: etcd once skipped such a tombstone on restore, losing the delete).
   */
  tombstone(r: Revision, restoring = false): void {
    const g = this.live();
    assert(g.revs.length > 0 || (restoring && this.generations.length === 1), () => `keyIndex ${this.key}: tombstone on a key that does not exist`);
    g.revs.push(r);
    g.closed = true;
    this.generations.push({ revs: [], closed: false });
  }

  /** True when the key exists at the newest revision. */
  isLive(): boolean {
    return this.live().revs.length > 0;
  }

  /** The revision of the key's value visible at store revision `atMain`, if it exists then. */
  get(atMain: number): Revision | undefined {
    // Newest generation first: most reads are recent.
    for (let gi = this.generations.length - 1; gi >= 0; gi--) {
      const g = this.generations[gi]!;
      if (g.revs.length === 0) continue;
      if (g.revs[0]!.main > atMain) continue;
      const tomb = g.closed ? g.revs[g.revs.length - 1]! : undefined;
      if (tomb !== undefined && tomb.main <= atMain) return undefined; // deleted by then
      for (let i = g.revs.length - 1; i >= 0; i--) {
        if (g.revs[i]!.main <= atMain) return g.revs[i];
      }
    }
    return undefined;
  }

  /**
   * Drops history older than `atMain` (etcd's keyIndex.compact): generations whose
   * tombstone is < atMain vanish, and in the first surviving generation only the newest
   * revision ≤ atMain is kept. A tombstone at atMain itself stays (alone in its generation),
   * as etcd keeps it since etcd-io/etcd#18274: a watch from the compaction revision must still
   * see that delete (etcd-io/etcd#18089, which our fuzzer found here too). Returns the
   * revisions removed; `empty()` tells whether the whole index can go.
   */
  compact(atMain: number, dropKeptValue = false): Revision[] {
    const removed: Revision[] = [];
    while (this.generations.length > 1) {
      const g = this.generations[0]!;
      const tomb = g.revs[g.revs.length - 1]!;
      if (tomb.main > atMain) break;
      if (tomb.main === atMain) {
        // Everything before the tombstone goes; later generations are all above atMain.
        removed.push(...g.revs.splice(0, g.revs.length - 1));
        return removed;
      }
      removed.push(...g.revs);
      this.generations.shift();
    }
    const g = this.generations[0]!;
    let keepFrom = -1;
    for (let i = g.revs.length - 1; i >= 0; i--) {
      if (g.revs[i]!.main <= atMain) {
        keepFrom = i;
        break;
      }
    }
    // The compact-drops-kept-value canary also drops the value visible at atMain when a
    // later revision hides the loss from reads at the newest revision.
    if (dropKeptValue && keepFrom >= 0 && keepFrom < g.revs.length - 1) keepFrom++;
    if (keepFrom > 0) removed.push(...g.revs.splice(0, keepFrom));
    return removed;
  }

  empty(): boolean {
    return this.generations.length === 1 && this.generations[0]!.revs.length === 0;
  }

  /** For tests and invariant checks: generation sizes, oldest first. */
  generationSizes(): number[] {
    return this.generations.map((g) => g.revs.length);
  }
}
