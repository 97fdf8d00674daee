/** Scopes: list, fetch, create/update/delete (ADMIN). */
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  createScope,
  deleteScope,
  linkedScopes,
  linkScopes,
  listScopes,
  unlinkScopes,
  updateScope,
} from "../domain/scopes.js";
import { ConnectionArgs, toConnection } from "../schema/connection.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import {
  CreateScopeInput,
  CreateScopePayload,
  DeleteScopeInput,
  DeleteScopePayload,
  LinkScopesInput,
  LinkScopesPayload,
  Scope,
  ScopeConnection,
  UnlinkScopesPayload,
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
      approvals: input.approvals,
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

  @Authorized("read")
  @FieldResolver(() => [Scope], {
    description:
      "The scopes linked (routed together) with this one: nothing in them may overlap this scope's prefixes.",
  })
  async linkedScopes(@Root() scope: Scope, @Ctx() ctx: Context): Promise<Scope[]> {
    return (await linkedScopes(ctx.services.store, scope.rowId)).map(toScope);
  }

  @Authorized("admin")
  @Mutation(() => LinkScopesPayload, {
    description:
      "Links two scopes that are routed together; from then on a pool, allocation or reservation that overlaps anything in the other scope is refused (CONFLICT naming it). CONFLICT when they already overlap.",
  })
  async linkScopes(
    @Arg("input", () => LinkScopesInput, { description: "The two scopes." }) input: LinkScopesInput,
    @Ctx() ctx: Context,
  ): Promise<LinkScopesPayload> {
    const ids = input.scopeIds.map((id) => fromGlobalId(id, "Scope", "scopeIds").id);
    return { scopes: (await linkScopes(ctx.services.store, callerOf(ctx), ids)).map(toScope) };
  }

  @Authorized("admin")
  @Mutation(() => UnlinkScopesPayload, {
    description:
      "Removes the link between two scopes, so they may overlap again; NOT_FOUND when they are not linked.",
  })
  async unlinkScopes(
    @Arg("input", () => LinkScopesInput, { description: "The two scopes." }) input: LinkScopesInput,
    @Ctx() ctx: Context,
  ): Promise<UnlinkScopesPayload> {
    const ids = input.scopeIds.map((id) => fromGlobalId(id, "Scope", "scopeIds").id);
    return { scopes: (await unlinkScopes(ctx.services.store, callerOf(ctx), ids)).map(toScope) };
  }
}
