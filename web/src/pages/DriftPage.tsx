/** Drift: open items (kind, resource, allocation) with ignore / adopt, and a cloud sync per account; updates live. */
import { useEffect, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { DriftStatus } from "../gql/graphql";
import { useMutationForm } from "../lib/mutation-form";
import { setParam, useLocation } from "../lib/router";
import { canOperate, whyNot } from "../lib/session";
import { useSession } from "../lib/session-context";
import { Modal } from "../components/Modal";
import { FormActions, FormError, SelectField } from "../components/Field";
import { toast } from "../components/Toasts";

const DriftQuery = graphql(`
  query DriftPage($filter: DriftFilter) {
    driftItems(filter: $filter, first: 100) {
      totalCount
      edges {
        node {
          id
          kind
          severity
          status
          cidr
          detail
          detectedAt
          account {
            id
            name
          }
          resource {
            id
            externalId
            name
            resourceType
            region
          }
          allocation {
            id
            cidr
            pool {
              id
              name
            }
          }
        }
      }
    }
    accounts(first: 100) {
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

const DriftLive = graphql(`
  subscription DriftLive($after: String) {
    driftEvents(after: $after) {
      cursor
      type
    }
  }
`);

const IgnoreDrift = graphql(`
  mutation IgnoreDrift($input: IgnoreDriftInput!) {
    ignoreDrift(input: $input) {
      driftItem {
        id
        status
      }
    }
  }
`);

const SyncAccount = graphql(`
  mutation SyncAccountNow($input: SyncAccountInput!) {
    syncAccount(input: $input) {
      resourcesSeen
      driftDetected
      driftOpen
      driftResolved
      states {
        region
        status
        error
      }
    }
  }
`);

/** Per-region state of an account's sync, polled while it runs (RUNNING until the region is read). */
const SyncProgressQuery = graphql(`
  query SyncProgress($accountId: ID!) {
    syncState(accountId: $accountId) {
      region
      status
      error
      counts {
        vpcs
        subnets
      }
    }
  }
`);

/** Pools that could hold an adopted CIDR: those containing it or equal to it. */
const AdoptPools = graphql(`
  query AdoptPools($cidr: CIDR!) {
    pools(filter: { containsOrEqual: $cidr }, first: 50) {
      edges {
        node {
          id
          name
          cidr
        }
      }
    }
  }
`);

const AdoptResource = graphql(`
  mutation AdoptResource($input: AdoptResourceInput!) {
    adoptResource(input: $input) {
      allocationId
      cidr
    }
  }
`);

function AdoptDialog({
  item,
  onClose,
}: {
  item: { resourceId: string; cidr?: string | null; name?: string | null };
  onClose: () => void;
}) {
  const [{ data: pools }] = useQuery({
    query: AdoptPools,
    variables: { cidr: item.cidr ?? "" },
    pause: !item.cidr,
  });
  // The innermost pool (listed last, with the longest prefix) is the natural home.
  const candidates = [...(pools?.pools.edges ?? [])].sort(
    (a, b) => Number(b.node.cidr.split("/")[1]) - Number(a.node.cidr.split("/")[1]),
  );
  const [poolId, setPoolId] = useState("");
  const firstPool = candidates[0]?.node.id;
  useEffect(() => {
    if (!poolId && firstPool) setPoolId(firstPool);
  }, [poolId, firstPool]);
  const form = useMutationForm(AdoptResource, {
    onSuccess: (r) => {
      toast(`Adopted as ${r.adoptResource.cidr}`);
      onClose();
    },
  });
  return (
    <Modal title="Adopt resource" onClose={onClose}>
      <form
        className="form"
        onSubmit={form.onSubmit(() => ({
          input: { resourceId: item.resourceId, poolId: poolId.trim(), cidr: item.cidr ?? undefined },
        }))}
      >
        <p>
          Records <code>{item.cidr ?? "the resource's CIDR"}</code> ({item.name ?? "unnamed"}) as an
          allocation in a pool.
        </p>
        <SelectField label="Pool" {...form.field("poolId")} value={poolId} onChange={setPoolId}>
          {candidates.length === 0 && <option value="">No pool contains {item.cidr ?? "it"}</option>}
          {candidates.map((e) => (
            <option key={e.node.id} value={e.node.id}>
              {e.node.name} ({e.node.cidr})
            </option>
          ))}
        </SelectField>
        <FormError form={form} />
        <FormActions submitLabel="Adopt" busy={form.busy} disabled={!poolId} onCancel={onClose} />
      </form>
    </Modal>
  );
}

/** While an account syncs: a progress bar and each region's state, polled. */
function SyncProgress({ account }: { account: { id: string; name: string } }) {
  const [{ data }, poll] = useQuery({
    query: SyncProgressQuery,
    variables: { accountId: account.id },
    requestPolicy: "network-only",
  });
  useEffect(() => {
    const t = setInterval(() => poll({ requestPolicy: "network-only" }), 300);
    return () => clearInterval(t);
  }, [poll]);
  const regions = data?.syncState ?? [];
  return (
    <div role="status" data-testid="sync-progress" className="sync-progress">
      <progress aria-label={`Syncing ${account.name}`} /> Syncing {account.name}
      {regions.length > 0 &&
        `: ${regions.map((r) => `${r.region} ${r.status.toLowerCase()}${r.counts ? ` (${r.counts.vpcs} VPCs, ${r.counts.subnets} subnets)` : ""}`).join(", ")}`}
      …
    </div>
  );
}

export function DriftPage() {
  const { search } = useLocation();
  const { role } = useSession();
  const status = (search.get("status") ?? "OPEN") as DriftStatus;
  const [{ data, error }, refetch] = useQuery({ query: DriftQuery, variables: { filter: { status } } });
  useSubscription({ query: DriftLive });
  const [, ignore] = useMutation(IgnoreDrift);
  const [, sync] = useMutation(SyncAccount);
  const [syncing, setSyncing] = useState<{ id: string; name: string } | null>(null);
  const [lastSync, setLastSync] = useState<string | null>(null);
  const [adopting, setAdopting] = useState<{
    resourceId: string;
    cidr?: string | null;
    name?: string | null;
  } | null>(null);
  const op = canOperate(role);
  return (
    <>
      <div className="page-head">
        <h1>Drift</h1>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setParam("status", e.target.value)}>
            <option value="OPEN">open</option>
            <option value="IGNORED">ignored</option>
            <option value="RESOLVED">resolved</option>
          </select>
        </label>
      </div>
      <section className="card" aria-labelledby="sync-h">
        <h2 id="sync-h">Cloud sync</h2>
        <div className="toolbar">
          {data?.accounts.edges.map(({ node: a }) => (
            <button
              key={a.id}
              type="button"
              className="ghost"
              disabled={!op || syncing !== null}
              title={op ? undefined : whyNot("operate")}
              onClick={async () => {
                setSyncing(a);
                setLastSync(null);
                const r = await sync({ input: { accountId: a.id } });
                setSyncing(null);
                if (r.data) {
                  const p = r.data.syncAccount;
                  const summary = `Synced ${a.name}: ${p.resourcesSeen} resources, ${p.driftDetected} new drift, ${p.driftResolved} resolved, ${p.driftOpen} open`;
                  const regions = p.states
                    .map((st) => `${st.region} ${st.status.toLowerCase()}${st.error ? ` (${st.error})` : ""}`)
                    .join(", ");
                  setLastSync(regions ? `${summary}; ${regions}` : summary);
                  toast(summary);
                } else
                  toast(
                    `Sync of ${a.name} failed: ${r.error?.graphQLErrors[0]?.message ?? r.error?.message}`,
                    "error",
                  );
                refetch({ requestPolicy: "network-only" });
              }}
            >
              {syncing?.id === a.id ? `Syncing ${a.name}…` : `Sync ${a.name}`}
            </button>
          ))}
        </div>
        {syncing && <SyncProgress account={syncing} />}
        {lastSync && (
          <p className="muted" data-testid="sync-result">
            {lastSync}
          </p>
        )}
      </section>
      {error && <p className="error">{error.message}</p>}
      <section className="card" aria-labelledby="drift-h">
        <h2 id="drift-h">
          Drift items{" "}
          <span className="count">{data ? `${data.driftItems.totalCount} ${status.toLowerCase()}` : ""}</span>
        </h2>
        {data && data.driftItems.totalCount === 0 && (
          <p className="muted">No {status.toLowerCase()} drift.</p>
        )}
        {data && data.driftItems.totalCount > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Severity</th>
                <th scope="col">CIDR</th>
                <th scope="col">Resource</th>
                <th scope="col">Allocation</th>
                <th scope="col">Account</th>
                <th scope="col">Detected</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.driftItems.edges.map(({ node: d }) => (
                <tr key={d.id} data-cidr={d.cidr ?? undefined} data-kind={d.kind}>
                  <td>{d.kind.toLowerCase().replace(/_/g, " ")}</td>
                  <td>{d.severity.toLowerCase()}</td>
                  <td>{d.cidr ? <code>{d.cidr}</code> : "—"}</td>
                  <td>
                    {d.resource
                      ? `${d.resource.resourceType.toLowerCase()} ${d.resource.name ?? ""} ${d.resource.externalId}`
                      : "—"}
                  </td>
                  <td>{d.allocation ? `${d.allocation.cidr} in ${d.allocation.pool.name}` : "—"}</td>
                  <td>{d.account?.name ?? "—"}</td>
                  <td>{d.detectedAt.slice(0, 16).replace("T", " ")}</td>
                  <td>
                    {d.status === "OPEN" && (
                      <>
                        {d.kind === "UNMANAGED" && d.resource && (
                          <button
                            type="button"
                            className="ghost"
                            disabled={!op}
                            title={op ? undefined : whyNot("operate")}
                            onClick={() =>
                              setAdopting({
                                resourceId: d.resource!.id,
                                cidr: d.cidr,
                                name: d.resource!.name,
                              })
                            }
                          >
                            Adopt
                          </button>
                        )}{" "}
                        <button
                          type="button"
                          className="ghost"
                          disabled={!op}
                          title={op ? undefined : whyNot("operate")}
                          onClick={async () => {
                            const r = await ignore({ input: { id: d.id } });
                            if (r.data) toast("Drift ignored");
                            refetch({ requestPolicy: "network-only" });
                          }}
                        >
                          Ignore
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {adopting && <AdoptDialog item={adopting} onClose={() => setAdopting(null)} />}
    </>
  );
}
