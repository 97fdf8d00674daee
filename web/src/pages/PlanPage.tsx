/**
 * Design a plan under a pool: a nested template (per level a name pattern, keys or a count, a prefix length
 * and growth headroom), previewed live with `previewPlan` (nothing is written) as the proposed tree, each level
 * on the pool's IP-space bar beside what exists, the utilisation it leaves and every conflict with the object
 * it clashes with. Apply creates the whole tree in one transaction (`applyPlan`, with an idempotency key).
 * The template lives in the URL (`?levels=`), so a designed plan is a link.
 */
import { useMemo, useState, type InputHTMLAttributes } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { PlanInput, PlanLevelInput, PreviewPlanQuery, Provider, Tier } from "../gql/graphql";
import { IpSpaceBar, LogScaleToggle, useLogScale, type SpaceItem } from "../components/IpSpaceBar";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Field, SelectField } from "../components/Field";
import { UtilBar } from "../components/UtilBar";
import { toast } from "../components/Toasts";
import { useDebounced } from "../lib/debounce";
import { formErrors } from "../lib/errors";
import { useMutationForm } from "../lib/mutation-form";
import { usePoolSpace } from "../lib/pool-space";
import { Link, navigate, setParam, useLocation } from "../lib/router";
import { useSession } from "../lib/session-context";
import { ProviderOptions, TierOptions } from "../components/AccountOptions";

const PreviewPlanDoc = graphql(`
  query PreviewPlan($input: PlanInput!) {
    previewPlan(input: $input) {
      applicable
      poolCount
      rootPercentBefore
      rootPercentAfter
      rootLargestFreeAfter
      nodes {
        path
        parentPath
        level
        key
        name
        cidr
        slot
        prefixLength
        percent
        account {
          id
          name
        }
      }
      conflicts {
        code
        message
        field
        path
        conflicting {
          id
          name
          cidr
        }
      }
    }
  }
`);

const ApplyPlanDoc = graphql(`
  mutation ApplyPlan($input: PlanInput!, $idempotencyKey: String) {
    applyPlan(input: $input, idempotencyKey: $idempotencyKey) {
      rootPool {
        id
        name
      }
      pools {
        id
        name
        cidr
      }
    }
  }
`);

/** One level as the form holds it (text as typed). */
interface LevelDraft {
  namePattern: string;
  /** One pool per key, a count of pools, or one per account that matches a filter. */
  mode: "keys" | "count" | "accounts";
  keys: string;
  count: string;
  accountProvider: string;
  accountTier: string;
  accountSearch: string;
  /** Each pool's size as a prefix length, or as the addresses it must hold. */
  sizeMode: "length" | "size";
  prefixLength: string;
  size: string;
  reserveFor: string;
}

const MODES: LevelDraft["mode"][] = ["keys", "count", "accounts"];
const DEFAULT_PATTERN = "{parent}-{key}";
const ACCOUNT_PATTERN = "{parent}-{account.name}";

type Node = PreviewPlanQuery["previewPlan"]["nodes"][number];

/** How many items of the root pool the bars draw besides the plan (the query stays bounded). */
const BAR_ITEMS = 200;

function newLevel(prefixLength: number | null): LevelDraft {
  return {
    namePattern: DEFAULT_PATTERN,
    mode: "keys",
    keys: "",
    count: "",
    accountProvider: "",
    accountTier: "",
    accountSearch: "",
    sizeMode: "length",
    prefixLength: prefixLength === null ? "" : String(prefixLength),
    size: "",
    reserveFor: "1",
  };
}

/** The template in the URL, or null when there is none (or it is not ours). */
function draftsOf(raw: string | null): LevelDraft[] | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    if (!Array.isArray(v) || v.length === 0) return null;
    return v.map((l: Partial<LevelDraft>) => ({
      ...newLevel(null),
      ...Object.fromEntries(Object.entries(l).filter(([, x]) => typeof x === "string")),
      mode: MODES.includes(l.mode!) ? l.mode! : "keys",
      sizeMode: l.sizeMode === "size" ? "size" : "length",
    }));
  } catch {
    return null;
  }
}

