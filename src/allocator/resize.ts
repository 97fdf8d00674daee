/**
 * Range math of resizing a pool in place: whether a new range grows or shrinks the old one, and the
 * free-block changes that keep the pool's free index canonical without re-reading its children.
 */
import { releaseSteps, runSync, type FreeBlockProgram, type FreeBlockStore } from "./free-index.js";
import { freeBlocks } from "./free-space.js";
import { containsPrefix, prefixEquals, type Prefix } from "./prefix.js";

/** How `to` relates to `from`: it grows it (strictly contains), shrinks it (strictly inside), or neither. */
export type ResizeKind = "grow" | "shrink" | "same" | "family" | "unrelated";

/** Classifies a resize from `from` to `to`. O(1). */
export function resizeKind(from: Prefix, to: Prefix): ResizeKind {
  if (from.family !== to.family) return "family";
  if (prefixEquals(from, to)) return "same";
  if (containsPrefix(to, from)) return "grow";
  if (containsPrefix(from, to)) return "shrink";
  return "unrelated";
}

/** The space a pool gains growing from `from` to `to` (to ⊃ from): at most from.length − to.length blocks. */
export function grownBlocks(from: Prefix, to: Prefix): Prefix[] {
  return [...freeBlocks(to, [from])];
}

/**
 * Adds the grown space to a pool's free blocks (canonical for `from`), leaving them canonical for `to`:
 * each grown block is released with buddy merging. O((from.length − to.length) × prefix length) store calls.
 */
export function growFreeBlocks(store: FreeBlockStore, from: Prefix, to: Prefix): void {
  runSync(growSteps(from, to), store);
}

/** Program of `growFreeBlocks` (see free-index.ts, "One algorithm, two drivers"). */
export function* growSteps(from: Prefix, to: Prefix): FreeBlockProgram<void> {
  for (const block of grownBlocks(from, to)) yield* releaseSteps(to, block);
}

/**
 * The free blocks of a pool shrunk to `to`, from its canonical free blocks: the block holding all of `to`
 * becomes `to` itself; otherwise the blocks inside `to` are kept (they stay maximal) and the rest dropped.
 * O(n); the SQL store does the same with two statements (free-blocks.ts clipFreeBlocks).
 */
export function shrunkFreeBlocks(blocks: readonly Prefix[], to: Prefix): Prefix[] {
  if (blocks.some((b) => containsPrefix(b, to))) return [to];
  return blocks.filter((b) => containsPrefix(to, b));
}
