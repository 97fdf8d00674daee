/**
 * Query depth limit: the deepest chain of nested fields in an operation, fragments expanded.
 * Introspection fields (`__schema`, `__type`) are not counted: graphql-js bounds them itself
 * (MaxIntrospectionDepthRule) and the explorer's introspection query is deeper than any sane limit.
 */
import {
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { queryTooComplex } from "./limit-error.js";

/** Depth of a selection set (a leaf field is 1). O(size of the document): each fragment is measured once. */
export function selectionDepth(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  memo = new Map<string, number>(),
): number {
  let deepest = 0;
  for (const sel of set.selections) {
    let d = 0;
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith("__") && sel.name.value !== "__typename") continue;
      d = 1 + (sel.selectionSet ? selectionDepth(sel.selectionSet, fragments, memo) : 0);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      d = selectionDepth(sel.selectionSet, fragments, memo);
    } else {
      const name = sel.name.value;
      if (!memo.has(name)) {
        memo.set(name, 0); // cycle guard; NoFragmentCyclesRule reports the cycle itself
        const frag = fragments.get(name);
        memo.set(name, frag ? selectionDepth(frag.selectionSet, fragments, memo) : 0);
      }
      d = memo.get(name)!;
    }
    if (d > deepest) deepest = d;
  }
  return deepest;
}

export function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  return fragments;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    const memo = new Map<string, number>();
    return {
      OperationDefinition(op) {
        const depth = selectionDepth(op.selectionSet, fragments, memo);
        if (depth > maxDepth) {
          context.reportError(
            queryTooComplex(
              `operation${op.name ? ` '${op.name.value}'` : ""} is ${depth} levels deep; the limit is ${maxDepth} (MAX_DEPTH)`,
              { limit: "depth", maximum: maxDepth, actual: depth },
              op,
            ),
          );
        }
        return false;
      },
    };
  };
}
