/** New pool (top-level in a scope, or a child of a pool) and new scope, with the server's per-field errors. */
import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { formErrors } from "../lib/errors";
import { navigate } from "../lib/router";
import { Modal } from "./Modal";
import { Field, SelectField } from "./Field";
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
  const [poolState, createPool] = useMutation(CreatePoolMutation);
  const [scopeState, createScope] = useMutation(CreateScopeMutation);
  const errs = formErrors(poolState.error);
  const scopeErrs = formErrors(scopeState.error);

  async function submit() {
    let scope = scopeId;
    if (!props.parent && scope === "__new") {
      const r = await createScope({ input: { name: newScope.trim() } });
      if (!r.data) return;
      scope = r.data.createScope.scope.id;
      setScopeId(scope);
    }
    const input = props.parent
      ? { name: name.trim(), cidr: cidr.trim(), parentId: props.parent.id }
      : { name: name.trim(), cidr: cidr.trim(), scopeId: scope || undefined };
    const r = await createPool({ input });
    if (r.data) {
      toast(`Created pool ${r.data.createPool.pool.name} (${r.data.createPool.pool.cidr})`);
      props.onClose();
      navigate(`/pools/${encodeURIComponent(r.data.createPool.pool.id)}`);
    }
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
          <SelectField
            label="Scope"
            name="scopeId"
            value={scopeId}
            onChange={setScopeId}
            error={errs.fields.scopeId}
          >
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
            error={scopeErrs.fields.name ?? scopeErrs.general ?? undefined}
            required
          />
        )}
        <Field
          label="Name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errs.fields.name}
          required
          autoFocus
        />
        <Field
          label="CIDR"
          name="cidr"
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
          error={errs.fields.cidr}
          placeholder="10.0.0.0/16"
          spellCheck={false}
          required
        />
        {errs.general && (
          <p className="error" role="alert">
            {errs.general}
          </p>
        )}
        <div className="actions">
          <button type="button" className="ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={poolState.fetching || scopeState.fetching}>
            Create pool
          </button>
        </div>
      </form>
    </Modal>
  );
}
