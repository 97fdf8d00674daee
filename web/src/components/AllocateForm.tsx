/**
 * Allocate from a pool, with a live preview (`previewAllocation`: the same checks as `allocate`, writing
 * nothing) of the CIDR it would get; the server's message appears beside the field it names. Also reserve.
 */
import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { formErrors } from "../lib/errors";
import { Modal } from "./Modal";
import { Field, SelectField } from "./Field";
import { toast } from "./Toasts";

const AccountsForSelect = graphql(`
  query AccountsForSelect {
    accounts(first: 200) {
      edges {
        node {
          id
          name
          key
        }
      }
    }
  }
`);

const PreviewQuery = graphql(`
  query PreviewAllocation($input: AllocateInput!) {
    previewAllocation(input: $input) {
      cidr
      existing {
        id
      }
    }
  }
`);

const AllocateMutation = graphql(`
  mutation Allocate($input: AllocateInput!) {
    allocate(input: $input) {
      allocation {
        id
        cidr
        name
        pool {
          id
        }
      }
    }
  }
`);

const ReserveMutation = graphql(`
  mutation Reserve($input: ReserveInput!) {
    reserve(input: $input) {
      reservation {
        id
        cidr
        pool {
          id
        }
      }
    }
  }
`);

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function AllocateForm(props: {
  pool: { id: string; name: string; cidr: string };
  defaultLength: number;
  onClose: () => void;
}) {
  const [{ data: accounts }] = useQuery({ query: AccountsForSelect });
  const [accountId, setAccountId] = useState("");
  const [mode, setMode] = useState<"length" | "cidr">("length");
  const [prefixLength, setPrefixLength] = useState(String(props.defaultLength));
  const [cidr, setCidr] = useState("");
  const [name, setName] = useState("");
  const [state, allocate] = useMutation(AllocateMutation);
  const firstAccount = accounts?.accounts.edges[0]?.node.id;
  useEffect(() => {
    if (!accountId && firstAccount) setAccountId(firstAccount);
  }, [accountId, firstAccount]);

  const input = {
    poolId: props.pool.id,
    accountId,
    ...(mode === "cidr" ? { cidr: cidr.trim() } : { prefixLength: Number(prefixLength) }),
    ...(name.trim() ? { name: name.trim() } : {}),
  };
  const debounced = useDebounced(JSON.stringify(input), 250);
  const ready = accountId !== "" && (mode === "cidr" ? cidr.trim() !== "" : prefixLength !== "");
  const [preview] = useQuery({
    query: PreviewQuery,
    variables: { input: JSON.parse(debounced) as typeof input },
    pause: !ready,
    requestPolicy: "network-only",
  });
  // The submit's errors win; until then the preview's errors show beside the fields as you type.
  const errs = formErrors(state.error ?? preview.error);

  return (
    <Modal title={`Allocate from ${props.pool.name}`} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await allocate({ input });
          if (r.data) {
            toast(`Allocated ${r.data.allocate.allocation.cidr}`);
            props.onClose();
          }
        }}
      >
        <SelectField
          label="Account"
          name="accountId"
          value={accountId}
          onChange={setAccountId}
          error={errs.fields.accountId}
        >
          {accounts?.accounts.edges.length === 0 && <option value="">No accounts: create one first</option>}
          {accounts?.accounts.edges.map((e) => (
            <option key={e.node.id} value={e.node.id}>
              {e.node.name} ({e.node.key})
            </option>
          ))}
        </SelectField>
        <fieldset className="toolbar">
          <legend>Size</legend>
          <label>
            <input type="radio" name="mode" checked={mode === "length"} onChange={() => setMode("length")} />{" "}
            next free of a prefix length
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === "cidr"} onChange={() => setMode("cidr")} /> a
            specific CIDR
          </label>
        </fieldset>
        {mode === "length" ? (
          <Field
            label="Prefix length"
            name="prefixLength"
            type="number"
            value={prefixLength}
            onChange={(e) => setPrefixLength(e.target.value)}
            error={errs.fields.prefixLength}
          />
        ) : (
          <Field
            label="CIDR"
            name="cidr"
            value={cidr}
            onChange={(e) => setCidr(e.target.value)}
            error={errs.fields.cidr}
            placeholder={props.pool.cidr}
            spellCheck={false}
          />
        )}
        <Field
          label="Name (optional)"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errs.fields.name}
        />
        <div className="preview" aria-live="polite" data-testid="allocation-preview">
          {!ready ? (
            <span className="muted">Choose an account and a size to preview.</span>
          ) : preview.fetching && !preview.data ? (
            <span className="muted">Previewing…</span>
          ) : preview.data ? (
            <>
              Would allocate <code>{preview.data.previewAllocation.cidr}</code>
            </>
          ) : preview.error ? (
            <span className="muted">Nothing to preview: see the message above.</span>
          ) : null}
        </div>
        {errs.general && (
          <p className="error" role="alert">
            {errs.general}
          </p>
        )}
        <div className="actions">
          <button type="button" className="ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={state.fetching || !ready}>
            Allocate
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function ReserveForm(props: {
  pool: { id: string; name: string; cidr: string };
  onClose: () => void;
}) {
  const [cidr, setCidr] = useState("");
  const [reason, setReason] = useState("");
  const [state, reserve] = useMutation(ReserveMutation);
  const errs = formErrors(state.error);
  return (
    <Modal title={`Reserve in ${props.pool.name}`} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await reserve({
            input: { poolId: props.pool.id, cidr: cidr.trim(), reason: reason.trim() || undefined },
          });
          if (r.data) {
            toast(`Reserved ${r.data.reserve.reservation.cidr}`);
            props.onClose();
          }
        }}
      >
        <Field
          label="CIDR"
          name="cidr"
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
          error={errs.fields.cidr}
          placeholder={props.pool.cidr}
          spellCheck={false}
          required
        />
        <Field
          label="Reason"
          name="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={errs.fields.reason}
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
          <button type="submit" disabled={state.fetching}>
            Reserve
          </button>
        </div>
      </form>
    </Modal>
  );
}
