/** Alias limit: aliased fields per operation, counted with fragment expansion (a fragment spread twice counts twice). */
import { Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from "graphql";
import { fragmentsOf } from "./depth.js";
import { queryTooComplex } from "./limit-error.js";

/** O(size of the document): each fragment is counted once and multiplied by its spreads. */
export function aliasCount(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  memo = new Map<string, number>(),
): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.alias) n++;
      if (sel.selectionSet) n += aliasCount(sel.selectionSet, fragments, memo);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      n += aliasCount(sel.selectionSet, fragments, memo);
    } else {
      const name = sel.name.value;
      if (!memo.has(name)) {
        memo.set(name, 0); // cycle guard
        const frag = fragments.get(name);
        memo.set(name, frag ? aliasCount(frag.selectionSet, fragments, memo) : 0);
      }
      n += memo.get(name)!;
    }
  }
  return n;
}

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    const memo = new Map<string, number>();
    return {
      OperationDefinition(op) {
        const count = aliasCount(op.selectionSet, fragments, memo);
        if (count > maxAliases) {
          context.reportError(
            queryTooComplex(
              `operation${op.name ? ` '${op.name.value}'` : ""} uses ${count} aliases; the limit is ${maxAliases} (MAX_ALIASES)`,
              { limit: "aliases", maximum: maxAliases, actual: count },
              op,
            ),
          );
        }
        return false;
      },
    };
  };
}
