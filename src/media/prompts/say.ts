/**
 * Values spoken as lists of catalogue prompts, played one after the other: digits (a phone
 * number, a park slot), numbers, amounts of money and counts ("you have three new messages").
 * Pure functions: the caller plays the list.
 *
 * English is US style: no "and" inside a number ("one hundred twenty one"); "and" only joins
 * dollars and cents. Chinese follows the usual reading rules: 十一 (not 一十一) at the start of a
 * number, 一十 inside it (一百一十); one 零 for a run of zeros inside a number, none at its end
 * (一千零五, 一万零一十); grouping by 万 and 亿; 两 for a leading 2 before 百, 千, 万, 亿 and
 * before a measure word (两百, 两千, 两万, 两条) but 二 elsewhere (二十, 十二, 一千二百).
 */
import type { PromptLanguage, PromptName } from "./catalogue.js";

/** The largest magnitude sayNumber() speaks: 999,999,999. */
export const MAX_SAYABLE = 999_999_999;

const DIGIT: readonly PromptName[] = [
  "digit-0",
  "digit-1",
  "digit-2",
  "digit-3",
  "digit-4",
  "digit-5",
  "digit-6",
  "digit-7",
  "digit-8",
  "digit-9",
];
const TEEN: readonly PromptName[] = [
  "number-10",
  "number-11",
  "number-12",
  "number-13",
  "number-14",
  "number-15",
  "number-16",
  "number-17",
  "number-18",
  "number-19",
];
const TENS: readonly PromptName[] = [
  "digit-0",
  "number-10",
  "number-20",
  "number-30",
  "number-40",
  "number-50",
  "number-60",
  "number-70",
  "number-80",
  "number-90",
];

/**
 * Each character of a dialled string: 0-9, * and #. Anything else (spaces, "-", "+") is skipped.
 * Chinese reads 1 as 幺 in a string of digits, as callers expect for phone numbers.
 */
export function sayDigits(text: string, lang: PromptLanguage): PromptName[] {
  const out: PromptName[] = [];
  for (const c of text) {
    if (c >= "0" && c <= "9") out.push(lang === "zh" && c === "1" ? "word-yao" : DIGIT[c.charCodeAt(0) - 48]);
    else if (c === "*") out.push("star");
    else if (c === "#") out.push("pound");
  }
  return out;
}

/**
 * An integer of magnitude up to 999,999,999, negative ones with "minus" (负). A fractional part
 * is read digit by digit after "point" (点), to nine decimal places.
 * @throws RangeError for NaN, infinities and magnitudes past MAX_SAYABLE (a programming error).
 */
export function sayNumber(n: number, lang: PromptLanguage): PromptName[] {
  if (!Number.isFinite(n) || Math.abs(n) > MAX_SAYABLE) throw new RangeError(`cannot say ${n}`);
  const out: PromptName[] = [];
  if (n < 0) out.push("word-minus");
  const whole = Math.trunc(Math.abs(n));
  if (lang === "zh") sayChinese(whole, out, false);
  else sayEnglish(whole, out);
  if (!Number.isInteger(n)) {
    const fraction = Math.abs(n).toFixed(9).split(".")[1].replace(/0+$/, "");
    if (fraction) out.push("word-point");
    for (const c of fraction) out.push(DIGIT[c.charCodeAt(0) - 48]);
  }
  return out;
}

function sayEnglish(n: number, out: PromptName[]): void {
  if (n === 0) {
    out.push("digit-0");
    return;
  }
  const millions = Math.floor(n / 1_000_000);
  const thousands = Math.floor(n / 1000) % 1000;
  const units = n % 1000;
  if (millions) sayEnglishHundreds(millions, out).push("word-million");
  if (thousands) sayEnglishHundreds(thousands, out).push("word-thousand");
  if (units) sayEnglishHundreds(units, out);
}

function sayEnglishHundreds(n: number, out: PromptName[]): PromptName[] {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds) out.push(DIGIT[hundreds], "word-hundred");
  if (rest >= 10 && rest < 20) out.push(TEEN[rest - 10]);
  else {
    if (rest >= 20) out.push(TENS[Math.floor(rest / 10)]);
    if (rest % 10) out.push(DIGIT[rest % 10]);
  }
  return out;
}

const ZH_GROUP_UNIT: readonly (PromptName | undefined)[] = [
  "word-hundred-million",
  "word-ten-thousand",
  undefined,
];
const ZH_PLACE_UNIT: readonly (PromptName | undefined)[] = [
  "word-thousand",
  "word-hundred",
  "number-10",
  undefined,
];

/**
 * Chinese reading of a non-negative integer below 10^9. `measure`: a measure word or unit
 * follows, so a lone 2 is 两 (两条, 两元) rather than 二.
 */
function sayChinese(n: number, out: PromptName[], measure: boolean): void {
  if (n === 0) {
    out.push("digit-0");
    return;
  }
  if (n === 2 && measure) {
    out.push("word-liang");
    return;
  }
  const groups = [Math.floor(n / 100_000_000), Math.floor(n / 10_000) % 10_000, n % 10_000];
  let started = false;
  let zeroPending = false;
  for (let g = 0; g < 3; g++) {
    const value = groups[g];
    if (value === 0) {
      // A whole group of zeros between spoken ones is one 零 (一亿零五): said before the next.
      zeroPending ||= started;
      continue;
    }
    if (started && (zeroPending || value < 1000)) out.push("digit-0");
    sayChineseGroup(value, !started, g < 2, out);
    const unit = ZH_GROUP_UNIT[g];
    if (unit) out.push(unit);
    started = true;
    zeroPending = false;
  }
}

