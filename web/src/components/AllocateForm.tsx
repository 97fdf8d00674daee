/**
 * Allocate from a pool, with a live preview (`previewAllocation`: the same checks as `allocate`, writing
 * nothing) of the CIDR it would get; the server's message appears beside the field it names. Also reserve.
 */
import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { useDebounced } from "../lib/debounce";
import { useMutationForm } from "../lib/mutation-form";
import { Modal } from "./Modal";
import { Field, FormActions, FormError, SelectField } from "./Field";
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
  const form = useMutationForm(AllocateMutation, {
    pendingError: preview.error,
    onSuccess: (r) => {
      toast(`Allocated ${r.allocate.allocation.cidr}`);
      props.onClose();
    },
  });

  return (
    <Modal title={`Allocate from ${props.pool.name}`} onClose={props.onClose}>
      <form className="form" onSubmit={form.onSubmit(() => ({ input }))}>
        <SelectField label="Account" {...form.field("accountId")} value={accountId} onChange={setAccountId}>
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
            {...form.field("prefixLength")}
            type="number"
            value={prefixLength}
            onChange={(e) => setPrefixLength(e.target.value)}
          />
        ) : (
          <Field
            label="CIDR"
            {...form.field("cidr")}
            value={cidr}
            onChange={(e) => setCidr(e.target.value)}
            placeholder={props.pool.cidr}
            spellCheck={false}
          />
        )}
        <Field
          label="Name (optional)"
          {...form.field("name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
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
        <FormError form={form} />
        <FormActions submitLabel="Allocate" busy={form.busy} disabled={!ready} onCancel={props.onClose} />
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
  const form = useMutationForm(ReserveMutation, {
    onSuccess: (r) => {
      toast(`Reserved ${r.reserve.reservation.cidr}`);
      props.onClose();
    },
  });
  return (
    <Modal title={`Reserve in ${props.pool.name}`} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={form.onSubmit(() => ({
          input: { poolId: props.pool.id, cidr: cidr.trim(), reason: reason.trim() || undefined },
        }))}
      >
        <Field
          label="CIDR"
          {...form.field("cidr")}
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
          placeholder={props.pool.cidr}
          spellCheck={false}
          required
        />
        <Field
          label="Reason"
          {...form.field("reason")}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <FormError form={form} />
        <FormActions submitLabel="Reserve" busy={form.busy} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
