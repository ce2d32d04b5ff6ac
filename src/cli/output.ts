// Prints a result: JSON when asked (`--json`) or when stdout is not a terminal, readable tables otherwise.
import { loadCliTable } from "./libraries.js";

/** Where and how to print; `mask` hides secrets in everything written. */
export interface Printer {
  json: boolean;
  write(text: string): void;
  writeBytes(bytes: Uint8Array): Promise<void>;
}

const MAX_CELL = 100;
const MAX_COLUMNS = 8;
// cli-table3 colours headings red by default, which reads as an error
const PLAIN = { head: ["bold"], border: [] };

/** Prints what an operation resolved with: nothing for no content, bytes as they are, text, or JSON/tables. */
export async function printResult(result: unknown, printer: Printer): Promise<void> {
  if (result === undefined) return;
  if (typeof Response !== "undefined" && result instanceof Response) {
    const reader = result.body?.getReader();
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read())
      await printer.writeBytes(chunk.value);
    return;
  }
  if (result instanceof Blob) return printer.writeBytes(new Uint8Array(await result.arrayBuffer()));
  if (typeof result === "string") return printer.write(result.endsWith("\n") ? result : `${result}\n`);
  if (printer.json || typeof result !== "object" || result === null)
    return printer.write(`${JSON.stringify(result, null, 2)}\n`);
  printer.write(`${await renderTables(result)}\n`);
}

/** An array of objects as one table; an object as key/value rows, each array of objects in it as its own table. */
export async function renderTables(value: object): Promise<string> {
  const Table = await loadCliTable();
  if (Array.isArray(value)) return rowsTable(Table, value);
  const entries = Object.entries(value);
  const nested = entries.filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isRecord));
  const fields = new Table({ style: PLAIN });
  for (const [key, v] of entries) if (!nested.some(([name]) => name === key)) fields.push({ [key]: cell(v) } as never);
  const parts = fields.length ? [fields.toString()] : [];
  for (const [key, rows] of nested) parts.push(`${key}:\n${rowsTable(Table, rows as unknown[])}`);
  return parts.join("\n");
}

function rowsTable(Table: Awaited<ReturnType<typeof loadCliTable>>, rows: unknown[]): string {
  if (!rows.every(isRecord)) {
    const table = new Table({ style: PLAIN });
    for (const row of rows) table.push([cell(row)]);
    return table.toString();
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].slice(0, MAX_COLUMNS);
  const table = new Table({ head: columns, style: PLAIN });
  for (const row of rows) table.push(columns.map((column) => cell(row[column])));
  return table.toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One table cell: scalars as text, anything else as compact JSON, cut at 60 characters. */
function cell(value: unknown): string {
  const text = value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