const keyList = (s: string) =>
  s
    .split(/[,\n]/)
    .map((k) => k.trim())
    .filter(Boolean);

/** Which pools a level makes, as the API takes it; null while the level still misses its keys or count. */
function poolsOf(d: LevelDraft): Pick<PlanLevelInput, "keys" | "count" | "accounts"> | null {
  if (d.mode === "accounts")
    return {
      accounts: {
        ...(d.accountProvider ? { provider: d.accountProvider as Provider } : {}),
        ...(d.accountTier ? { tier: d.accountTier as Tier } : {}),
        ...(d.accountSearch.trim() ? { search: d.accountSearch.trim() } : {}),
      },
    };
  if (d.mode === "count") return d.count.trim() === "" ? null : { count: Number(d.count) };
  const keys = keyList(d.keys);
  return keys.length === 0 ? null : { keys };
}

/** The API's PlanLevelInput for a draft; null while a level still misses its pools or their size. */
function levelInput(d: LevelDraft): PlanLevelInput | null {
  const pools = poolsOf(d);
  const size = d.sizeMode === "size" ? d.size.trim() : d.prefixLength.trim();
  if (!pools || size === "") return null;
  return {
    ...(d.namePattern.trim() ? { namePattern: d.namePattern.trim() } : {}),
    ...pools,
    ...(d.sizeMode === "size" ? { size } : { prefixLength: Number(size) }),
    ...(d.reserveFor.trim() ? { reserveFor: Number(d.reserveFor) } : {}),
  };
}

/** `levels[1].prefixLength` → "Level 2 · prefix length" */
function fieldLabel(field: string): string {
  const m = /^levels\[(\d+)\]\.(\w+)/.exec(field);
  if (!m) return field;
  const words = m[2]!.replace(/([A-Z])/g, " $1").toLowerCase();
  return `Level ${Number(m[1]) + 1} · ${words}`;
}

