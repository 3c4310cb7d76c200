/**
 * What voicemail access by phone says (issue 15: "hear new and old messages with date and caller
 * spoken"): the date and time a message was received in English and Chinese (the ordinals, the
 * hour on a 12-hour clock, the year only when it is not this one; 凌晨/上午/中午/下午/晚上, 两点,
 * 零五分), the counts of new and old messages, and the order messages are played in. Every prompt
 * asked for has a text in the language spoken. The sessions that say them are
 * test/services/voicemail-access.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Speech } from "../../src/media/media-server.js";
import { promptText } from "../../src/media/prompts/catalogue.js";
import { countsSpeech, playbackOrder } from "../../src/services/voicemail/access-speech.js";
import { type LocalTime, sayDateTime } from "../../src/services/voicemail/say-date.js";
import type { VoicemailMessage } from "../../src/store/index.js";

const monday: LocalTime = { year: 2025, month: 12, day: 8, weekday: 1, hour: 15, minute: 45 };

describe("sayDateTime()", () => {
  it("says an English date as Asterisk does: weekday, month, ordinal day, at h mm A M/P M", () => {
    assert.deepEqual(sayDateTime(monday, "en", 2025), [
      "weekday-1",
      "month-12",
      "ordinal-8",
      "word-at",
      "digit-3",
      "number-40",
      "digit-5",
      "word-pm",
    ]);
  });

  it("says o'clock on the hour, 'oh' before a single-digit minute, 12 at noon and midnight", () => {
    const at = (hour: number, minute: number) =>
      sayDateTime({ ...monday, hour, minute }, "en", 2025).slice(4);
    assert.deepEqual(at(0, 0), ["number-12", "word-oclock", "word-am"]);
    assert.deepEqual(at(12, 5), ["number-12", "word-oh", "digit-5", "word-pm"]);
    assert.deepEqual(at(9, 30), ["digit-9", "number-30", "word-am"]);
  });

  it("says the ordinals of the 20s and 30s from tens and ordinals", () => {
    const day = (d: number) => sayDateTime({ ...monday, day: d }, "en", 2025).slice(2, -5);
    assert.deepEqual(day(20), ["ordinal-20"]);
    assert.deepEqual(day(21), ["number-20", "ordinal-1"]);
    assert.deepEqual(day(30), ["ordinal-30"]);
    assert.deepEqual(day(31), ["number-30", "ordinal-1"]);
    assert.deepEqual(day(13), ["ordinal-13"]);
  });

  it("says the year only when it is not the current one", () => {
    assert.deepEqual(sayDateTime(monday, "en", 2026).slice(3, 7), [
      "digit-2",
      "word-thousand",
      "number-20",
      "digit-5",
    ]);
    assert.deepEqual(sayDateTime(monday, "zh", 2026).slice(0, 5), [
      "digit-2",
      "digit-0",
      "digit-2",
      "digit-5",
      "word-nian",
    ]);
  });

  it("says a Chinese date as 十二月八日 星期一 下午三点四十五分", () => {
    assert.deepEqual(sayDateTime(monday, "zh", 2025), [
      "month-12",
      "digit-8",
      "word-ri",
      "weekday-1",
      "word-pm",
      "digit-3",
      "word-oclock",
      "digit-4",
      "number-10",
      "digit-5",
      "word-fen",
    ]);
  });

  it("says the Chinese part of the day, 两点, 零五分 and nothing after 点 on the hour", () => {
    const at = (hour: number, minute: number) =>
      sayDateTime({ ...monday, hour, minute }, "zh", 2025).slice(4);
    assert.deepEqual(at(2, 5), [
      "word-small-hours",
      "word-liang",
      "word-oclock",
      "digit-0",
      "digit-5",
      "word-fen",
    ]);
    assert.deepEqual(at(10, 0), ["word-am", "number-10", "word-oclock"]);
    assert.deepEqual(at(12, 30), [
      "word-noon",
      "number-10",
      "digit-2",
      "word-oclock",
      "digit-3",
      "number-10",
      "word-fen",
    ]);
    assert.deepEqual(at(20, 10), ["word-evening", "digit-8", "word-oclock", "number-10", "word-fen"]);
  });

  it("uses only prompts that have a text in the language spoken", () => {
    for (const lang of ["en", "zh"] as const)
      for (let hour = 0; hour < 24; hour++)
        for (const day of [1, 2, 11, 12, 21, 22, 30, 31]) {
          const t: LocalTime = {
            year: 2024,
            month: (day % 12) + 1,
            day,
            weekday: day % 7,
            hour,
            minute: day + 7,
          };
          for (const name of sayDateTime(t, lang, 2025))
            assert.ok(promptText(name, lang) !== undefined, `${name} has no ${lang} text`);
        }
  });

  it("throws RangeError for a month out of range", () => {
    assert.throws(() => sayDateTime({ ...monday, month: 13 }, "en", 2025), RangeError);
  });
});

describe("countsSpeech() and playbackOrder()", () => {
  const prompts = (parts: Speech[]) => parts.map((p) => ("prompt" in p ? p.prompt : JSON.stringify(p)));

  it("says both folders joined by 'and' in English, listed in Chinese, one alone, or none", () => {
    assert.deepEqual(prompts(countsSpeech({ new: 2, old: 1 }, "en")), [
      "you-have",
      "digit-2",
      "new-messages",
      "word-and",
      "digit-1",
      "old-message",
    ]);
    assert.deepEqual(prompts(countsSpeech({ new: 2, old: 1 }, "zh")), [
      "you-have",
      "word-liang",
      "word-tiao",
      "new-message",
      "digit-1",
      "word-tiao",
      "old-message",
    ]);
    assert.deepEqual(prompts(countsSpeech({ new: 0, old: 3 }, "en")), [
      "you-have",
      "digit-3",
      "old-messages",
    ]);
    assert.deepEqual(prompts(countsSpeech({ new: 0, old: 0 }, "en")), ["no-messages"]);
  });

  it("plays new messages first, then old ones, oldest first within each", () => {
    const m = (id: number, folder: "new" | "old", receivedAt: number) =>
      ({ id, folder, receivedAt }) as VoicemailMessage;
    const order = playbackOrder([m(1, "old", 10), m(2, "new", 30), m(3, "new", 20), m(4, "old", 5)]);
    assert.deepEqual(
      order.map((x) => x.id),
      [3, 2, 4, 1],
    );
  });
});
