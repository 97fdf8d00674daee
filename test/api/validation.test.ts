/**
 * Every input rule of src/domain/validation.ts, run through every mutation that takes that kind of value,
 * over the real GraphQL API: bad input gets a precise error (extensions.code and the field it names) and
 * writes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, getNamedType, isInputObjectType, type GraphQLInputObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool, createScope, dumpServer, newAllocation } from "../helpers/plan.js";

let s: TestServer;
const ids = {
  pool: "",
  account: "",
  allocation: "",
  released: "",
  scope: "",
  otherScope: "",
  toApprove: "",
  toReject: "",
  deletedReservation: "",
};

beforeAll(async () => {
  s = await startTestServer();
  ids.account = (await createAccount(s, { key: "aws:000000000001", name: "validation", tier: "PRD" })).id;
  ids.pool = (await createPool(s, { cidr: "10.0.0.0/16", name: "validation-pool" })).id;
  ids.scope = (await createScope(s, "validation-scope")).id;
  ids.otherScope = (await createScope(s, "validation-other-scope")).id;
  const r = await s.ok<{ allocate: { allocation: { id: string } } }>(
    `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`,
    { input: { poolId: ids.pool, accountId: ids.account, prefixLength: 24 } },
  );
  ids.allocation = r.allocate.allocation.id;
  ids.released = await newAllocation(s, ids.pool, ids.account, "10.0.255.0/24");
  await s.ok(`mutation($id: ID!) { releaseAllocation(input: { id: $id }) { __typename } }`, {
    id: ids.released,
  });
  // A deleted reservation (soft delete, issue #18), for restore.
  const other = (await createPool(s, { cidr: "10.9.0.0/16", name: "validation-restore" })).id;
  const reserved = await s.ok<{ reserve: { reservation: { id: string } } }>(
    `mutation($poolId: ID!) { reserve(input: { poolId: $poolId, cidr: "10.9.1.0/24" }) { reservation { id } } }`,
    { poolId: other },
  );
  ids.deletedReservation = reserved.reserve.reservation.id;
  await s.ok(`mutation($id: ID!) { unreserve(input: { id: $id }) { __typename } }`, {
    id: ids.deletedReservation,
  });
  // Two pending change requests (issue #18) of another principal, for approveChange / rejectChange.
  const guarded = await s.ok<{ createScope: { scope: { id: string } } }>(
    `mutation { createScope(input: { name: "validation-guarded", approvals: { releaseAllocation: true } }) { scope { id } } }`,
  );
  const guardedPool = (
    await createPool(s, { cidr: "10.0.0.0/16", name: "guarded", scopeId: guarded.createScope.scope.id })
  ).id;
  const operator = await s.tokenFor("OPERATOR", "validation-requester");
  for (const [key, cidr] of [
    ["toApprove", "10.0.1.0/24"],
    ["toReject", "10.0.2.0/24"],
  ] as const) {
    const allocation = await newAllocation(s, guardedPool, ids.account, cidr);
    const r = await s.ok<{ releaseAllocation: { changeRequest: { id: string } } }>(
      `mutation($id: ID!) { releaseAllocation(input: { id: $id }) { changeRequest { id } } }`,
      { id: allocation },
      operator,
    );
    ids[key] = r.releaseAllocation.changeRequest.id;
  }
});
afterAll(async () => {
  await s.close();
});

type Mutation =
  | "createPool"
  | "updatePool"
  | "createScope"
  | "updateScope"
  | "createAccount"
  | "updateAccount"
  | "allocate"
  | "updateAllocation"
  | "allocateMany"
  | "reserve"
  | "resizePool"
  | "movePool"
  | "deletePool"
  | "linkScopes"
  | "unlinkScopes"
  | "releaseAllocation"
  | "approveChange"
  | "rejectChange"
  | "restore";

const INPUT_TYPE: Record<Mutation, string> = {
  createPool: "CreatePoolInput",
  updatePool: "UpdatePoolInput",
  createScope: "CreateScopeInput",
  updateScope: "UpdateScopeInput",
  createAccount: "CreateAccountInput",
  updateAccount: "UpdateAccountInput",
  allocate: "AllocateInput",
  updateAllocation: "UpdateAllocationInput",
  allocateMany: "AllocateManyInput",
  reserve: "ReserveInput",
  releaseAllocation: "ReleaseAllocationInput",
  resizePool: "ResizePoolInput",
  movePool: "MovePoolInput",
  deletePool: "DeletePoolInput",
  linkScopes: "LinkScopesInput",
  unlinkScopes: "LinkScopesInput",
  approveChange: "ApproveChangeInput",
  rejectChange: "RejectChangeInput",
  restore: "RestoreInput",
};

/** A valid input of each mutation (ids filled in once the fixtures exist). */
function validInput(m: Mutation): Record<string, unknown> {
  switch (m) {
    case "createPool":
      return { cidr: "10.200.0.0/16", name: "new-pool" };
    case "updatePool":
      return { id: ids.pool };
    case "createScope":
      return { name: "new-scope" };
    case "updateScope":
      return { id: ids.scope };
    case "createAccount":
      return { key: "aws:999999999999", name: "new-account" };
    case "updateAccount":
      return { id: ids.account };
    case "allocate":
      return { poolId: ids.pool, accountId: ids.account, prefixLength: 24 };
    case "updateAllocation":
      return { id: ids.allocation };
    case "allocateMany":
      return { poolId: ids.pool, requests: [{ prefixLength: 24, accountId: ids.account }] };
    case "reserve":
      return { poolId: ids.pool, prefixLength: 24 };
    case "releaseAllocation":
      return { id: ids.allocation };
    case "resizePool":
      return { id: ids.pool, cidr: "10.0.0.0/15" };
    case "movePool":
      return { id: ids.pool, parentId: null, scopeId: ids.otherScope };
    case "deletePool":
      return { id: ids.pool, cascade: true };
    case "linkScopes":
    case "unlinkScopes":
      return { scopeIds: [ids.scope, ids.otherScope] };
    case "approveChange":
      return { id: ids.toApprove };
    case "rejectChange":
      return { id: ids.toReject, reason: "not during the freeze" };
    case "restore":
      return { id: ids.deletedReservation };
  }
}

