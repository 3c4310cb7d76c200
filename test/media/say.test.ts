/**
 * Covers src/media/prompts/say.ts: values spoken as prompt lists (issue 14, "spoken numbers").
 * Each list is checked through the catalogue's texts, so a test reads as what the caller hears,
 * and every prompt a list names must exist in that language (else nothing would play).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PromptLanguage, type PromptName, promptText } from "../../src/media/prompts/catalogue.js";
import { sayAmount, sayCount, sayDigits, sayNumber } from "../../src/media/prompts/say.js";

function heard(names: PromptName[], lang: PromptLanguage): string {
  const texts = names.map((name) => {
    const text = promptText(name, lang);
    assert.ok(text !== undefined, `${name} has no ${lang} prompt`);
    return text;
  });
  return texts.join(lang === "zh" ? "" : " ");
}
const en = (n: number) => heard(sayNumber(n, "en"), "en");
const zh = (n: number) => heard(sayNumber(n, "zh"), "zh");

describe("sayDigits()", () => {
  it("says each digit, star and pound, skipping separators", () => {
    assert.equal(heard(sayDigits("*70*12#", "en"), "en"), "star seven zero star one two pound");
    assert.equal(heard(sayDigits("+1 555-0100", "en"), "en"), "one five five five zero one zero zero");
  });
  it("reads 1 as 幺 in Chinese digit strings", () => {
    assert.equal(heard(sayDigits("110", "zh"), "zh"), "幺幺零");
    assert.equal(heard(sayDigits("*6#", "zh"), "zh"), "星号六井号");
  });
  it("gives nothing for a string without digits", () => {
    assert.deepEqual(sayDigits("abc", "en"), []);
  });
});

describe("sayNumber() in English (US style, no 'and')", () => {
  const cases: Array<[number, string]> = [
    [0, "zero"],
    [7, "seven"],
    [10, "ten"],
    [11, "eleven"],
    [15, "fifteen"],
    [20, "twenty"],
    [21, "twenty one"],
    [99, "ninety nine"],
    [100, "one hundred"],
    [101, "one hundred one"],
    [110, "one hundred ten"],
    [115, "one hundred fifteen"],
    [1000, "one thousand"],
    [1005, "one thousand five"],
    [10010, "ten thousand ten"],
    [20000, "twenty thousand"],
    [100000, "one hundred thousand"],
    [1000000, "one million"],
    [1000001, "one million one"],
    [123456789, "one hundred twenty three million four hundred fifty six thousand seven hundred eighty nine"],
    [
      999999999,
      "nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine",
    ],
    [-5, "minus five"],
    [-1200, "minus one thousand two hundred"],
    [3.5, "three point five"],
    [-0.25, "minus zero point two five"],
  ];
  for (const [n, text] of cases) it(`says ${n} as "${text}"`, () => assert.equal(en(n), text));
});

describe("sayNumber() in Chinese", () => {
  const cases: Array<[number, string]> = [
    [0, "零"],
    [2, "二"],
    [10, "十"],
    [11, "十一"],
    [12, "十二"],
    [15, "十五"],
    [20, "二十"],
    [22, "二十二"],
    [101, "一百零一"],
    [110, "一百一十"],
    [115, "一百一十五"],
    [200, "两百"],
    [1000, "一千"],
    [1005, "一千零五"],
    [1200, "一千二百"],
    [2000, "两千"],
    [2500, "两千五百"],
    [10010, "一万零一十"],
    [10100, "一万零一百"],
    [20000, "两万"],
    [22000, "两万二千"],
    [100000, "十万"],
    [100005, "十万零五"],
    [110000, "十一万"],
    [120000, "十二万"],
    [1010000, "一百零一万"],
    [10000100, "一千万零一百"],
    [100000000, "一亿"],
    [100001000, "一亿零一千"],
    [200000000, "两亿"],
    [123456789, "一亿二千三百四十五万六千七百八十九"],
    [-3, "负三"],
    [2.5, "二点五"],
  ];
  for (const [n, text] of cases) it(`says ${n} as ${text}`, () => assert.equal(zh(n), text));
});

describe("sayNumber() out of range", () => {
  for (const n of [1e9, -1e9, Number.NaN, Number.POSITIVE_INFINITY])
    it(`throws a RangeError for ${n}`, () => assert.throws(() => sayNumber(n, "en"), RangeError));
});

describe("sayAmount()", () => {
  const cases: Array<[number, PromptLanguage, string]> = [
    [1205, "en", "twelve dollars and five cents"],
    [1200, "en", "twelve dollars"],
    [100, "en", "one dollar"],
    [101, "en", "one dollar and one cent"],
    [5, "en", "five cents"],
    [0, "en", "zero dollars"],
    [-250, "en", "minus two dollars and fifty cents"],
    [1205, "zh", "十二元零五分"],
    [1250, "zh", "十二元五角"],
    [1253, "zh", "十二元五角三分"],
    [1200, "zh", "十二元"],
    [200, "zh", "两元"],
    [22, "zh", "两角两分"],
    [5, "zh", "五分"],
    [0, "zh", "零元"],
    [1000000, "zh", "一万元"],
  ];
  for (const [cents, lang, text] of cases)
    it(`says ${cents} cents in ${lang} as "${text}"`, () =>
      assert.equal(heard(sayAmount(cents, lang), lang), text));
  it("says yuan in English and dollars in Chinese when asked", () => {
    assert.equal(heard(sayAmount(1205, "en", "yuan"), "en"), "twelve yuan and five fen");
    assert.equal(heard(sayAmount(1205, "zh", "dollar"), "zh"), "十二美元五美分");
  });
  it("throws a RangeError for a fraction of a cent", () => {
    assert.throws(() => sayAmount(1.5, "en"), RangeError);
  });
});

describe("sayCount()", () => {
  it("uses the singular for one and the plural otherwise in English", () => {
    assert.equal(heard(sayCount(1, "new-message", "en"), "en"), "one new message");
    assert.equal(heard(sayCount(3, "new-message", "en"), "en"), "three new messages");
    assert.equal(heard(sayCount(0, "old-message", "en"), "en"), "zero old messages");
    assert.equal(heard(sayCount(21, "minute", "en"), "en"), "twenty one minutes");
    assert.equal(heard(sayCount(1, "second", "en"), "en"), "one second");
  });
  it("puts the measure word 条 before messages and 两 for two in Chinese", () => {
    assert.equal(heard(sayCount(3, "new-message", "zh"), "zh"), "三条新留言");
    assert.equal(heard(sayCount(2, "message", "zh"), "zh"), "两条留言");
    assert.equal(heard(sayCount(12, "old-message", "zh"), "zh"), "十二条旧留言");
    assert.equal(heard(sayCount(2, "minute", "zh"), "zh"), "两分钟");
    assert.equal(heard(sayCount(30, "second", "zh"), "zh"), "三十秒");
  });
  it("throws a RangeError for a negative count", () => {
    assert.throws(() => sayCount(-1, "message", "en"), RangeError);
  });
});