/** One group of four places (千百十个); `leading`: it starts the number; `beforeUnit`: 万/亿 follow. */
function sayChineseGroup(value: number, leading: boolean, beforeUnit: boolean, out: PromptName[]): void {
  const places = [
    Math.floor(value / 1000),
    Math.floor(value / 100) % 10,
    Math.floor(value / 10) % 10,
    value % 10,
  ];
  let spoken = false;
  let zeroPending = false;
  for (let p = 0; p < 4; p++) {
    const d = places[p];
    if (d === 0) {
      zeroPending ||= spoken;
      continue;
    }
    if (zeroPending) out.push("digit-0");
    zeroPending = false;
    const first = leading && !spoken;
    if (p === 2 && d === 1 && first) {
      out.push("number-10"); // 十一, not 一十一, at the start of a number
      spoken = true;
      continue;
    }
    // 两 for a leading 2 before 千/百 or before 万/亿 (两百, 两千, 两万); 二 for 二十, 十二, 一千二百.
    const liang = d === 2 && first && (p < 2 || (p === 3 && beforeUnit));
    out.push(liang ? "word-liang" : DIGIT[d]);
    const unit = ZH_PLACE_UNIT[p];
    if (unit) out.push(unit);
    spoken = true;
  }
}

export type Currency = "dollar" | "yuan";

/**
 * An amount of money given in cents (fen). English: "twelve dollars and five cents" ("one dollar",
 * "five cents", "zero dollars"). Chinese: 元, 角, 分 ("十二元五角", "十二元零五分", "五分", "零元").
 * The currency defaults to the dollar in English and the yuan in Chinese; Chinese dollars are
 * 美元 and 美分, English yuan are "yuan" and "fen".
 * @throws RangeError for a non-integer or an amount past MAX_SAYABLE units.
 */
export function sayAmount(cents: number, lang: PromptLanguage, currency?: Currency): PromptName[] {
  if (!Number.isSafeInteger(cents) || Math.abs(cents) / 100 > MAX_SAYABLE)
    throw new RangeError(`cannot say an amount of ${cents} cents`);
  const cur = currency ?? (lang === "zh" ? "yuan" : "dollar");
  const out: PromptName[] = [];
  if (cents < 0) out.push("word-minus");
  const major = Math.floor(Math.abs(cents) / 100);
  const minor = Math.abs(cents) % 100;
  if (lang === "zh") sayChineseAmount(major, minor, cur, out);
  else sayEnglishAmount(major, minor, cur, out);
  return out;
}

function sayEnglishAmount(major: number, minor: number, cur: Currency, out: PromptName[]): void {
  const [one, many, cent, cents]: readonly PromptName[] =
    cur === "dollar"
      ? ["word-dollar", "word-dollars", "word-cent", "word-cents"]
      : ["word-yuan", "word-yuan", "word-fen", "word-fen"];
  if (major > 0 || minor === 0) {
    sayEnglish(major, out);
    out.push(major === 1 ? one : many);
  }
  if (minor > 0) {
    if (major > 0) out.push("word-and");
    sayEnglish(minor, out);
    out.push(minor === 1 ? cent : cents);
  }
}

function sayChineseAmount(major: number, minor: number, cur: Currency, out: PromptName[]): void {
  if (cur === "dollar") {
    if (major > 0 || minor === 0) {
      sayChinese(major, out, true);
      out.push("word-dollar");
    }
    if (minor > 0) {
      sayChinese(minor, out, true);
      out.push("word-cent");
    }
    return;
  }
  const jiao = Math.floor(minor / 10);
  const fen = minor % 10;
  if (major > 0 || minor === 0) {
    sayChinese(major, out, true);
    out.push("word-yuan");
  }
  if (jiao > 0) {
    sayChinese(jiao, out, true);
    out.push("word-jiao");
  } else if (major > 0 && fen > 0) out.push("digit-0"); // 十二元零五分
  if (fen > 0) {
    sayChinese(fen, out, true);
    out.push("word-fen");
  }
}

export type CountNoun = "new-message" | "old-message" | "message" | "minute" | "second";

const NOUN: Readonly<
  Record<CountNoun, { one: PromptName; many: PromptName; zh: PromptName; tiao: boolean }>
> = {
  "new-message": { one: "new-message", many: "new-messages", zh: "new-message", tiao: true },
  "old-message": { one: "old-message", many: "old-messages", zh: "old-message", tiao: true },
  message: { one: "word-message", many: "word-messages", zh: "word-message", tiao: true },
  minute: { one: "word-minute", many: "word-minutes", zh: "word-minute", tiao: false },
  second: { one: "word-second", many: "word-seconds", zh: "word-second", tiao: false },
};

/**
 * A count of something: "three new messages" / "one new message"; Chinese with its measure word
 * where the noun takes one (三条新留言, 两条新留言) and 两 for 2 (两分钟). Zero is spoken as a
 * number too ("zero new messages"): a service says "you have no messages" with its own prompt.
 */
export function sayCount(n: number, noun: CountNoun, lang: PromptLanguage): PromptName[] {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SAYABLE)
    throw new RangeError(`cannot say a count of ${n}`);
  const words = NOUN[noun];
  const out: PromptName[] = [];
  if (lang === "zh") {
    sayChinese(n, out, true);
    if (words.tiao) out.push("word-tiao");
    out.push(words.zh);
    return out;
  }
  sayEnglish(n, out);
  out.push(n === 1 ? words.one : words.many);
  return out;
}
