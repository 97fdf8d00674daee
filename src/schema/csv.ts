/** CSV import (export is plain HTTP: GET /export/{accounts,pools,allocations}.csv). */
import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";

export enum CsvKind {
  ACCOUNTS = "ACCOUNTS",
  POOLS = "POOLS",
  ALLOCATIONS = "ALLOCATIONS",
}
registerEnumType(CsvKind, {
  name: "CsvKind",
  description: "What a CSV file holds.",
  valuesConfig: {
    ACCOUNTS: { description: "Accounts (key, provider, name, tier, environment, regions, …)." },
    POOLS: {
      description:
        "Pools (cidr, name, parent by CIDR or name, scope, status, rules, …); parents before children.",
    },
    ALLOCATIONS: {
      description: "Allocations (cidr, pool by CIDR or name, account key, name, status, tags, …).",
    },
  },
});

@InputType({ description: "A CSV document to import." })
export class ImportCsvInput {
  @Field(() => CsvKind, { description: "What the file holds." })
  kind!: CsvKind;

  @Field(() => String, {
    description:
      'The CSV text with a header row. Headers are matched by common names ("CIDR Block" -> cidr, "Account ID"/"Key" -> key, "Pool"/"Parent" -> pool, …); lists (regions, allowed tiers) are separated by | or ,.',
  })
  csv!: string;

  @Field(() => Boolean, {
    defaultValue: false,
    description: "Validate every row and report, but write nothing.",
  })
  dryRun!: boolean;
}

@ObjectType({ description: "Which field a CSV column was read as." })
export class CsvColumnMapping {
  @Field(() => String, { description: "The column header as written in the file." })
  column!: string;

  @Field(() => String, { description: "The field it fills, e.g. `cidr`." })
  field!: string;
}

@ObjectType({ description: "Why one row of a CSV import was refused." })
export class CsvRowError {
  @Field(() => Int, {
    description: "Spreadsheet row number: the header is row 1, the first data row is row 2.",
  })
  row!: number;

  @Field(() => String, {
    nullable: true,
    description: "The field at fault (e.g. `cidr`); null when the whole row is.",
  })
  field!: string | null;

  @Field(() => String, { nullable: true, description: "The header of the column that holds the field." })
  column!: string | null;

  @Field(() => String, { description: "What is wrong, in words a person can act on." })
  message!: string;

  @Field(() => String, {
    description:
      "The error code the same mistake gets from the mutation (BAD_USER_INPUT, CONFLICT, NOT_FOUND).",
  })
  code!: string;
}

@ObjectType({ description: "The outcome of a CSV import: all rows were written, or none." })
export class ImportCsvPayload {
  @Field(() => CsvKind, { description: "What the file held." })
  kind!: CsvKind;

  @Field(() => Boolean, { description: "Whether this was a dry run." })
  dryRun!: boolean;

  @Field(() => Int, { description: "Data rows read (header excluded)." })
  rows!: number;

  @Field(() => Int, {
    description: "Rows that were imported (or, in a dry run or a refused import, passed validation).",
  })
  created!: number;

  @Field(() => Boolean, {
    description: "Whether the rows were written: true only without errors and outside a dry run.",
  })
  committed!: boolean;

  @Field(() => [CsvColumnMapping], { description: "How the header was read." })
  columns!: CsvColumnMapping[];

  @Field(() => [String], { description: "Columns that match no field and were ignored." })
  ignoredColumns!: string[];

  @Field(() => [CsvRowError], {
    description: "Every refused row with the field and the reason; empty on success.",
  })
  errors!: CsvRowError[];
}
