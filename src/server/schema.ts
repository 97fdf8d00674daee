import "reflect-metadata";
import { buildSchema } from "type-graphql";
import { createPubSub } from "@graphql-yoga/subscription";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { resolvers } from "../resolvers/index.js";
import { assertAllRootFieldsAuthorized } from "./auth.js";
import { authChecker } from "../resolvers/context.js";
import { CIDRScalar, DateTimeScalar, IPAddressScalar } from "../schema/scalars.js";

let built: Promise<GraphQLSchema> | undefined;

/** Builds the executable schema once per process. */
export function buildCloudPamSchema(): Promise<GraphQLSchema> {
  built ??= (async () => {
    assertAllRootFieldsAuthorized(resolvers);
    return buildSchema({
      resolvers,
      authChecker,
      authMode: "error",
      // Subscriptions stream from the event log through their own `subscribe` functions; type-graphql still wants a PubSub.
      pubSub: createPubSub(),
      validate: false,
      scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
      orphanedTypes: [],
      emitSchemaFile: false,
    });
  })();
  return built;
}

export { CIDRScalar, IPAddressScalar };

/** The SDL committed as schema.graphql (sorted, so the diff shows only real changes). */
export async function printCloudPamSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildCloudPamSchema())) + "\n";
}
