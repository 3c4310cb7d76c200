/**
 * Office hours (issue 17; what 3CX and FreePBX call time conditions): whether a moment is in
 * hours, out of hours or a holiday by a time condition's weekly schedule, holiday dates and time
 * zone, and so which destination answers. Pure: the moment comes from the caller (the service's
 * injected clock), the zone's rules from Intl (IANA names, daylight saving included).
 */
import type { Destination, TimeCondition, Weekday } from "../../store/auto-attendant-model.js";

export type Period = "in-hours" | "out-of-hours" | "holiday";

/** A moment as a wall clock in a zone shows it. */
export interface LocalTime {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly weekday: Weekday;
  /** HH:MM */
  readonly time: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at epoch milliseconds `at`. */
export function localTime(at: number, zone: string): LocalTime {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formats.set(zone, format);
  }
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(at))) part[p.type] = p.value;
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    weekday: (part.weekday ?? "mon").toLowerCase().slice(0, 3) as Weekday,
    time: `${part.hour}:${part.minute}`,
  };
}

/** Whether `at` is a holiday, in hours or out of hours for `condition`. */
export function periodAt(
  condition: Pick<TimeCondition, "timeZone" | "schedule" | "holidays">,
  at: number,
): Period {
  const now = localTime(at, condition.timeZone);
  // A holiday is the whole day: "MM-DD" every year, "YYYY-MM-DD" that year only.
  if (condition.holidays.some((d) => d === now.date || d === now.date.slice(5))) return "holiday";
  // [from, to): 09:00-18:00 is open at 09:00 and closed at 18:00.
  const open = condition.schedule.some(
    (h) => h.days.includes(now.weekday) && now.time >= h.from && now.time < h.to,
  );
  return open ? "in-hours" : "out-of-hours";
}

/** The destination that answers at `at`. */
export function destinationAt(
  condition: TimeCondition,
  at: number,
): { period: Period; destination: Destination } {
  const period = periodAt(condition, at);
  const destination =
    period === "in-hours"
      ? condition.inHours
      : period === "holiday"
        ? (condition.holiday ?? condition.outOfHours)
        : condition.outOfHours;
  return { period, destination };
}
