/**
 * Builds one syntactically valid operation per root field of the schema, with dummy values for
 * required arguments, and reads each field's required permissions from type-graphql's metadata:
 * fields added later by anyone are covered without touching the tests.
 */
import "reflect-metadata";
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isRequiredArgument,
  isRequiredInputField,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { getMetadataStorage } from "type-graphql";
import { resolvers } from "../../src/resolvers/index.js";
import { toGlobalId } from "../../src/schema/node.js";

export type RootKind = "query" | "mutation" | "subscription";

export interface RootFieldCase {
  kind: RootKind;
  field: string;
  /** Permissions from `@Authorized(...)`, e.g. ["read"]. */
  permissions: string[];
  operation: string;
}

/** An id no object has: it decodes, but to a type that does not exist. */
export const DUMMY_ID = toGlobalId("Nothing", 999_999);

const SCALAR_DUMMIES: Record<string, string> = {
  ID: JSON.stringify(DUMMY_ID),
  String: '"x"',
  Int: "1",
  Float: "1.5",
  Boolean: "true",
  CIDR: '"10.0.0.0/8"',
  IPAddress: '"10.0.0.1"',
  DateTime: '"2099-01-01T00:00:00.000Z"',
  JSON: "{}",
  JSONObject: "{}",
};

/** A literal of `type`, filling only required input fields. */
export function dummyLiteral(type: GraphQLInputType, seen: ReadonlySet<string> = new Set()): string {
  if (isNonNullType(type)) return dummyLiteral(type.ofType, seen);
  if (isListType(type)) return `[${dummyLiteral(type.ofType, seen)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return "{}";
    const next = new Set(seen).add(type.name);
    const fields = Object.values(type.getFields()).filter(isRequiredInputField);
    return `{ ${fields.map((f) => `${f.name}: ${dummyLiteral(f.type, next)}`).join(", ")} }`;
  }
  return SCALAR_DUMMIES[type.name] ?? '"x"';
}

export function fieldOperation(kind: RootKind, field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter(isRequiredArgument);
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${dummyLiteral(a.type)}`).join(", ")})` : "";
  const selection = isCompositeType(getNamedType(field.type)) ? " { __typename }" : "";
  return `${kind} Probe_${field.name} { ${field.name}${argText}${selection} }`;
}

/** Every root field of `schema` with its permissions; throws if one has no `@Authorized`. */
export function rootFieldCases(schema: GraphQLSchema): RootFieldCase[] {
  const storage = getMetadataStorage();
  const ours = new Set<unknown>(resolvers);
  const cases: RootFieldCase[] = [];
  const roots: [RootKind, ReturnType<GraphQLSchema["getQueryType"]>, typeof storage.queries][] = [
    ["query", schema.getQueryType(), storage.queries],
    ["mutation", schema.getMutationType(), storage.mutations],
    ["subscription", schema.getSubscriptionType(), storage.subscriptions],
  ];
  for (const [kind, type, defs] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const def = defs.find((d) => d.schemaName === field.name && ours.has(d.target));
      const auth = def
        ? storage.authorizedFields.find((a) => a.target === def.target && a.fieldName === def.methodName)
        : undefined;
      if (!auth) throw new Error(`${kind} field ${field.name} has no @Authorized metadata`);
      cases.push({
        kind,
        field: field.name,
        permissions: auth.roles as string[],
        operation: fieldOperation(kind, field),
      });
    }
  }
  return cases;
}
