/** Scopes: list, fetch, create/update/delete (ADMIN). */
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { createScope, deleteScope, listScopes, updateScope } from "../domain/scopes.js";
import { ConnectionArgs, toConnection } from "../schema/connection.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import {
  CreateScopeInput,
  CreateScopePayload,
  DeleteScopeInput,
  DeleteScopePayload,
  Scope,
  ScopeConnection,
  UpdateScopeInput,
  UpdateScopePayload,
  toScope,
} from "../schema/scope.js";
import { callerOf, type Context } from "./context.js";

@Resolver(() => Scope)
export class ScopeResolver {
  @Authorized("read")
  @Query(() => ScopeConnection, { description: "Every scope (address space), in creation order." })
  async scopes(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<ScopeConnection> {
    const { page, count } = await listScopes(
      ctx.services.store,
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toScope, count) as ScopeConnection;
  }

  @Authorized("read")
  @Query(() => Scope, { nullable: true, description: "One scope by global id; null if it does not exist." })
  scope(@Arg("id", () => ID, { description: "Global id of the scope." }) id: string, @Ctx() ctx: Context) {
    return ctx.loaders.scope.load(fromGlobalId(id, "Scope", "id").id);
  }

  @Authorized("admin")
  @Mutation(() => CreateScopePayload, { description: "Creates a scope (an address space)." })
  async createScope(
    @Arg("input", () => CreateScopeInput, { description: "The new scope." }) input: CreateScopeInput,
    @Ctx() ctx: Context,
  ): Promise<CreateScopePayload> {
    return { scope: toScope(await createScope(ctx.services.store, callerOf(ctx), input)) };
  }

  @Authorized("admin")
  @Mutation(() => UpdateScopePayload, { description: "Renames or re-describes a scope." })
  async updateScope(
    @Arg("input", () => UpdateScopeInput, { description: "The changes." }) input: UpdateScopeInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateScopePayload> {
    const { id } = fromGlobalId(input.id, "Scope", "id");
    const row = await updateScope(ctx.services.store, callerOf(ctx), id, {
      name: input.name,
      description: input.description,
    });
    return { scope: toScope(row) };
  }

  @Authorized("admin")
  @Mutation(() => DeleteScopePayload, {
    description: "Deletes an empty scope; CONFLICT for the default scope or while it holds prefixes.",
  })
  async deleteScope(
    @Arg("input", () => DeleteScopeInput, { description: "The scope to delete." }) input: DeleteScopeInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteScopePayload> {
    const { id } = fromGlobalId(input.id, "Scope", "id");
    const row = await deleteScope(ctx.services.store, callerOf(ctx), id);
    return { deletedScopeId: toGlobalId("Scope", row.id) };
  }
}
