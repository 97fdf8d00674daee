/**
 * One authentication story for HTTP: with AUTH=on, an operation without a credential may select
 * only the public root fields (PUBLIC_ROOT_FIELDS); anything else, introspection included, is
 * refused before execution with HTTP 401 UNAUTHENTICATED, exactly like a bad credential.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type DocumentNode, type SelectionSetNode } from "graphql";
import type { Context } from "./context.js";
import { graphqlError } from "./errors.js";
import { CREATE_TOKEN_HINT, PUBLIC_ROOT_FIELDS } from "./auth.js";

/** The first root field (through fragments) that is not public, or null. O(size of the root selection). */
export function firstNonPublicRootField(
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  seen = new Set<string>(),
): string | null {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!PUBLIC_ROOT_FIELDS.has(selection.name.value)) return selection.name.value;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = firstNonPublicRootField(document, selection.selectionSet, seen);
      if (inner) return inner;
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
      );
      if (fragment?.kind !== Kind.FRAGMENT_DEFINITION) continue;
      const inner = firstNonPublicRootField(document, fragment.selectionSet, seen);
      if (inner) return inner;
    }
  }
  return null;
}

export function credentialGatePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      // No credential: an anonymous actor without a role (auth off gives every caller a role).
      if (contextValue.actor.role) return;
      return {
        async didResolveOperation({ document, operation }) {
          const field = operation && firstNonPublicRootField(document, operation.selectionSet);
          if (!field) return;
          throw graphqlError(
            "UNAUTHENTICATED",
            `authentication required for ${field}: send 'Authorization: Bearer <token>' (${CREATE_TOKEN_HINT}); without a credential only ${[...PUBLIC_ROOT_FIELDS].join(", ")} answer`,
            { field, publicFields: [...PUBLIC_ROOT_FIELDS] },
            401,
          );
        },
      };
    },
  };
}
