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
    // Domain errors name the field in details.field; a scalar that fails coercion (a bad CIDR) names it in
    // the message only: 'Variable "$input" got invalid value ... at "input.cidr"; ...'.
    const fromMessage = /at "[A-Za-z_]\w*\.([A-Za-z_][\w.]*)"/.exec(e.message)?.[1];
    const raw = typeof details.field === "string" ? details.field : fromMessage;
    const field = raw ? raw.replace(/^input\./, "") : null;
    if (field) out.fields[field] = e.message;
    else out.general = out.general ? `${out.general}; ${e.message}` : e.message;
  }
  return out;
}
