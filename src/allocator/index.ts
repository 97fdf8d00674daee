/** The allocator's public API: pure IPv4/IPv6 prefix math, free space, allocation and the blocks view. */
export * from "./errors.js";
export * from "./prefix.js";
export * from "./free-space.js";
export * from "./free-index.js";
export * from "./blocks.js";
export * from "./memory-source.js";
export * from "./utilization.js";
export * from "./packing.js";
export * from "./defragmentation.js";
export * from "./resize.js";
