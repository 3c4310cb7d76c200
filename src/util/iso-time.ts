/**
 * The one timestamp format of Parley's API payloads, CSV files and CLI output (issue 23): ISO 8601
 * in UTC with milliseconds and the zone `Z`, e.g. `2026-12-07T10:15:30.123Z` (what
 * Date.prototype.toISOString writes). The store keeps epoch milliseconds; this converts at the
 * boundary.
 */

/** `2026-12-07T10:15:30.123Z`: an epoch millisecond as ISO 8601 UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** isoTime, or undefined for an absent time (an optional field stays absent). */
export function isoTimeOrUndefined(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : isoTime(ms);
}

/** A stored row's creation and change times (epoch milliseconds) as the API writes them. */
export type WithIsoStamps<T> = Omit<T, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };

/** The row with `createdAt` and `updatedAt` written as ISO 8601 (every other field as it is). */
export function withIsoStamps<T extends { createdAt: number; updatedAt: number }>(row: T): WithIsoStamps<T> {
  return { ...row, createdAt: isoTime(row.createdAt), updatedAt: isoTime(row.updatedAt) };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * Epoch milliseconds of an ISO 8601 time with an explicit offset (`Z` or `+01:00`), or of a date
 * alone (read as UTC midnight); undefined when the text is not one, or names no real instant
 * (month 13, February 30, 24:00). A time without a zone is refused: it names no one instant.
 */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offsetMinutes =
    m[8] === undefined ? 0 : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59)
    return undefined;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // years below 100 too (Date.UTC maps them to 19xx)
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}

/** ISO 8601 with a zone: what isoTime writes, or any offset form parseIsoTime reads. */
export const ISO_TIME_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The time fields of stored rows (epoch milliseconds) that JSON output writes as ISO 8601. */
const TIME_KEYS = new Set([
  "createdAt",
  "updatedAt",
  "startedAt",
  "answeredAt",
  "endedAt",
  "receivedAt",
  "expiresAt",
]);

/**
 * A JSON.stringify replacer for the CLI's `--json` output of stored rows: the time fields above,
 * when they hold epoch milliseconds, become ISO 8601 as the API writes them.
 */
export function isoTimesReplacer(key: string, value: unknown): unknown {
  return typeof value === "number" && TIME_KEYS.has(key) ? isoTime(value) : value;
}
