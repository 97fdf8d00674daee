/** The typed errors of the domain: defined below every layer (src/errors.ts) so that src/db can throw them too. */
export * from "../errors.js";