/** Sets `path` ("requests.0.name") in a copy of `input`. */
function withValue(input: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(input);
  const keys = path.split(".");
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}

/** Where a mutation takes a kind of value, and the field its error names. */
interface Use {
  mutation: Mutation;
  path: string;
  field: string;
}
const at = (mutation: Mutation, path: string, field = path): Use => ({ mutation, path, field });

interface Rule {
  rule: string;
  uses: Use[];
  /** Bad values, each with the code it must get; a function sees the fixtures. */
  bad: { label: string; value: () => unknown; code: string; field?: string }[];
}

const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
const badFor = (code: string, label: string, value: unknown) => ({ label, value: () => value, code });

const RULES: Rule[] = [
  {
    rule: "required name",
    uses: [
      at("createPool", "name"),
      at("updatePool", "name"),
      at("createScope", "name"),
      at("updateScope", "name"),
      at("createAccount", "name"),
      at("updateAccount", "name"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "blank", "   "),
      badFor("BAD_USER_INPUT", "256 characters", "n".repeat(256)),
      badFor("BAD_USER_INPUT", "a C0 control character", "bad\u0007name"),
      badFor("BAD_USER_INPUT", "a C1 control character", "bad\u0085name"),
    ],
  },
  {
    rule: "optional name",
    uses: [
      at("allocate", "name"),
      at("updateAllocation", "name"),
      at("allocateMany", "requests.0.name", "requests[0].name"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "256 characters", "n".repeat(256)),
      badFor("BAD_USER_INPUT", "a C0 control character", "bad\u0007name"),
      badFor("BAD_USER_INPUT", "a C1 control character", "bad\u0085name"),
    ],
  },
  {
    rule: "free text",
    uses: [
      at("createPool", "description"),
      at("updatePool", "description"),
      at("createScope", "description"),
      at("updateScope", "description"),
      at("createAccount", "description"),
      at("updateAccount", "description"),
      at("allocate", "description"),
      at("updateAllocation", "description"),
      at("reserve", "reason"),
      at("rejectChange", "reason"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "4097 characters", "d".repeat(4097)),
      badFor("BAD_USER_INPUT", "a NUL", "bad\u0000text"),
      badFor("BAD_USER_INPUT", "an escape character", "bad\u001btext"),
    ],
  },
  {
    rule: "tags",
    uses: [
      at("createPool", "tags"),
      at("updatePool", "tags"),
      at("allocate", "tags"),
      at("updateAllocation", "tags"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "51 tags", many(51)),
      badFor("BAD_USER_INPUT", "a control character in a key", { "team\u0007": "net" }),
      badFor("BAD_USER_INPUT", "a blank key", { "  ": "net" }),
      badFor("BAD_USER_INPUT", "a 129-character key", { ["k".repeat(129)]: "net" }),
      badFor("BAD_USER_INPUT", "a 257-character value", { team: "v".repeat(257) }),
      badFor("BAD_USER_INPUT", "a value that is not a string", { team: 7 }),
    ],
  },
  {
    rule: "idempotency key",
    uses: [at("allocate", "idempotencyKey"), at("allocateMany", "idempotencyKey")],
    bad: [
      badFor("BAD_USER_INPUT", "empty", ""),
      badFor("BAD_USER_INPUT", "256 characters", "k".repeat(256)),
      badFor("BAD_USER_INPUT", "a line break", "key\nwith-break"),
    ],
  },
  {
    rule: "CIDR",
    uses: [at("createPool", "cidr"), at("allocate", "cidr"), at("reserve", "cidr"), at("resizePool", "cidr")],
    bad: [
      badFor("BAD_USER_INPUT", "not an address", "ten.0.0.0/8"),
      badFor("BAD_USER_INPUT", "host bits set", "10.0.0.1/16"),
      badFor("BAD_USER_INPUT", "a prefix length past the family", "10.0.0.0/33"),
    ],
  },
  {
    rule: "pool id",
    uses: [
      at("createPool", "parentId"),
      at("allocate", "poolId"),
      at("allocateMany", "poolId"),
      at("reserve", "poolId"),
      at("updatePool", "id"),
      at("resizePool", "id"),
      at("movePool", "id"),
      at("movePool", "parentId"),
      at("deletePool", "id"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a scope", value: () => ids.scope, code: "BAD_USER_INPUT" },
      badFor("NOT_FOUND", "a pool that does not exist", Buffer.from("Pool:999999").toString("base64url")),
      { label: "the id of an allocation", value: () => reTyped(ids.allocation, "Pool"), code: "NOT_FOUND" },
    ],
  },
  {
    rule: "deleted object id (restore)",
    uses: [at("restore", "id")],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a scope", value: () => ids.scope, code: "BAD_USER_INPUT" },
      badFor("NOT_FOUND", "a pool that does not exist", Buffer.from("Pool:999999").toString("base64url")),
      { label: "a pool that is not deleted", value: () => ids.pool, code: "CONFLICT" },
      {
        label: "an allocation that is not deleted",
        value: () => ids.allocation,
        code: "CONFLICT",
      },
    ],
  },
  {
    rule: "allocation id",
    uses: [at("updateAllocation", "id"), at("releaseAllocation", "id")],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a pool", value: () => ids.pool, code: "BAD_USER_INPUT" },
      badFor(
        "NOT_FOUND",
        "an allocation that does not exist",
        Buffer.from("Allocation:999999").toString("base64url"),
      ),
      { label: "a RELEASED allocation", value: () => ids.released, code: "CONFLICT" },
    ],
  },
  {
    rule: "scope id",
    uses: [
      at("createPool", "scopeId"),
      at("movePool", "scopeId"),
      at("updateScope", "id"),
      at("linkScopes", "scopeIds.1", "scopeIds"),
      at("unlinkScopes", "scopeIds.1", "scopeIds"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a pool", value: () => ids.pool, code: "BAD_USER_INPUT" },
      badFor("NOT_FOUND", "a scope that does not exist", Buffer.from("Scope:999999").toString("base64url")),
    ],
  },
  {
    rule: "change request id",
    uses: [at("approveChange", "id"), at("rejectChange", "id")],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a pool", value: () => ids.pool, code: "BAD_USER_INPUT" },
      badFor(
        "NOT_FOUND",
        "a change request that does not exist",
        Buffer.from("ChangeRequest:999999").toString("base64url"),
      ),
    ],
  },
  {
    rule: "monitored flag",
    uses: [at("createPool", "monitored"), at("updatePool", "monitored")],
    bad: [badFor("BAD_USER_INPUT", "not a boolean", "yes")],
  },
  {
    rule: "monitored flag that cannot be cleared",
    uses: [at("updatePool", "monitored")],
    bad: [badFor("BAD_USER_INPUT", "null", null)],
  },
  {
    rule: "account id",
    uses: [
      at("createPool", "accountId"),
      at("updatePool", "accountId"),
      at("allocate", "accountId"),
      at("updateAllocation", "accountId"),
      at("allocateMany", "requests.0.accountId", "requests[0].accountId"),
      at("updateAccount", "id"),
    ],
    bad: [
      badFor("BAD_USER_INPUT", "not a global id", "not-an-id"),
      { label: "the id of a pool", value: () => ids.pool, code: "BAD_USER_INPUT" },
      badFor(
        "NOT_FOUND",
        "an account that does not exist",
        Buffer.from("Account:999999").toString("base64url"),
      ),
    ],
  },
];

