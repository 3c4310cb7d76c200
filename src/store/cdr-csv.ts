/**
 * CDRs as CSV (RFC 4180): one header row, one row per call, CRLF line ends, and a field quoted
 * (with its quotes doubled) when it holds a comma, a quote, CR or LF. The daily files
 * (cdr-csv-writer.ts) and the API's /api/v1/cdrs.csv share these columns.
 */
import { isoTime } from "../util/iso-time.js";
import { type CallLeg, callDuration, type NewCallRecord, talkTime } from "./cdr-model.js";
import { formatUnits, toUnits } from "./money.js";

/** A record to write: stored ones have an id; one the store failed to take has none. */
export type CsvRecord = NewCallRecord & { id?: number };

const iso = (ms: number | undefined): string => (ms === undefined ? "" : isoTime(ms));

/** The legs as JSON, their times ISO 8601 as everywhere else (the API's legs). */
function legsJson(legs: readonly CallLeg[]): string {
  return JSON.stringify(
    legs.map(({ startedAt, answeredAt, endedAt, ...leg }) => ({
      ...leg,
      startedAt: isoTime(startedAt),
      ...(answeredAt === undefined ? {} : { answeredAt: isoTime(answeredAt) }),
      endedAt: isoTime(endedAt),
    })),
  );
}

/**
 * The columns, in order, with how each is written. Times are ISO 8601 UTC; duration (start to
 * end) and talk_time (answer to end) are whole seconds; legs are JSON. New columns go at the end.
 */
const COLUMNS: ReadonlyArray<readonly [string, (r: CsvRecord) => string]> = [
  ["id", (r) => (r.id === undefined ? "" : String(r.id))],
  ["call_id", (r) => r.callId],
  ["domain_id", (r) => String(r.domainId)],
  ["caller", (r) => r.caller],
  ["caller_name", (r) => r.callerName],
  ["dialed", (r) => r.dialed],
  ["callee", (r) => r.callee ?? ""],
  ["start", (r) => iso(r.startedAt)],
  ["answer", (r) => iso(r.answeredAt)],
  ["end", (r) => iso(r.endedAt)],
  ["duration", (r) => String(callDuration(r.startedAt, r.endedAt))],
  ["disposition", (r) => r.disposition],
  ["sip_status", (r) => String(r.sipStatus)],
  ["sip_reason", (r) => r.sipReason],
  ["legs", (r) => legsJson(r.legs)],
  ["talk_time", (r) => String(talkTime(r.answeredAt, r.endedAt))],
  ["hangup_cause", (r) => r.hangupCause],
  ["card", (r) => r.card ?? ""],
  ["charge", (r) => (r.charge === undefined ? "" : formatUnits(toUnits(r.charge) ?? 0))],
];

export const CDR_CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The header row, CRLF included. */
export function cdrCsvHeader(): string {
  return `${CDR_CSV_COLUMNS.join(",")}\r\n`;
}

/** One record's row, CRLF included. */
export function cdrCsvRow(record: CsvRecord): string {
  let line = "";
  for (let i = 0; i < COLUMNS.length; i++) {
    if (i > 0) line += ",";
    line += csvField(COLUMNS[i][1](record));
  }
  return `${line}\r\n`;
}

/** "2027-01-15": the UTC date of an epoch millisecond. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
