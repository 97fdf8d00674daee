/**
 * `--output table|json` for the everyday commands: a table is for people (aligned columns, `-` for
 * nothing); JSON is for scripts (the server's objects as they came, pretty-printed, one document).
 */
import { Option } from "commander";

export type OutputFormat = "table" | "json";

export const outputOption = (): Option =>
  new Option("-o, --output <format>", "table or json").choices(["table", "json"]).default("table");

/** One column: its header and how to read a cell from a row. */
export interface Column<T> {
  header: string;
  cell: (row: T) => string | number | null | undefined;
}

/** Columns separated by two spaces, headers upper-case, no trailing blanks. */
export function renderTable<T>(columns: Column<T>[], rows: T[]): string {
  const cells = [
    columns.map((c) => c.header.toUpperCase()),
    ...rows.map((r) => columns.map((c) => String(c.cell(r) ?? "-") || "-")),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Prints `value` as JSON, or the table of `rows` (a single object is a one-row table). */
export function print<T>(format: OutputFormat, value: unknown, columns: Column<T>[], rows: T[]): void {
  process.stdout.write(
    format === "json" ? `${JSON.stringify(value, null, 2)}\n` : `${renderTable(columns, rows)}\n`,
  );
}
