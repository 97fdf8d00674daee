import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root, Subscription } from "type-graphql";
import { ErrorCode, Heartbeat, ServerInfo } from "../schema/server-info.js";
import { APP_VERSION } from "../version.js";
import { schemaVersion } from "../domain/server-info.js";
import { latestEventCursor } from "../domain/events.js";
import { authorize, type Context } from "./context.js";

async function* heartbeats(intervalMs: number, signal?: AbortSignal): AsyncGenerator<Heartbeat> {
  let sequence = 0;
  while (!signal?.aborted) {
    await new Promise((r) => setTimeout(r, intervalMs));
    yield { time: new Date().toISOString(), sequence: ++sequence };
  }
}

@Resolver()
export class ServerResolver {
  @Authorized("public")
  @Query(() => ServerInfo, { description: "Server version, database schema version and uptime." })
  async serverInfo(@Ctx() ctx: Context): Promise<ServerInfo> {
    return {
      version: APP_VERSION,
      schemaVersion: await schemaVersion(ctx.services.store),
      uptimeSeconds: (Date.now() - ctx.services.startedAt.getTime()) / 1000,
      time: new Date().toISOString(),
      errorCodes: Object.values(ErrorCode),
    };
  }

  @Authorized("read")
  @Subscription(() => Heartbeat, {
    description:
      "Emits the server time every `intervalMs` milliseconds: a liveness check for subscription clients.",
    subscribe: ({ args, context }) => {
      authorize(context as Context, "read");
      return heartbeats(Math.min(Math.max((args as { intervalMs: number }).intervalMs, 10), 60_000));
    },
  })
  heartbeat(
    @Root() tick: Heartbeat,
    @Arg("intervalMs", () => Int, {
      defaultValue: 1000,
      description: "Milliseconds between ticks (10..60000).",
    })
    _intervalMs: number,
  ): Heartbeat {
    return tick;
  }
}

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  @Authorized("read")
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Cursor of the newest event in the log: pass it as `after` to a subscription to receive everything committed after this read, so a client that reconnects resumes without a gap. Needs the read permission.",
  })
  async eventCursor(@Ctx() ctx: Context): Promise<string> {
    return latestEventCursor(ctx.services.store);
  }
}
