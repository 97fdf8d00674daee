/** Accounts: list with filters, fetch, create/update/delete (ADMIN). Account.pools is in pool.resolver.ts. */
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { AccountOrderField as DbAccountOrderField } from "../db/accounts.js";
import { createAccount, deleteAccount, listAccounts, updateAccount } from "../domain/accounts.js";
import {
  Account,
  AccountConnection,
  AccountFilter,
  AccountOrder,
  AccountOrderField,
  CreateAccountInput,
  CreateAccountPayload,
  DeleteAccountInput,
  DeleteAccountPayload,
  UpdateAccountInput,
  UpdateAccountPayload,
  toAccount,
} from "../schema/account.js";
import { ConnectionArgs, SortDirection, toConnection } from "../schema/connection.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import { toPool, toRemovedPrefix } from "../schema/pool.js";
import { auditOnly, callerOf, type Context } from "./context.js";

const ORDER: Record<AccountOrderField, DbAccountOrderField> = {
  KEY: "key",
  NAME: "name",
  CREATED_AT: "createdAt",
};

@Resolver(() => Account)
export class AccountResolver {
  @Authorized("read")
  @Query(() => AccountConnection, { description: "Accounts, filtered and ordered; Relay cursor connection." })
  async accounts(
    @Arg("filter", () => AccountFilter, { nullable: true, description: "Which accounts (default: all)." })
    filter: AccountFilter | null,
    @Arg("orderBy", () => AccountOrder, { nullable: true, description: "Order (default: KEY ASC)." })
    orderBy: AccountOrder | null,
    @Arg("includeDeleted", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description:
        "Also list deleted accounts (soft delete; they carry deletedAt and deletedBy). Needs the audit permission (ADMIN or AUDITOR).",
    })
    includeDeleted: boolean | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<AccountConnection> {
    const { page, count } = await listAccounts(
      ctx.services.store,
      { ...filter, includeDeleted: auditOnly(ctx, includeDeleted) },
      ORDER[orderBy?.field ?? AccountOrderField.KEY],
      orderBy?.direction === SortDirection.DESC,
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toAccount, count) as AccountConnection;
  }

  @Authorized("read")
  @Query(() => Account, {
    nullable: true,
    description: "One account by global id; null if it does not exist.",
  })
  account(
    @Arg("id", () => ID, { description: "Global id of the account." }) id: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.loaders.account.load(fromGlobalId(id, "Account", "id").id);
  }

  @Authorized("admin")
  @Mutation(() => CreateAccountPayload, {
    description: "Registers an account; the provider is derived from its key.",
  })
  async createAccount(
    @Arg("input", () => CreateAccountInput, { description: "The new account." }) input: CreateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<CreateAccountPayload> {
    const row = await createAccount(ctx.services.store, callerOf(ctx), input);
    return { account: toAccount(row) };
  }

  @Authorized("admin")
  @Mutation(() => UpdateAccountPayload, {
    description: "Changes an account (only the fields present; null clears).",
  })
  async updateAccount(
    @Arg("input", () => UpdateAccountInput, { description: "The changes." }) input: UpdateAccountInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateAccountPayload> {
    const { id, ...patch } = input;
    const row = await updateAccount(
      ctx.services.store,
      callerOf(ctx),
      fromGlobalId(id, "Account", "id").id,
      patch,
    );
    return { account: toAccount(row) };
  }

  @Authorized("admin")
  @Mutation(() => DeleteAccountPayload, {
    description:
      "Deletes an account; CONFLICT while pools or allocations use it unless cascade: true (pools detached, allocations and reservations deleted). The delete is soft (its key is free at once): `restore` brings the account, its allocations and the detached pools' link back within RETENTION_DAYS.",
  })
  async deleteAccount(
    @Arg("input", () => DeleteAccountInput, { description: "The account to delete." })
    input: DeleteAccountInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteAccountPayload> {
    const { id } = fromGlobalId(input.id, "Account", "id");
    const r = await deleteAccount(ctx.services.store, callerOf(ctx), id, input.cascade ?? false);
    return {
      deletedAccountId: toGlobalId("Account", r.account.id),
      detachedPools: r.detachedPools.map(toPool),
      removed: r.removed.map(toRemovedPrefix),
    };
  }
}
