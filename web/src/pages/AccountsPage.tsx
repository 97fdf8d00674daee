/** Accounts: search and provider/tier filters (in the URL), create and edit with per-field errors, delete after a preview. */
import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { Provider, Tier } from "../gql/graphql";
import { useMutationForm } from "../lib/mutation-form";
import { setParam, useLocation } from "../lib/router";
import { useSession } from "../lib/session-context";
import { Modal } from "../components/Modal";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Field, FormActions, FormError, SelectField } from "../components/Field";
import { toast } from "../components/Toasts";
import { ProviderOptions, TierOptions } from "../components/AccountOptions";

const AccountsQuery = graphql(`
  query AccountsPage($filter: AccountFilter, $first: Int!, $after: String) {
    accounts(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          key
          name
          provider
          platform
          tier
          environment
          regions
          description
          pools(first: 0) {
            totalCount
          }
          allocations(first: 0, status: ALLOCATED) {
            totalCount
          }
        }
      }
    }
  }
`);

const CreateAccount = graphql(`
  mutation CreateAccountPage($input: CreateAccountInput!) {
    createAccount(input: $input) {
      account {
        id
        name
      }
    }
  }
`);

const UpdateAccount = graphql(`
  mutation UpdateAccountPage($input: UpdateAccountInput!) {
    updateAccount(input: $input) {
      account {
        id
        name
        platform
        tier
        environment
        regions
      }
    }
  }
`);

const DeleteAccount = graphql(`
  mutation DeleteAccountPage($input: DeleteAccountInput!) {
    deleteAccount(input: $input) {
      deletedAccountId
    }
  }
`);

interface AccountRow {
  id: string;
  key: string;
  name: string;
  platform?: string | null;
  tier?: Tier | null;
  environment?: string | null;
  regions: string[];
  pools: { totalCount: number };
  allocations: { totalCount: number };
}

function AccountForm(props: { account?: AccountRow; onClose: () => void }) {
  const a = props.account;
  const [key, setKey] = useState(a?.key ?? "");
  const [name, setName] = useState(a?.name ?? "");
  const [platform, setPlatform] = useState(a?.platform ?? "");
  const [tier, setTier] = useState<string>(a?.tier ?? "");
  const [environment, setEnvironment] = useState(a?.environment ?? "");
  const [regions, setRegions] = useState(a?.regions.join(", ") ?? "");
  const fields = {
    name: name.trim(),
    platform: platform.trim() || null,
    tier: (tier || null) as Tier | null,
    environment: environment.trim() || null,
    regions: regions
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean),
  };
  const done = () => {
    toast(a ? `Saved ${fields.name}` : `Created account ${fields.name}`);
    props.onClose();
  };
  const createForm = useMutationForm(CreateAccount, { onSuccess: done });
  const updateForm = useMutationForm(UpdateAccount, { onSuccess: done });
  const form = a ? updateForm : createForm;
  return (
    <Modal title={a ? `Edit ${a.name}` : "New account"} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (a) void updateForm.submit({ input: { id: a.id, ...fields } });
          else
            void createForm.submit({
              input: {
                key: key.trim(),
                ...fields,
                platform: fields.platform ?? undefined,
                tier: fields.tier ?? undefined,
                environment: fields.environment ?? undefined,
              },
            });
        }}
      >
        {!a && (
          <Field
            label="Key"
            {...form.field("key")}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="aws:123456789012 or gcp:my-project"
            required
          />
        )}
        <Field
          label="Name"
          {...form.field("name")}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <Field
          label="Platform"
          {...form.field("platform")}
          value={platform}
          onChange={(e) => setPlatform(e.target.value)}
        />
        <SelectField label="Tier" {...form.field("tier")} value={tier} onChange={setTier}>
          <TierOptions empty="—" />
        </SelectField>
        <Field
          label="Environment"
          {...form.field("environment")}
          value={environment}
          onChange={(e) => setEnvironment(e.target.value)}
        />
        <Field
          label="Regions (comma separated)"
          {...form.field("regions")}
          value={regions}
          onChange={(e) => setRegions(e.target.value)}
          placeholder="us-east-1, eu-west-1"
        />
        <FormError form={form} />
        <FormActions submitLabel={a ? "Save" : "Create account"} busy={form.busy} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

