/**
 * The `time` namespace of service scripts (issue 18: "time and time-zone helpers"), for
 * time-of-day routing. Zones are IANA names ("Europe/Paris"), resolved by Intl; a script that
 * names none gets the system's zone. Fields follow Lua's os.date("*t"): wday 1 = Sunday.
 *
 *   time.now()                               -- epoch seconds, with the milliseconds
 *   time.date("Asia/Shanghai").hour          -- year month day hour min sec wday yday tz
 *   time.is_between("22:00", "06:00")        -- spanning midnight; [from, to), minute precision
 *   time.weekday("America/New_York")         -- 1 (Sunday) .. 7 (Saturday)
 */
import type { HostFunction } from "../../../scripting/index.js";
import { optionalText, text } from "./host-args.js";

export interface TimeApiOptions {
  /** Epoch milliseconds; Date.now by default. */
  readonly now?: () => number;
  /** The zone used when a script names none; the system's by default. */
  readonly zone?: string;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  /** 1 = Sunday .. 7 = Saturday, as Lua's os.date. */
  wday: number;
  /** 1 = January 1st. */
  yday: number;
  /** The zone's canonical IANA name. */
  tz: string;
}

/** Formatters by zone name as scripts wrote it; names differing only in case could be many. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 64;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new Error(`unknown time zone "${zone}" (use an IANA name such as "Europe/Paris")`);
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at `epochMs`. */
export function wallClock(epochMs: number, zone: string): WallClock {
  const f = formatter(zone);
  const part: Record<string, number> = {};
  for (const p of f.formatToParts(epochMs)) if (p.type !== "literal") part[p.type] = Number(p.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = part;
  const midnight = Date.UTC(year, month - 1, day);
  return {
    year,
    month,
    day,
    hour,
    min: minute,
    sec: second,
    wday: new Date(midnight).getUTCDay() + 1,
    yday: Math.round((midnight - Date.UTC(year, 0, 1)) / 86_400_000) + 1,
    tz: f.resolvedOptions().timeZone,
  };
}

/** "HH:MM" as minutes after midnight; "24:00" (the end of the day) only where `end` allows it. */
function minutes(value: unknown, what: string, end: boolean): number {
  const given = text(value, what);
  const m = /^(\d{1,2}):(\d{2})$/.exec(given);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (m && min < 60 && (h < 24 || (end && h === 24 && min === 0))) return h * 60 + min;
  throw new Error(`${what} must be a time of day "HH:MM" (00:00 to 23:59), not "${given}"`);
}

export function timeApi(o: TimeApiOptions = {}): Record<string, HostFunction> {
  const now = o.now ?? Date.now;
  // The system's zone, looked up only when a script asks without one (Intl's lookup costs ~40 us,
  // and the namespace is made for every script run).
  const fallback = () => o.zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = (tz: unknown) => optionalText(tz, "the time zone") ?? fallback();
  const clock = (tz: unknown) => wallClock(now(), zone(tz));
  return {
    now: () => now() / 1000,
    date: (tz: unknown) => clock(tz),
    /**
     * Whether the time of day is in [from, to): from "22:00" to "06:00" spans midnight; equal
     * bounds are an empty range. Minutes count, not seconds: 17:59:59 is before "18:00".
     */
    is_between: (from: unknown, to: unknown, tz: unknown) => {
      const start = minutes(from, "from", false);
      const stop = minutes(to, "to", true);
      const c = clock(tz);
      const t = c.hour * 60 + c.min;
      return start <= stop ? start <= t && t < stop : t >= start || t < stop;
    },
    weekday: (tz: unknown) => clock(tz).wday,
  };
}

// ICU's zone data is loaded by a process's first formatter, tens of milliseconds on a cold or busy
// machine: paid here, when the module loads at start, not by the first script asking the time
// inside its 50 ms slice (the time-router example failed so, now and then, in CI).
wallClock(Date.now(), Intl.DateTimeFormat().resolvedOptions().timeZone);