/** The same row id under another type name ("Allocation:7" -> "Pool:7"). */
function reTyped(globalId: string, type: string): string {
  const id = Buffer.from(globalId, "base64url").toString().split(":")[1];
  return Buffer.from(`${type}:${id}`).toString("base64url");
}

const CASES = RULES.flatMap((r) =>
  r.uses.flatMap((u) =>
    r.bad.map((b) => ({
      name: `${r.rule}: ${u.mutation}(${u.path}) refuses ${b.label} with ${b.code}`,
      use: u,
      bad: b,
    })),
  ),
);

async function attempt(m: Mutation, input: Record<string, unknown>) {
  return s.gql(`mutation($input: ${INPUT_TYPE[m]}!) { ${m}(input: $input) { __typename } }`, { input });
}

describe("every input rule through every mutation that takes it", () => {
  it.each(CASES)("$name", async ({ use, bad }) => {
    const before = await dumpServer(s);
    const r = await attempt(use.mutation, withValue(validInput(use.mutation), use.path, bad.value()));
    expect(r.errors, JSON.stringify(r.data)).toHaveLength(1);
    const error = r.errors![0]!;
    expect(error.extensions?.code, error.message).toBe(bad.code);
    expect(error.extensions?.details?.field ?? fieldInMessage(error.message), error.message).toBe(
      bad.field ?? use.field,
    );
    expect(await dumpServer(s)).toBe(before);
  });
});

