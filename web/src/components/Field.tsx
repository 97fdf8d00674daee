/** A labelled input with the server's message for that field beside it (aria-describedby). */
import type { InputHTMLAttributes, ReactNode } from "react";

export function Field(
  props: InputHTMLAttributes<HTMLInputElement> & {
    label: string;
    name: string;
    error?: string;
    hint?: ReactNode;
  },
) {
  const { label, name, error, hint, ...rest } = props;
  const id = `f-${name}`;
  const describedBy =
    [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${error ? "has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...rest}
      />
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert" data-field={name}>
          {error}
        </span>
      )}
    </div>
  );
}

export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  children: ReactNode;
}) {
  const id = `f-${props.name}`;
  return (
    <div className={`field ${props.error ? "has-error" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {props.children}
      </select>
      {props.error && (
        <span id={`${id}-error`} className="field-error" role="alert" data-field={props.name}>
          {props.error}
        </span>
      )}
    </div>
  );
}

/** The form's message that belongs to no field it shows (render it after the fields). */
export function FormError({ form }: { form: { generalError: () => string | null } }) {
  const message = form.generalError();
  return message ? (
    <p className="error" role="alert">
      {message}
    </p>
  ) : null;
}

/** Cancel and submit, the submit disabled while the mutation runs. */
export function FormActions(props: {
  submitLabel: string;
  busy?: boolean;
  disabled?: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="actions">
      <button type="button" className="ghost" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" disabled={props.busy || props.disabled}>
        {props.submitLabel}
      </button>
    </div>
  );
}
