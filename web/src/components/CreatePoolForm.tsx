/** New pool (top-level in a scope, or a child of a pool) and new scope, with the server's per-field errors. */
import { useState } from "react";
import { graphql } from "../gql";
import { useMutationForm } from "../lib/mutation-form";
import { navigate } from "../lib/router";
import { Modal } from "./Modal";
import { Field, FormActions, FormError, SelectField } from "./Field";
import { toast } from "./Toasts";

const CreatePoolMutation = graphql(`
  mutation CreatePool($input: CreatePoolInput!) {
    createPool(input: $input) {
      pool {
        id
        name
        cidr
        parent {
          id
        }
      }
    }
  }
`);

const CreateScopeMutation = graphql(`
  mutation CreateScope($input: CreateScopeInput!) {
    createScope(input: $input) {
      scope {
        id
        name
      }
    }
  }
`);

export function CreatePoolForm(props: {
  onClose: () => void;
  scopes: { id: string; name: string }[];
  parent?: { id: string; name: string };
}) {
  const [name, setName] = useState("");
  const [cidr, setCidr] = useState("");
  const [scopeId, setScopeId] = useState(props.scopes[0]?.id ?? "");
  const [newScope, setNewScope] = useState("");
  const form = useMutationForm(CreatePoolMutation, {
    onSuccess: ({ createPool: { pool } }) => {
      toast(`Created pool ${pool.name} (${pool.cidr})`);
      props.onClose();
      navigate(`/pools/${encodeURIComponent(pool.id)}`);
    },
  });
  const scopeForm = useMutationForm(CreateScopeMutation);

  async function submit() {
    let scope = scopeId;
    if (!props.parent && scope === "__new") {
      const r = await scopeForm.submit({ input: { name: newScope.trim() } });
      if (!r) return;
      scope = r.createScope.scope.id;
      setScopeId(scope);
    }
    const input = props.parent
      ? { name: name.trim(), cidr: cidr.trim(), parentId: props.parent.id }
      : { name: name.trim(), cidr: cidr.trim(), scopeId: scope || undefined };
    await form.submit({ input });
  }

  return (
    <Modal title={props.parent ? `New pool in ${props.parent.name}` : "New pool"} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {!props.parent && (
          <SelectField label="Scope" {...form.field("scopeId")} value={scopeId} onChange={setScopeId}>
            {props.scopes.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            <option value="__new">New scope…</option>
          </SelectField>
        )}
        {!props.parent && scopeId === "__new" && (
          <Field
            label="New scope name"
            name="scopeName"
            value={newScope}
            onChange={(e) => setNewScope(e.target.value)}
            error={scopeForm.message ?? undefined}
            required
          />
        )}
        <Field
          label="Name"
          {...form.field("name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          autoFocus
        />
        <Field
          label="CIDR"
          {...form.field("cidr")}
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
          placeholder="10.0.0.0/16"
          spellCheck={false}
          required
        />
        <FormError form={form} />
        <FormActions submitLabel="Create pool" busy={form.busy || scopeForm.busy} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