/** A random idempotency key (getRandomValues works outside secure contexts too, unlike randomUUID). */
function idempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return `plan-${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

function ProposedTree({ nodes }: { nodes: Node[] }) {
  const children = useMemo(() => {
    const m = new Map<string | null, Node[]>();
    for (const n of nodes) {
      const k = n.parentPath ?? null;
      m.set(k, [...(m.get(k) ?? []), n]);
    }
    return m;
  }, [nodes]);
  const render = (parent: string | null, depth: number) => {
    const list = children.get(parent) ?? [];
    if (list.length === 0) return null;
    return (
      <ul
        className="tree"
        role={depth === 0 ? "tree" : "group"}
        aria-label={depth === 0 ? "Proposed tree" : undefined}
      >
        {list.map((n) => (
          <li
            key={n.path}
            role="treeitem"
            aria-level={depth + 1}
            aria-selected={false}
            aria-expanded={children.has(n.path) ? true : undefined}
            data-path={n.path}
            data-cidr={n.cidr ?? ""}
          >
            <div className="tree-row" style={{ paddingLeft: `${depth * 1.25}rem` }}>
              <span className="pool-link">{n.name}</span>
              {n.cidr ? <code className="cidr">{n.cidr}</code> : <span className="error">does not fit</span>}
              {n.account && <span className="chip">{n.account.name}</span>}
              {n.slot && n.slot !== n.cidr && (
                <span
                  className="muted"
                  title="The pool sits at the start of this block; the rest stays free for it to grow"
                >
                  room to grow: <code>{n.slot}</code>
                </span>
              )}
              {children.has(n.path) && (
                <UtilBar percent={n.percent} label={`${n.name}: filled by its planned children`} />
              )}
            </div>
            {render(n.path, depth + 1)}
          </li>
        ))}
      </ul>
    );
  };
  return render(null, 0);
}

function LevelFields(props: {
  index: number;
  draft: LevelDraft;
  errors: Record<string, string>;
  onChange: (d: LevelDraft) => void;
  onRemove: (() => void) | null;
}) {
  const { index: i, draft: d } = props;
  const name = (f: string) => `levels[${i}].${f}`;
  const set = (patch: Partial<LevelDraft>) => props.onChange({ ...d, ...patch });
  /** The server's message for a property of this level, or for a part of it (`keys[2]`, `accounts.tier`). */
  const errorOf = (key: string) =>
    props.errors[name(key)] ??
    Object.entries(props.errors).find(
      ([f]) => f.startsWith(`${name(key)}[`) || f.startsWith(`${name(key)}.`),
    )?.[1];
  const setMode = (mode: LevelDraft["mode"]) => {
    // The default name follows the mode: an account's name reads better than its key.
    const namePattern =
      mode === "accounts" && d.namePattern === DEFAULT_PATTERN
        ? ACCOUNT_PATTERN
        : mode !== "accounts" && d.namePattern === ACCOUNT_PATTERN
          ? DEFAULT_PATTERN
          : d.namePattern;
    set({ mode, namePattern });
  };
  /** A field bound to one draft property; its error is the server's message for that property (or an item of it). */
  const field = (
    key: "namePattern" | "keys" | "count" | "prefixLength" | "size" | "reserveFor" | "accountSearch",
    label: string,
    extra: Omit<InputHTMLAttributes<HTMLInputElement>, "name"> & { hint?: string } = {},
  ) => (
    <Field
      label={label}
      name={name(key === "accountSearch" ? "accounts" : key)}
      error={errorOf(key === "accountSearch" ? "accounts" : key)}
      value={d[key]}
      onChange={(e) => set({ [key]: e.target.value })}
      spellCheck={false}
      {...extra}
    />
  );
  return (
    <fieldset className="card plan-level">
      <legend>Level {i + 1}</legend>
      {field("namePattern", "Name pattern", {
        hint:
          d.mode === "accounts"
            ? "{account.name}, {account.key}, {account.tier}, {index} and {parent} are replaced"
            : "{key}, {index} and {parent} are replaced",
      })}
      <SelectField
        label="Pools per parent"
        name={name("mode")}
        value={d.mode}
        onChange={(v) => setMode(MODES.find((m) => m === v) ?? "keys")}
      >
        <option value="keys">one per key</option>
        <option value="count">a count</option>
        <option value="accounts">one per account (by filter)</option>
      </SelectField>
      {d.mode === "keys" &&
        field("keys", "Keys", {
          placeholder: "use1, euw1, apse1",
          hint: "comma-separated: regions, tiers, account names…",
        })}
      {d.mode === "count" && field("count", "Count", { type: "number", min: 1 })}
      {d.mode === "accounts" && (
        <>
          <SelectField
            label="Account provider"
            name={name("accounts.provider")}
            value={d.accountProvider}
            onChange={(v) => set({ accountProvider: v })}
          >
            <ProviderOptions empty="any" />
          </SelectField>
          <SelectField
            label="Account tier"
            name={name("accounts.tier")}
            value={d.accountTier}
            onChange={(v) => set({ accountTier: v })}
          >
            <TierOptions empty="any" />
          </SelectField>
          {field("accountSearch", "Account name or key contains", { placeholder: "payments" })}
        </>
      )}
      <SelectField
        label="Size by"
        name={name("sizeMode")}
        value={d.sizeMode}
        onChange={(v) => set({ sizeMode: v === "size" ? "size" : "length" })}
      >
        <option value="length">prefix length</option>
        <option value="size">addresses it must hold</option>
      </SelectField>
      {d.sizeMode === "length"
        ? field("prefixLength", "Prefix length", { type: "number", min: 0, max: 128 })
        : field("size", "Addresses", { inputMode: "numeric", placeholder: "4096" })}
      {field("reserveFor", "Reserve for", {
        type: "number",
        min: 1,
        hint: "growth headroom: 2 leaves room to double in place",
      })}
      {props.onRemove && (
        <button type="button" className="ghost" onClick={props.onRemove}>
          Remove level {i + 1}
        </button>
      )}
    </fieldset>
  );
}

export function PlanPage({ id }: { id: string }) {
  const { search } = useLocation();
  const { can, whyNot } = useSession();
  // The root pool and what its bar draws come from one bounded query.
  const { space: root, items: existing } = usePoolSpace(id, BAR_ITEMS);
  const pool = root.data?.pool;
  const logScale = useLogScale();
  const bits = pool?.family === "IPV6" ? 128 : 32;
  const drafts = draftsOf(search.get("levels")) ?? [
    newLevel(pool ? Math.min(bits, pool.prefixLength + 4) : null),
  ];
  const setDrafts = (next: LevelDraft[]) => setParam("levels", JSON.stringify(next));

  const levels = drafts.map(levelInput);
  const complete = levels.every((l): l is PlanLevelInput => l !== null);
  const input: PlanInput | null = complete ? { rootPoolId: id, levels } : null;
  const asked = useDebounced(input ? JSON.stringify(input) : null, 250);
  const current = input ? JSON.stringify(input) : null;
  const [preview] = useQuery({
    query: PreviewPlanDoc,
    variables: { input: asked ? (JSON.parse(asked) as PlanInput) : { rootPoolId: id, levels: [] } },
    pause: !asked,
    requestPolicy: "network-only",
  });
  const errors = formErrors(preview.error);
  const plan = asked && asked === current && !preview.error ? preview.data?.previewPlan : undefined;

  const [confirming, setConfirming] = useState<string | null>(null);
  const apply = useMutationForm(ApplyPlanDoc, {
    onSuccess: (r) => {
      setConfirming(null);
      toast(`Created ${r.applyPlan.pools.length} pools under ${r.applyPlan.rootPool.name}`);
      navigate(`/pools/${encodeURIComponent(r.applyPlan.rootPool.id)}`);
    },
  });

  if (root.error)
    return <p className="error">{root.error.graphQLErrors[0]?.message ?? root.error.message}</p>;
  if (!root.data) return <p className="muted">Loading…</p>;
  if (!pool)
    return (
      <section>
        <h1>Pool not found</h1>
        <Link to="/">Back to pools</Link>
      </section>
    );

  const applyBlocked = !can("ADMIN")
    ? whyNot("ADMIN")
    : !plan
      ? "Waiting for the preview"
      : !plan.applicable
        ? `Resolve the ${plan.conflicts.length === 1 ? "conflict" : `${plan.conflicts.length} conflicts`} first`
        : "";
  const byLevel = (level: number): SpaceItem[] => [
    ...existing,
    ...(plan?.nodes ?? [])
      .filter((n) => n.level === level && n.cidr)
      .map((n) => ({
        id: `plan:${n.path}`,
        cidr: n.cidr!,
        kind: "proposed" as const,
        label: n.path,
        accountId: n.account?.id,
        accountName: n.account?.name,
      })),
  ];

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/pools/${encodeURIComponent(pool.id)}`}>
          {pool.name} <code className="cidr">{pool.cidr}</code>
        </Link>
        {" / plan"}
      </nav>
      <div className="page-head">
        <h1>
          Design a plan under {pool.name} <code className="cidr">{pool.cidr}</code>
        </h1>
        <button
          type="button"
          onClick={() => setConfirming(idempotencyKey())}
          disabled={applyBlocked !== ""}
          title={applyBlocked || undefined}
        >
          Apply plan
        </button>
      </div>
      <p className="muted">
        Nothing is created until you apply: the preview below is what the server would create now, checked
        against everything that exists.
      </p>
      <form className="plan-form" aria-label="Plan template" onSubmit={(e) => e.preventDefault()}>
        {drafts.map((d, i) => (
          <LevelFields
            key={i}
            index={i}
            draft={d}
            errors={errors.fields}
            onChange={(next) => setDrafts(drafts.map((x, j) => (j === i ? next : x)))}
            onRemove={drafts.length > 1 ? () => setDrafts(drafts.filter((_, j) => j !== i)) : null}
          />
        ))}
        <div className="actions">
          <button
            type="button"
            className="ghost"
            onClick={() => {
              const last = Number(drafts[drafts.length - 1]?.prefixLength);
              setDrafts([
                ...drafts,
                newLevel(Number.isFinite(last) && last > 0 ? Math.min(bits, last + 2) : null),
              ]);
            }}
          >
            Add level
          </button>
        </div>
      </form>
      {!complete && (
        <p className="muted" data-testid="plan-incomplete">
          Give every level its keys (or a count) and a prefix length to see the preview.
        </p>
      )}
      {errors.general && (
        <p className="error" role="alert">
          {errors.general}
        </p>
      )}
      {plan && (
        <>
          <section className="card facts" aria-label="Plan summary" data-testid="plan-summary">
            <dl>
              <dt>Pools to create</dt>
              <dd data-testid="plan-pool-count">{plan.poolCount}</dd>
              <dt>Root utilisation</dt>
              <dd>
                <UtilBar percent={plan.rootPercentAfter} label={`${pool.name} utilisation after the plan`} />{" "}
                <span data-testid="plan-utilisation">
                  {plan.rootPercentBefore.toFixed(2)}% now → {plan.rootPercentAfter.toFixed(2)}% after
                </span>
              </dd>
              <dt>Largest free block after</dt>
              <dd>{plan.rootLargestFreeAfter ?? "none"}</dd>
            </dl>
          </section>
          {plan.conflicts.length > 0 && (
            <section className="card" aria-labelledby="conflicts-h">
              <h2 id="conflicts-h">Conflicts ({plan.conflicts.length})</h2>
              <ul className="conflicts" data-testid="plan-conflicts">
                {plan.conflicts.map((c, i) => (
                  <li key={i} data-code={c.code} data-path={c.path ?? ""}>
                    <span className="status">{c.code}</span> {c.message}{" "}
                    <span className="muted">({fieldLabel(c.field)})</span> — with{" "}
                    <Link to={`/pools/${encodeURIComponent(c.conflicting.id)}`}>
                      {c.conflicting.name ?? c.conflicting.cidr}
                    </Link>{" "}
                    <code>{c.conflicting.cidr}</code>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card" aria-labelledby="plan-space-h">
            <div className="toolbar">
              <h2 id="plan-space-h" style={{ margin: 0, marginRight: "auto" }}>
                Proposed pools on the address space
              </h2>
              <LogScaleToggle />
            </div>
            {drafts.map((_, level) => {
              const count = plan.nodes.filter((n) => n.level === level).length;
              return (
                <div key={level} className="plan-bar" data-testid={`plan-bar-${level + 1}`}>
                  <h3>
                    Level {level + 1}: {count} proposed {count === 1 ? "pool" : "pools"}
                    {levels[level]?.prefixLength != null
                      ? ` (/${levels[level].prefixLength})`
                      : levels[level]?.size
                        ? ` (${levels[level].size} addresses each)`
                        : ""}
                  </h3>
                  <IpSpaceBar
                    poolCidr={pool.cidr}
                    items={byLevel(level)}
                    strip={[]}
                    logScale={logScale}
                    onOpen={(it) => {
                      if (it.kind === "pool") navigate(`/pools/${encodeURIComponent(it.id)}`);
                    }}
                  />
                </div>
              );
            })}
          </section>
          <section className="card" aria-labelledby="plan-tree-h">
            <h2 id="plan-tree-h">Proposed tree</h2>
            <ProposedTree nodes={plan.nodes} />
          </section>
        </>
      )}
      {confirming && plan && input && (
        <ConfirmDialog
          title="Apply plan"
          confirmLabel={`Create ${plan.poolCount} pools`}
          busy={apply.busy}
          error={apply.message}
          onClose={() => setConfirming(null)}
          onConfirm={() => void apply.submit({ input, idempotencyKey: confirming })}
        >
          <p>
            This creates <strong>{plan.poolCount} pools</strong> under {pool.name} ({pool.cidr}) in one
            transaction: all of them or none. Root utilisation goes from {plan.rootPercentBefore.toFixed(2)}%
            to {plan.rootPercentAfter.toFixed(2)}%.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
