/** API token administration (ADMIN only): create (the secret is returned once), list, revoke. */
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { createToken, listTokens, revokeToken, type TokenInfo } from "../domain/tokens.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import {
  ApiToken,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
  type Role,
} from "../schema/token.js";
import { callerOf, type Context } from "./context.js";

const date = (iso: string | null) => (iso ? new Date(iso) : null);

function toApiToken(t: TokenInfo): ApiToken {
  return {
    id: toGlobalId("ApiToken", t.id),
    name: t.name,
    prefix: `cpam_${t.prefix}_…`,
    role: t.role as Role,
    expiresAt: date(t.expiresAt),
    lastUsedAt: date(t.lastUsedAt),
    revokedAt: date(t.revokedAt),
    createdAt: new Date(t.createdAt),
    createdBy: t.createdBy,
  };
}

@Resolver()
export class TokenResolver {
  @Authorized("admin")
  @Query(() => [ApiToken], { description: "Every API token, revoked ones included (never their secrets)." })
  async apiTokens(@Ctx() ctx: Context): Promise<ApiToken[]> {
    return (await listTokens(ctx.services.store)).map(toApiToken);
  }

  @Authorized("admin")
  @Mutation(() => CreateApiTokenPayload, {
    description: "Creates an API token; the payload holds the secret, which is never shown again.",
  })
  async createApiToken(
    @Arg("input", () => CreateApiTokenInput, { description: "The new token." }) input: CreateApiTokenInput,
    @Ctx() ctx: Context,
  ): Promise<CreateApiTokenPayload> {
    const created = await createToken(ctx.services.store, callerOf(ctx), {
      name: input.name,
      role: input.role,
      expiresAt: input.expiresAt?.toISOString() ?? null,
    });
    return { token: created.token, apiToken: toApiToken(created.info) };
  }

  @Authorized("admin")
  @Mutation(() => RevokeApiTokenPayload, {
    description: "Revokes an API token at once; its open WebSocket sessions are closed with 4403.",
  })
  async revokeApiToken(
    @Arg("input", () => RevokeApiTokenInput, { description: "The token to revoke." })
    input: RevokeApiTokenInput,
    @Ctx() ctx: Context,
  ): Promise<RevokeApiTokenPayload> {
    const { id } = fromGlobalId(input.id, "ApiToken", "id");
    return { apiToken: toApiToken(await revokeToken(ctx.services.store, callerOf(ctx), id)) };
  }
}
