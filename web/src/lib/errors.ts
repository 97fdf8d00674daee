/** Turns a GraphQL error into what the form shows: a message per input field (from extensions.details.field) and the rest. */
import type { CombinedError } from "urql";

export interface FormErrors {
  fields: Record<string, string>;
  general: string | null;
}

export function formErrors(error: CombinedError | undefined | null): FormErrors {
  const out: FormErrors = { fields: {}, general: null };
  if (!error) return out;
  if (error.graphQLErrors.length === 0) {
    out.general = error.networkError?.message ?? error.message;
    return out;
  }
  for (const e of error.graphQLErrors) {
    const details = (e.extensions?.details ?? {}) as { field?: unknown };
    const field = typeof details.field === "string" ? details.field.replace(/^input\./, "") : null;
    if (field) out.fields[field] = e.message;
    else out.general = out.general ? `${out.general}; ${e.message}` : e.message;
  }
  return out;
}
