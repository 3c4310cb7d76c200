/**
 * The date and time a voice message was received, as catalogue prompts (issue 15: "hear new and
 * old messages with date and caller spoken"). Pure: the caller gives the broken-down local time
 * (localTime() reads it in the Parley process's time zone, the machine's or its TZ variable's)
 * and the current year.
 *   en  "Monday, December seventh, at three forty five P M", as Asterisk's VoiceMailMain says it:
 *       the day as an ordinal, "o'clock" on the hour, "oh five" for :05; the year ("two thousand
 *       twenty four") only when it is not this year.
 *   zh  十二月七日 星期一 下午三点四十五分: the year first when it is not this one, digit by digit
 *       (二零二四年); a 12-hour clock with the part of the day, 凌晨 0-5 h, 上午 6-11 h, 中午 12 h,
 *       下午 13-17 h, 晚上 18-23 h; 两点 for 2 o'clock; 三点零五分 for 3:05, 三点 on the hour.
 */
import type { PromptLanguage, PromptName } from "../../media/prompts/catalogue.js";
import { sayDigits, sayNumber } from "../../media/prompts/say.js";

export interface LocalTime {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  /** 1-31. */
  readonly day: number;
  /** 0 = Sunday (Date.getDay()). */
  readonly weekday: number;
  /** 0-23. */
  readonly hour: number;
  readonly minute: number;
}

/** An instant (epoch ms) in the process's local time zone. */
export function localTime(epochMs: number): LocalTime {
  const d = new Date(epochMs);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    weekday: d.getDay(),
    hour: d.getHours(),
    minute: d.getMinutes(),
  };
}

const WEEKDAY: readonly PromptName[] = [
  "weekday-0",
  "weekday-1",
  "weekday-2",
  "weekday-3",
  "weekday-4",
  "weekday-5",
  "weekday-6",
];
const MONTH: readonly PromptName[] = [
  "month-1",
  "month-2",
  "month-3",
  "month-4",
  "month-5",
  "month-6",
  "month-7",
  "month-8",
  "month-9",
  "month-10",
  "month-11",
  "month-12",
];
const ORDINAL: readonly PromptName[] = [
  "ordinal-1",
  "ordinal-2",
  "ordinal-3",
  "ordinal-4",
  "ordinal-5",
  "ordinal-6",
  "ordinal-7",
  "ordinal-8",
  "ordinal-9",
  "ordinal-10",
  "ordinal-11",
  "ordinal-12",
  "ordinal-13",
  "ordinal-14",
  "ordinal-15",
  "ordinal-16",
  "ordinal-17",
  "ordinal-18",
  "ordinal-19",
];

/** @throws RangeError for a month, day, weekday, hour or minute out of range (a programming error). */
export function sayDateTime(t: LocalTime, lang: PromptLanguage, currentYear: number): PromptName[] {
  if (
    !(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.weekday >= 0 && t.weekday <= 6) ||
    !(t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59)
  )
    throw new RangeError(`cannot say the date ${JSON.stringify(t)}`);
  return lang === "zh" ? sayChinese(t, t.year !== currentYear) : sayEnglish(t, t.year !== currentYear);
}

function sayEnglish(t: LocalTime, withYear: boolean): PromptName[] {
  const out: PromptName[] = [WEEKDAY[t.weekday], MONTH[t.month - 1], ...ordinal(t.day)];
  if (withYear) out.push(...sayNumber(t.year, "en"));
  out.push("word-at", ...sayNumber(t.hour % 12 === 0 ? 12 : t.hour % 12, "en"));
  if (t.minute === 0) out.push("word-oclock");
  else if (t.minute < 10) out.push("word-oh", ...sayNumber(t.minute, "en"));
  else out.push(...sayNumber(t.minute, "en"));
  out.push(t.hour < 12 ? "word-am" : "word-pm");
  return out;
}

/** "seventh", "twentieth", "twenty first", "thirty first". */
function ordinal(day: number): PromptName[] {
  if (day < 20) return [ORDINAL[day - 1]];
  if (day % 10 === 0) return [day === 20 ? "ordinal-20" : "ordinal-30"];
  return [...sayNumber(day - (day % 10), "en"), ORDINAL[(day % 10) - 1]];
}

function sayChinese(t: LocalTime, withYear: boolean): PromptName[] {
  const out: PromptName[] = [];
  // A year is read digit by digit, 一 not 幺: the digit prompts are the same in every language,
  // so English's digit reading gives their names.
  if (withYear) out.push(...sayDigits(String(t.year), "en"), "word-nian");
  out.push(MONTH[t.month - 1], ...sayNumber(t.day, "zh"), "word-ri", WEEKDAY[t.weekday]);
  const [part, hour]: [PromptName, number] =
    t.hour < 6
      ? ["word-small-hours", t.hour]
      : t.hour < 12
        ? ["word-am", t.hour]
        : t.hour === 12
          ? ["word-noon", 12]
          : t.hour < 18
            ? ["word-pm", t.hour - 12]
            : ["word-evening", t.hour - 12];
  out.push(part, ...(hour === 2 ? (["word-liang"] as const) : sayNumber(hour, "zh")), "word-oclock");
  if (t.minute > 0) {
    if (t.minute < 10) out.push("digit-0");
    out.push(...sayNumber(t.minute, "zh"), "word-fen");
  }
  return out;
}
