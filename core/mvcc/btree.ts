// sorted-btree is CommonJS with `exports.default = BTree`. Bundlers that follow Node's ESM
// interop hand us the whole exports object as the default import, vitest hands us BTree:
// take whichever is the constructor.
import * as sortedBtree from "sorted-btree";
import type BTreeType from "sorted-btree";

type BTreeCtor = typeof BTreeType;
const mod = sortedBtree as unknown as { default: BTreeCtor | { default: BTreeCtor } };
export const BTree: BTreeCtor = typeof mod.default === "function" ? mod.default : mod.default.default;
export type BTree<K, V> = BTreeType<K, V>;
