/**
 * What every everyday command shares: `--url`, `--token`, `--output`, and one exit-code policy a script can
 * test: 0 done, 1 refused (the server's `extensions.code` and message on stderr), 2 usage (bad flags, no
 * URL or token, an ambiguous name).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { Refusal, UsageError, clientFrom, type ConnectionOptions, type GraphQLClient } from "./client.js";
import { outputOption, type OutputFormat } from "./output.js";

export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export interface CommonOptions extends ConnectionOptions {
  output: OutputFormat;
}

/** Commander's own usage errors (unknown option, missing value, bad choice) exit 2, help and version 0. */
export function usageExits(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });
}

export function withCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--url <url>", "server URL [env CLOUDPAM_URL]"))
    .addOption(new Option("--token <token>", "API token [env CLOUDPAM_TOKEN]"))
    .addOption(outputOption());
}

export function parseLength(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > 128) {
    throw new InvalidArgumentError("a prefix length is a number from 0 to 128");
  }
  return Number(value);
}

/** `--tag team=net` (repeatable) → `{ team: "net" }`. */
export function collectTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("a tag is key=value");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Runs a command's body with its client, turning its failures into the exit codes above. */
export function action<A extends unknown[], O extends CommonOptions>(
  body: (client: GraphQLClient, opts: O, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command.
    const opts = args[args.length - 2] as O;
    try {
      await body(clientFrom(opts), opts, ...(args.slice(0, -2) as A));
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`cloudpam: ${e.message}\n`);
        process.exit(EXIT_USAGE);
      }
      if (e instanceof Refusal) {
        const field = typeof e.details?.field === "string" ? ` (field ${e.details.field})` : "";
        process.stderr.write(`cloudpam: ${e.code}: ${e.message}${field}\n`);
        process.exit(EXIT_REFUSED);
      }
      throw e;
    }
  };
}
