/**
 * Issue 23, validation messages name the rule: every pattern the API's JSON Schemas use reads as
 * words in English and Chinese (never "not in the expected format"), the type errors too, and the
 * store's English rules read in Chinese (web/src/i18n/field-rules.ts, zh-server-rules.ts). The
 * Chromium test (ui-polish.test.ts) shows them beside a field.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

// The web UI's modules resolve as a bundler does (no file extensions): loaded by path, so this
// file's compiler (nodenext) does not follow their imports; typed here by what the test uses.
type Translate = (key: string, params?: Record<string, string | number>) => string;
interface FieldRules {
  describePattern(pattern: string, t: Translate): string | undefined;
  schemaRule(message: string, t: Translate): string | undefined;
  serverRule(message: string, lang: string): string | undefined;
}
const i18n = new URL("../../web/src/i18n/", import.meta.url);
const { describePattern, schemaRule, serverRule } = (await import(
  new URL("field-rules.ts", i18n).href
)) as FieldRules;
const { en } = (await import(new URL("en.ts", i18n).href)) as { en: Record<string, string> };
const { zh } = (await import(new URL("zh.ts", i18n).href)) as { zh: Record<string, string> };

function translator(dict: Record<string, string>): Translate {
  return (key, params) => {
    const template = dict[key];
    assert.ok(template !== undefined, `no message ${key}`);
    return template.replace(/\{(\w+)\}/g, (all, name: string) => String(params?.[name] ?? all));
  };
}
const tEn = translator(en);
const tZh = translator(zh);

describe("field rules (issue 23)", () => {
  it("describes each pattern of the API in English", () => {
    const cases: Array<[string, string]> = [
      ["^[0-9*#+]{0,32}$", "Digits, *, # and + only, at most 32 characters."],
      ["^[0-9*#+]{1,32}$", "Digits, *, # and + only, 1-32 characters."],
      ["^[A-Za-z0-9._-]{1,32}$", "Letters, digits, ., _ and - only, 1-32 characters."],
      ["^[0-9]{0,16}$", "Digits only, at most 16 characters."],
      ["^[*#0-9]{0,16}$", "Digits, * and # only, at most 16 characters."],
      ["^[a-z0-9-]{1,40}$", "Lowercase letters, digits and - only, 1-40 characters."],
      ["^[\\x20-\\x7e]+$", "Printable characters (no accents or Chinese) only, not empty."],
      ["^([0-9*#+]{1,32}|\\*)$", "Digits, *, # and + (1-32 of them), or * alone for any."],
    ];
    for (const [pattern, words] of cases) assert.equal(describePattern(pattern, tEn), words, pattern);
    assert.match(describePattern("^\\d{4}-\\d{2}-\\d{2}(T.*)?$", tEn) ?? "", /2027-01-15T08:00:00Z/);
    assert.equal(describePattern("^(a|b)c$", tEn), undefined, "a pattern it cannot read is not guessed");
  });

  it("says the same in Chinese", () => {
    assert.equal(describePattern("^[0-9*#+]{0,32}$", tZh), "只能包含数字、*、# 和 +，最多 32 个字符。");
    assert.equal(
      describePattern("^[A-Za-z0-9._-]{1,32}$", tZh),
      "只能包含字母、数字、.、_ 和 -，1-32 个字符。",
    );
  });

  it("turns the validator's messages into the rule, and a pattern it cannot read into 'format'", () => {
    assert.equal(
      schemaRule('must match pattern "^[0-9]{0,16}$"', tEn),
      "Digits only, at most 16 characters.",
    );
    assert.equal(schemaRule('must match pattern "^(a|b)c$"', tEn), en["error.format"]);
    assert.equal(schemaRule("must be string", tEn), "Must be text.");
    assert.equal(schemaRule("must be boolean", tZh), "须为是或否。");
    assert.equal(schemaRule("is required", tEn), undefined, "left to the known messages");
  });

  it("reads the store's English rules in Chinese; English shows them as written", () => {
    const cases: Array<[string, string]> = [
      ["must be 1-32 of digits, *, #, +", "须为 1-32 个字符，只能包含数字、*、#、+。"],
      ["must be empty or 1-16 digits", "须为空，或为 1-16 个数字。"],
      ["must be a whole number of seconds from 1 to 600", "须为 1 到 600 之间的整数（秒）。"],
      ["must be one of linear, circular, parallel", "须为以下之一：linear, circular, parallel。"],
      ["must be true or false", "须为 true 或 false。"],
      ['no external line "5550100"', "没有外线 “5550100”。"],
      ['no dial plan "sales"', "没有拨号方案 “sales”。"],
      ['no local user is named "999"', "没有名为 “999” 的本地用户。"],
      ["is a local user's number", "已是某个本地用户的号码。"],
      ["must not equal the extension number", "不能与分机号码相同。"],
      ["cannot be changed (delete and create instead)", "不能修改（请删除后重新创建）。"],
    ];
    for (const [message, words] of cases) assert.equal(serverRule(message, "zh"), words, message);
    assert.equal(serverRule('no external line "5550100"', "en"), undefined);
    assert.equal(serverRule("something new the server says", "zh"), undefined);
  });
});