function DeleteAccountDialog({ account, onClose }: { account: AccountRow; onClose: () => void }) {
  const del = useMutationForm(DeleteAccount, {
    onSuccess: () => {
      toast(`Deleted account ${account.name}`);
      onClose();
    },
  });
  const inUse = account.pools.totalCount + account.allocations.totalCount > 0;
  return (
    <ConfirmDialog
      title={`Delete account ${account.name}?`}
      confirmLabel={`Delete ${account.name}`}
      busy={del.busy}
      error={del.message}
      onClose={onClose}
      onConfirm={() => void del.submit({ input: { id: account.id } })}
    >
      <p>
        This deletes the account <strong>{account.name}</strong> (<code>{account.key}</code>).
      </p>
      <p>
        It owns <strong>{account.pools.totalCount}</strong> pools and{" "}
        <strong>{account.allocations.totalCount}</strong> live allocations.
        {inUse
          ? " The server refuses while they exist (it names them); release or move them first."
          : " Nothing else is removed."}
      </p>
    </ConfirmDialog>
  );
}

export function AccountsPage() {
  const { search } = useLocation();
  const { can, whyNot } = useSession();
  const q = search.get("q") ?? "";
  const provider = (search.get("provider") ?? "") as Provider | "";
  const tier = (search.get("tier") ?? "") as Tier | "";
  const region = search.get("region") ?? "";
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({
    query: AccountsQuery,
    variables: {
      first: 50,
      after,
      filter: {
        search: q || undefined,
        provider: provider || undefined,
        tier: tier || undefined,
        region: region || undefined,
      },
    },
  });
  const [editing, setEditing] = useState<AccountRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<AccountRow | null>(null);
  const admin = can("ADMIN");
  return (
    <>
      <div className="page-head">
        <h1>Accounts</h1>
        <button
          type="button"
          onClick={() => setEditing("new")}
          disabled={!admin}
          title={admin ? undefined : whyNot("ADMIN")}
        >
          New account
        </button>
      </div>
      <div className="toolbar card" role="search" aria-label="Filter accounts">
        <label>
          Search
          <input
            type="search"
            defaultValue={q}
            onChange={(e) => setParam("q", e.target.value)}
            placeholder="name or key"
          />
        </label>
        <label>
          Provider
          <select value={provider} onChange={(e) => setParam("provider", e.target.value)}>
            <ProviderOptions empty="any" />
          </select>
        </label>
        <label>
          Tier
          <select value={tier} onChange={(e) => setParam("tier", e.target.value)}>
            <TierOptions empty="any" />
          </select>
        </label>
        <label>
          Region
          <input
            defaultValue={region}
            onChange={(e) => setParam("region", e.target.value)}
            placeholder="us-east-1"
            style={{ width: "8rem" }}
          />
        </label>
        <span className="count">{data ? `${data.accounts.totalCount} accounts` : ""}</span>
      </div>
      {error && <p className="error">{error.message}</p>}
      <section className="card">
        <table aria-busy={fetching}>
          <caption className="sr-only">Accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Provider</th>
              <th scope="col">Tier</th>
              <th scope="col">Environment</th>
              <th scope="col">Regions</th>
              <th scope="col">Pools</th>
              <th scope="col">Allocations</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.accounts.edges.map(({ node: a }) => (
              <tr key={a.id} data-key={a.key}>
                <td>{a.name}</td>
                <td>
                  <code>{a.key}</code>
                </td>
                <td>{a.provider}</td>
                <td>{a.tier?.toLowerCase() ?? "—"}</td>
                <td>{a.environment ?? "—"}</td>
                <td>{a.regions.join(", ") || "—"}</td>
                <td>{a.pools.totalCount}</td>
                <td>{a.allocations.totalCount}</td>
                <td>
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => setEditing(a)}
                    disabled={!admin}
                    title={admin ? undefined : whyNot("ADMIN")}
                    aria-label={`Edit ${a.name}`}
                  >
                    Edit
                  </button>{" "}
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => setDeleting(a)}
                    disabled={!admin}
                    title={admin ? undefined : whyNot("ADMIN")}
                    aria-label={`Delete ${a.name}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.accounts.pageInfo.hasNextPage && (
          <div className="pager">
            <button
              type="button"
              className="ghost"
              onClick={() => setAfter(data.accounts.pageInfo.endCursor ?? null)}
            >
              Next ›
            </button>
          </div>
        )}
      </section>
      {editing && (
        <AccountForm account={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />
      )}
      {deleting && <DeleteAccountDialog account={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}
