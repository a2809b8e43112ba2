// Decides what each periodic backend commit writes: a full image (replacing the file) or a
// delta frame appended to it (backend.ts). Deltas make a commit cost O(changes) instead of
// O(history); the image is rewritten whenever a delta could not describe the change (a
// compaction removed records, the state was replaced by a snapshot restore or reloaded
// after a restart, where the file may end in a torn frame) and when the deltas have grown
// as large as the image (or 64 KiB), which bounds the file and its load time to about twice
// the image.
import type { BackendLayout } from "./backend";
import { encodeBackend, encodeBackendDelta } from "./backend";
import type { KvServer } from "./server";

export interface BackendWrite {
  bytes: Uint8Array;
  mode: "replace" | "append";
}

export class BackendWriter {
  private needsImage = true;
  /** The store's revision and compaction revision as of the last write. */
  private revision = 0;
  private compactRevision = 0;
  private imageBytes = 0;
  private deltaBytes = 0;
  imagesWritten = 0;
  deltasWritten = 0;

  constructor(
    private readonly layout: BackendLayout,
    /** Deltas may always grow to this much before an image is due, however small the image. */
    private readonly deltaBytesMin = 64 * 1_024,
  ) {}

  /** The server's state was replaced (snapshot restore): the next commit writes an image. */
  stateReplaced(): void {
    this.needsImage = true;
  }

  /** The next commit's bytes for the server's current state. */
  next(server: KvServer): BackendWrite {
    const full =
      // The split layout (canary) keeps the index out of the image, so deltas do not apply.
      this.layout === "split" ||
      this.needsImage ||
      server.compactRevision() !== this.compactRevision ||
      this.deltaBytes > Math.max(this.imageBytes, this.deltaBytesMin);
    let write: BackendWrite;
    if (full) {
      write = { bytes: encodeBackend(server.snapshot(), { withoutConsistentIndex: this.layout === "split" }), mode: "replace" };
      this.imageBytes = write.bytes.length;
      this.deltaBytes = 0;
      this.needsImage = false;
      this.imagesWritten++;
    } else {
      write = { bytes: encodeBackendDelta(server.deltaSince(this.revision)), mode: "append" };
      this.deltaBytes += write.bytes.length;
      this.deltasWritten++;
    }
    this.revision = server.currentRevision();
    this.compactRevision = server.compactRevision();
    return write;
  }
}
