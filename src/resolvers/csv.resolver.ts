/**
 * CSV import: a bulk administrative change (it may create accounts and pools), so it needs the admin
 * permission for every kind; the permission is declared on the field, where the schema shows it.
 */
import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { importCsv, type CsvKind as DomainCsvKind } from "../domain/csv.js";
import { CsvKind, ImportCsvInput, ImportCsvPayload } from "../schema/csv.js";
import { callerOf, type Context } from "./context.js";

const KIND: Record<CsvKind, DomainCsvKind> = {
  ACCOUNTS: "accounts",
  POOLS: "pools",
  ALLOCATIONS: "allocations",
};

@Resolver()
export class CsvResolver {
  @Authorized("admin")
  @Mutation(() => ImportCsvPayload, {
    description:
      "Imports accounts, pools or allocations from CSV. Every row is validated with the rules of the matching mutation; one bad row writes nothing (all-or-nothing) and every refused row is reported. Needs the admin permission.",
  })
  async importCsv(
    @Arg("input", () => ImportCsvInput, { description: "The file and what it holds." }) input: ImportCsvInput,
    @Ctx() ctx: Context,
  ): Promise<ImportCsvPayload> {
    const result = await importCsv(ctx.services.store, callerOf(ctx), {
      kind: KIND[input.kind],
      csv: input.csv,
      dryRun: input.dryRun,
    });
    return { ...result, kind: input.kind };
  }
}
