/** Why an allocator operation was refused; stable, so the API layer can map it to a client-facing code. */
export type AllocatorErrorCode =
  | "INVALID_PREFIX"
  | "HOST_BITS_SET"
  | "LENGTH_OUT_OF_RANGE"
  | "OUTSIDE_PARENT"
  | "NOT_FREE"
  | "NO_SPACE"
  | "FAMILY_MISMATCH";

/** A refused allocator operation: a message a person can act on, plus the details a program needs. */
export class AllocatorError extends Error {
  override readonly name = "AllocatorError";

  constructor(
    readonly code: AllocatorErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * `"<input>" is not a valid <what>: <why>` without saying it twice: the allocator's parse messages
 * already name the input ("'10.0.0.0' is not a valid CIDR (missing /length)"), others do not.
 */
export function invalidInputMessage(input: string, what: string, error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return why.includes(`'${input}'`) || why.includes(`"${input}"`)
    ? why
    : `"${input}" is not a valid ${what}: ${why}`;
}