/** A scalar coercion error names the field only in its message ('... at "input.cidr"; ...'). */
function fieldInMessage(message: string): string | undefined {
  return /at "input\.([\w.[\]]+)"/.exec(message)?.[1];
}

/** Input fields of these names carry a kind of value the table checks (plain `id`s vary by type and are left out). */
const VALIDATED_FIELDS = new Set([
  "name",
  "description",
  "reason",
  "tags",
  "idempotencyKey",
  "cidr",
  "poolId",
  "parentId",
  "accountId",
  "scopeId",
  "scopeIds",
  "monitored",
]);

/** Mutation inputs of those names the table does not run, and why. */
const NOT_IN_TABLE: Record<string, string> = {
  "adoptResource.cidr": "needs a synced cloud resource; adoption runs allocate's rules (allocateBoundIn)",
  "adoptResource.name": "needs a synced cloud resource; adoption runs allocate's rules (allocateBoundIn)",
  "adoptResource.poolId": "needs a synced cloud resource; adoption runs allocate's rules (allocateBoundIn)",
  "createApiToken.name": "token names have their own, narrower rule (domain/tokens.ts)",
  "provisionSubnet.name": "a cloud-side subnet name, checked by the provider (test/reconcile)",
  "syncAccount.accountId": "a valid input starts a sync against a provider (test/reconcile)",
};

