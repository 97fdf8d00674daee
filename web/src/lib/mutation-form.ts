/**
 * One mutation behind one form or confirmation: run it, report success, and turn its GraphQL error into
 * what the form shows (each message beside the field its `details.field` names, the rest as one message).
 * Every form of the UI goes through this hook, so submit, busy state and error mapping behave the same.
 */
import { useCallback, useRef, type FormEvent } from "react";
import { useMutation, type AnyVariables, type CombinedError, type TypedDocumentNode } from "urql";
import { formErrors } from "./errors";

export interface MutationForm<Data, Variables> {
  /** Runs the mutation; resolves to its data, or null when it failed (the error is then shown). */
  submit: (variables: Variables) => Promise<Data | null>;
  /** A form's onSubmit: prevents the page load, builds the variables and submits. */
  onSubmit: (variables: () => Variables) => (e: FormEvent) => void;
  busy: boolean;
  /** `name` and the server's message for it, to spread on a Field; registers the field as shown. */
  field: (name: string) => { name: string; error: string | undefined };
  /**
   * The message shown under the form: the error without a field, plus messages for fields this form does
   * not show (call it after the fields, for example in FormError, so none is lost).
   */
  generalError: () => string | null;
  /** Every message in one line, for a confirmation that has no fields. */
  message: string | null;
}

export function useMutationForm<Data, Variables extends AnyVariables>(
  mutation: TypedDocumentNode<Data, Variables>,
  opts: {
    onSuccess?: (data: Data) => void;
    /** Shown until the mutation has run, e.g. the errors of a live preview with the same input. */
    pendingError?: CombinedError | null;
  } = {},
): MutationForm<Data, Variables> {
  const [state, execute] = useMutation<Data, Variables>(mutation);
  const errors = formErrors(state.error ?? opts.pendingError);
  const shown = useRef(new Set<string>());
  shown.current = new Set();
  const onSuccess = useRef(opts.onSuccess);
  onSuccess.current = opts.onSuccess;

  const submit = useCallback(
    async (variables: Variables) => {
      const r = await execute(variables);
      if (!r.data) return null;
      onSuccess.current?.(r.data);
      return r.data;
    },
    [execute],
  );
  const all = [errors.general, ...Object.values(errors.fields)].filter((m): m is string => !!m);
  return {
    submit,
    onSubmit: (variables) => (e) => {
      e.preventDefault();
      void submit(variables());
    },
    busy: state.fetching,
    field: (name) => {
      shown.current.add(name);
      return { name, error: errors.fields[name] };
    },
    generalError: () => {
      const rest = Object.entries(errors.fields)
        .filter(([f]) => !shown.current.has(f))
        .map(([f, m]) => (m.includes(f) ? m : `${f}: ${m}`));
      const list = [errors.general, ...rest].filter((m): m is string => !!m);
      return list.length ? list.join("; ") : null;
    },
    message: all.length ? all.join("; ") : null,
  };
}
