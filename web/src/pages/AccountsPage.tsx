/** Accounts: search and provider/tier filters (in the URL), create and edit with per-field errors, delete after a preview. */
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { Provider, Tier } from "../gql/graphql";
import { formErrors } from "../lib/errors";
import { setParam, useLocation } from "../lib/router";
import { canAdmin, whyNot } from "../lib/session";
import { useSession } from "../lib/session-context";
import { Modal } from "../components/Modal";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Field, SelectField } from "../components/Field";
import { toast } from "../components/Toasts";

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

const PROVIDERS: Provider[] = ["AWS", "GCP", "AZURE", "ONPREM"];
const TIERS: Tier[] = ["DEV", "STG", "SBX", "PRD"];

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
  const [createState, create] = useMutation(CreateAccount);
  const [updateState, update] = useMutation(UpdateAccount);
  const errs = formErrors(a ? updateState.error : createState.error);
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
  return (
    <Modal title={a ? `Edit ${a.name}` : "New account"} onClose={props.onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = a
            ? await update({ input: { id: a.id, ...fields } })
            : await create({
                input: {
                  key: key.trim(),
                  ...fields,
                  platform: fields.platform ?? undefined,
                  tier: fields.tier ?? undefined,
                  environment: fields.environment ?? undefined,
                },
              });
          if (r.data) {
            toast(a ? `Saved ${fields.name}` : `Created account ${fields.name}`);
            props.onClose();
          }
        }}
      >
        {!a && (
          <Field
            label="Key"
            name="key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            error={errs.fields.key}
            placeholder="aws:123456789012 or gcp:my-project"
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
        />
        <Field
          label="Platform"
          name="platform"
          value={platform}
          onChange={(e) => setPlatform(e.target.value)}
          error={errs.fields.platform}
        />
        <SelectField label="Tier" name="tier" value={tier} onChange={setTier} error={errs.fields.tier}>
          <option value="">—</option>
          {TIERS.map((t) => (
            <option key={t} value={t}>
              {t.toLowerCase()}
            </option>
          ))}
        </SelectField>
        <Field
          label="Environment"
          name="environment"
          value={environment}
          onChange={(e) => setEnvironment(e.target.value)}
          error={errs.fields.environment}
        />
        <Field
          label="Regions (comma separated)"
          name="regions"
          value={regions}
          onChange={(e) => setRegions(e.target.value)}
          error={errs.fields.regions}
          placeholder="us-east-1, eu-west-1"
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
          <button type="submit">{a ? "Save" : "Create account"}</button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteAccountDialog({ account, onClose }: { account: AccountRow; onClose: () => void }) {
  const [state, del] = useMutation(DeleteAccount);
  const errs = formErrors(state.error);
  const inUse = account.pools.totalCount + account.allocations.totalCount > 0;
  return (
    <ConfirmDialog
      title={`Delete account ${account.name}?`}
      confirmLabel={`Delete ${account.name}`}
      busy={state.fetching}
      error={errs.general ?? Object.values(errs.fields)[0] ?? null}
      onClose={onClose}
      onConfirm={async () => {
        const r = await del({ input: { id: account.id } });
        if (r.data) {
          toast(`Deleted account ${account.name}`);
          onClose();
        }
      }}
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
  const { role } = useSession();
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
  const admin = canAdmin(role);
  return (
    <>
      <div className="page-head">
        <h1>Accounts</h1>
        <button
          type="button"
          onClick={() => setEditing("new")}
          disabled={!admin}
          title={admin ? undefined : whyNot("admin")}
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
            <option value="">any</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tier
          <select value={tier} onChange={(e) => setParam("tier", e.target.value)}>
            <option value="">any</option>
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {t.toLowerCase()}
              </option>
            ))}
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
                    title={admin ? undefined : whyNot("admin")}
                    aria-label={`Edit ${a.name}`}
                  >
                    Edit
                  </button>{" "}
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => setDeleting(a)}
                    disabled={!admin}
                    title={admin ? undefined : whyNot("admin")}
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
