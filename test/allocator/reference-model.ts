/**
 * A deliberately naive model of a small address space, written independently of the allocator's algorithms:
 * an address bitmap, tree recursion for the maximal free blocks, and a linear scan for every block.
 */
import type { Block, BlockStatus } from "../../src/allocator/blocks.js";
import {
  addressCount,
  childrenOf,
  comparePrefixes,
  containsPrefix,
  overlaps,
  type Prefix,
} from "../../src/allocator/prefix.js";

/** The maximal aligned free blocks of parent, by recursion: a block is listed when wholly free. */
export function referenceFreeBlocks(parent: Prefix, occupied: readonly Prefix[]): Prefix[] {
  const out: Prefix[] = [];
  const visit = (block: Prefix): void => {
    const touching = occupied.filter((o) => overlaps(o, block));
    if (touching.length === 0) out.push(block);
    else if (!touching.some((o) => containsPrefix(o, block)))
      for (const half of childrenOf(block)) visit(half);
  };
  visit(parent);
  return out;
}

/** One flag per address of parent; refuses a double marking (i.e. an overlap). */
export function markAddresses(parent: Prefix, groups: readonly (readonly Prefix[])[]): Uint8Array {
  const marks = new Uint8Array(Number(addressCount(parent)));
  for (const group of groups) {
    for (const p of group) {
      const from = Number(p.start - parent.start);
      for (let i = from; i < from + Number(addressCount(p)); i++) {
        if (marks[i]) throw new Error(`address ${i} marked twice`);
        marks[i] = 1;
      }
    }
  }
  return marks;
}

/** Every N-block of parent with its status and occupants, by scanning all occupied prefixes per block. */
export function referenceBlocks(
  parent: Prefix,
  length: number,
  occupied: readonly Prefix[],
  occupantLimit: number,
): Block[] {
  const size = addressCount({ family: parent.family, start: 0n, length });
  const count = Number(addressCount(parent) / size);
  const sorted = [...occupied].sort(comparePrefixes);
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const prefix: Prefix = { family: parent.family, start: parent.start + BigInt(i) * size, length };
    const cover = sorted.find((o) => containsPrefix(o, prefix));
    if (cover) {
      const status: BlockStatus = cover.length === length ? "USED" : "INSIDE";
      blocks.push({ prefix, status, occupants: [cover], moreOccupants: false });
      continue;
    }
    const inside = sorted.filter((o) => containsPrefix(prefix, o));
    if (inside.length > 0) {
      blocks.push({
        prefix,
        status: "PARTIAL",
        occupants: inside.slice(0, occupantLimit),
        moreOccupants: inside.length > occupantLimit,
      });
    } else {
      blocks.push({ prefix, status: "FREE", occupants: [], moreOccupants: false });
    }
  }
  return blocks;
}

/** Keeps the candidates that do not overlap an earlier one: a random disjoint set of children. */
export function disjoint(candidates: readonly Prefix[]): Prefix[] {
  const kept: Prefix[] = [];
  for (const c of candidates) if (!kept.some((k) => overlaps(k, c))) kept.push(c);
  return kept.sort(comparePrefixes);
}

/** The prefix of the given length at block index `index` (wrapped) inside parent. */
export function nthBlock(parent: Prefix, length: number, index: number): Prefix {
  const size = addressCount({ family: parent.family, start: 0n, length });
  const count = addressCount(parent) / size;
  return { family: parent.family, start: parent.start + (BigInt(index) % count) * size, length };
}