describe("the table's coverage", () => {
  it("runs every mutation input field of a validated kind in schema.graphql, or says why not", () => {
    const schema = buildSchema(readFileSync(join(import.meta.dirname, "..", "..", "schema.graphql"), "utf8"));
    const inSchema: string[] = [];
    const walk = (mutation: string, type: GraphQLInputObjectType, prefix: string) => {
      for (const f of Object.values(type.getFields())) {
        const named = getNamedType(f.type);
        if (isInputObjectType(named)) walk(mutation, named, `${prefix}${f.name}.`);
        else if (VALIDATED_FIELDS.has(f.name)) inSchema.push(`${mutation}.${prefix}${f.name}`);
      }
    };
    for (const [name, field] of Object.entries(schema.getMutationType()!.getFields())) {
      const input = field.args.find((a) => a.name === "input");
      const type = input && getNamedType(input.type);
      if (type && isInputObjectType(type)) walk(name, type, "");
    }
    const inTable = new Set(
      RULES.flatMap((r) => r.uses.map((u) => `${u.mutation}.${u.path.replace(/\.\d+(?=\.|$)/g, "")}`)),
    );
    const missing = inSchema.filter((f) => !inTable.has(f) && !(f in NOT_IN_TABLE));
    expect(missing, "add them to RULES (or to NOT_IN_TABLE with a reason)").toEqual([]);
  });
});

describe("createPool applies the same tag rules as allocate (issue 13 bug)", () => {
  it("refuses a pool with 51 tags, naming the tags field, and creates nothing", async () => {
    const before = await dumpServer(s);
    const r = await attempt("createPool", { cidr: "10.201.0.0/16", name: "too-many-tags", tags: many(51) });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "tags" } });
    expect(await dumpServer(s)).toBe(before);
  });

  it("refuses a tag key with a control character, as allocate does", async () => {
    const tags = { "owner\u0001": "net" };
    const pool = await attempt("createPool", { cidr: "10.202.0.0/16", name: "ctl-tag", tags });
    const allocation = await attempt("allocate", { ...validInput("allocate"), tags });
    for (const r of [pool, allocation])
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "tags" } });
  });

  it("still accepts 50 tags on a pool, stored in key order", async () => {
    const tags = Object.fromEntries(Object.entries(many(50)).reverse());
    const created = await createPool(s, { cidr: "10.203.0.0/16", name: "fifty-tags", tags });
    expect(Object.keys(created.tags)).toEqual(Object.keys(many(50)).sort());
  });
});

describe("change-notification settings (issue #18)", () => {
  const BAD: [string, unknown, string][] = [
    ["notificationQueueUrl", "not a url", "not an SQS queue URL"],
    [
      "notificationQueueUrl",
      "https://sqs.us-east-1.amazonaws.com/queue-without-account",
      "not an SQS queue URL",
    ],
    ["deadLetterQueueUrl", "ftp://sqs.us-east-1.amazonaws.com/000000000001/dlq", "not an SQS queue URL"],
    ["maxReceiveCount", 0, "from 1 to 100"],
    ["maxReceiveCount", 101, "from 1 to 100"],
    ["notificationSubscription", "projects/p/subscriptions/s", "applies to GCP accounts only"],
  ];
  it.each(BAD)("createAccount and updateAccount refuse settings.%s = %j", async (field, value, message) => {
    const before = await dumpServer(s);
    for (const [m, input] of [
      ["createAccount", { ...validInput("createAccount"), settings: { [field]: value } }],
      ["updateAccount", { ...validInput("updateAccount"), settings: { [field]: value } }],
    ] as const) {
      const r = await attempt(m, input);
      expect(r.errors?.[0]?.extensions, m).toMatchObject({
        code: "BAD_USER_INPUT",
        details: { field: `settings.${field}` },
      });
      expect(r.errors?.[0]?.message).toContain(message);
    }
    expect(await dumpServer(s)).toBe(before);
  });

  it("refuses an SQS queue on a GCP account and a malformed subscription", async () => {
    const gcp = { key: "gcp:validation-proj", name: "gcp-validation" };
    for (const [settings, field] of [
      [
        { notificationQueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000001/q" },
        "notificationQueueUrl",
      ],
      [{ notificationSubscription: "subscriptions/s" }, "notificationSubscription"],
    ] as const) {
      const r = await attempt("createAccount", { ...gcp, settings });
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        details: { field: `settings.${field}` },
      });
    }
  });
});

describe("the valid inputs of the table", () => {
  // Runs last (it writes): proves each refusal above is the bad value's, not the rest of the input's.
  it("are accepted by every mutation", async () => {
    for (const m of Object.keys(INPUT_TYPE) as Mutation[]) {
      const r = await attempt(m, validInput(m));
      expect(r.errors, m).toBeUndefined();
    }
  });
});
