/**
 * Calling cards and rates as CSV (RFC 4180), for export and all-or-nothing import (API, CLI, web
 * UI). One header row naming the columns; money as decimals ("4.25"), times ISO 8601 UTC,
 * booleans yes/no. An import may give the columns in any order and leave any out but the key
 * (a card's `number`, a rate's `prefix`): a column left out keeps the stored value (or takes the
 * default on a new row). An empty `expires_at` means the card never expires. Every error names
 * its row (a spreadsheet's count: the header is row 1) and its column.
 */
import { isoTime, parseIsoTime } from "../util/iso-time.js";
import type {
  CallingCard,
  CallingCardPatch,
  CallingCardRate,
  CallingCardRatePatch,
} from "./calling-card-model.js";
import { csvField } from "./cdr-csv.js";
import { readCsv } from "./csv-read.js";
import type { FieldError } from "./errors.js";
import { decimalTextToUnits, formatUnits, fromUnits, toUnits } from "./money.js";

export const CARD_CSV_COLUMNS = ["number", "pin", "balance", "currency", "expires_at", "enabled"] as const;
export const RATE_CSV_COLUMNS = [
  "prefix",
  "connect_charge",
  "per_minute",
  "first_increment",
  "increment",
  "description",
] as const;

/** Most rows one import takes. */
export const MAX_IMPORT_ROWS = 100_000;

/** One row of an import: its row number and the fields it gives. */
export interface ImportRow<T> {
  row: number;
  fields: T;
}

export type CsvImport<T> = { ok: true; rows: Array<ImportRow<T>> } | { ok: false; errors: FieldError[] };

const money = (amount: number): string => formatUnits(toUnits(amount) ?? 0);

function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

export function cardsToCsv(cards: readonly CallingCard[]): string {
  let out = csvLine(CARD_CSV_COLUMNS);
  for (const c of cards)
    out += csvLine([
      c.number,
      c.pin,
      money(c.balance),
      c.currency,
      c.expiresAt === undefined ? "" : isoTime(c.expiresAt),
      c.enabled ? "yes" : "no",
    ]);
  return out;
}

export function ratesToCsv(rates: readonly CallingCardRate[]): string {
  let out = csvLine(RATE_CSV_COLUMNS);
  for (const r of rates)
    out += csvLine([
      r.prefix,
      money(r.connectCharge),
      money(r.perMinute),
      String(r.firstIncrement),
      String(r.increment),
      r.description,
    ]);
  return out;
}

type Cell = (text: string) => { value: unknown } | { error: string };

const text: Cell = (t) => ({ value: t });
const decimal: Cell = (t) => {
  const units = decimalTextToUnits(t, true);
  return units === undefined
    ? { error: "must be a decimal number with at most 4 places" }
    : { value: fromUnits(units) };
};
const integer: Cell = (t) =>
  /^\d{1,9}$/.test(t.trim()) ? { value: Number(t) } : { error: "must be a whole number" };
const yesNo: Cell = (t) => {
  if (/^(yes|true|1|on)$/i.test(t.trim())) return { value: true };
  if (/^(no|false|0|off)$/i.test(t.trim())) return { value: false };
  return { error: "must be yes or no" };
};
const expiry: Cell = (t) => {
  if (t.trim() === "") return { value: null };
  const ms = parseIsoTime(t.trim());
  return ms === undefined
    ? { error: "must be an ISO 8601 time (2027-12-31T23:59:59Z) or empty" }
    : { value: ms };
};

/** CSV column → the record's field and how its text is read. */
const CARD_CELLS: Record<(typeof CARD_CSV_COLUMNS)[number], readonly [string, Cell]> = {
  number: ["number", text],
  pin: ["pin", text],
  balance: ["balance", decimal],
  currency: ["currency", text],
  expires_at: ["expiresAt", expiry],
  enabled: ["enabled", yesNo],
};

const RATE_CELLS: Record<(typeof RATE_CSV_COLUMNS)[number], readonly [string, Cell]> = {
  prefix: ["prefix", text],
  connect_charge: ["connectCharge", decimal],
  per_minute: ["perMinute", decimal],
  first_increment: ["firstIncrement", integer],
  increment: ["increment", integer],
  description: ["description", text],
};

function fromCsv<T>(
  input: string,
  cells: Record<string, readonly [string, Cell]>,
  key: string,
): CsvImport<T> {
  const read = readCsv(input);
  if (!read.ok) return { ok: false, errors: [{ field: `row ${read.row}`, message: read.message }] };
  const [header, ...body] = read.rows;
  if (header === undefined) return { ok: false, errors: [{ field: "row 1", message: "no header row" }] };
  const names = header.fields.map((n) => n.trim().toLowerCase());
  const errors: FieldError[] = [];
  names.forEach((name, i) => {
    if (!(name in cells))
      errors.push({
        field: `row 1.${name}`,
        message: `unknown column (known: ${Object.keys(cells).join(", ")})`,
      });
    else if (names.indexOf(name) !== i) errors.push({ field: `row 1.${name}`, message: "appears twice" });
  });
  if (!names.includes(key)) errors.push({ field: `row 1.${key}`, message: "the column is required" });
  if (body.length > MAX_IMPORT_ROWS)
    errors.push({ field: "rows", message: `at most ${MAX_IMPORT_ROWS} rows in one import` });
  if (errors.length > 0) return { ok: false, errors };
  const rows = body.map(({ row, fields: values }) => {
    const fields: Record<string, unknown> = {};
    if (values.length !== names.length) {
      errors.push({
        field: `row ${row}`,
        message: `has ${values.length} columns, the header ${names.length}`,
      });
      return { row, fields: fields as T };
    }
    names.forEach((name, i) => {
      const [field, cell] = cells[name]!;
      const read = cell(values[i] ?? "");
      if ("error" in read) errors.push({ field: `row ${row}.${field}`, message: read.error });
      else fields[field] = read.value;
    });
    return { row, fields: fields as T };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}

/** The cards a CSV file gives, each a patch of its card (`number` always present). */
export function cardsFromCsv(input: string): CsvImport<CallingCardPatch & { number: string }> {
  return fromCsv(input, CARD_CELLS, "number");
}

/** The rates a CSV file gives, each a patch of its rate (`prefix` always present). */
export function ratesFromCsv(input: string): CsvImport<CallingCardRatePatch & { prefix: string }> {
  return fromCsv(input, RATE_CELLS, "prefix");
}
