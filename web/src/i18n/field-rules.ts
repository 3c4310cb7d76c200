/**
 * The rule a field error names, in words of the UI's language (issue 23: "at least 8 characters",
 * "digits, *, # and + only", never a bare "invalid"): the JSON Schema validator's
 * `must match pattern "^[0-9*#+]{0,32}$"` described from the pattern itself, its type errors, and
 * in Chinese the server's own English rules (zh-server-rules.ts).
 */
import type { MessageKey } from "./en";
import { zhServerRule } from "./zh-server-rules";

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const TYPES: Record<string, MessageKey> = {
  "must be string": "rule.text",
  "must be number": "rule.number",
  "must be boolean": "rule.boolean",
  "must be array": "rule.list",
  "must be object": "rule.object",
};

/** The rule of a JSON Schema type or pattern error in the UI's language; undefined for others. */
export function schemaRule(message: string, t: Translate): string | undefined {
  const type = TYPES[message];
  if (type !== undefined) return t(type);
  const pattern = /^must match pattern "(.*)"$/.exec(message);
  if (pattern) return describePattern(pattern[1]!, t) ?? t("error.format");
  return undefined;
}

/** A rule the server wrote in English, in the UI's language (undefined: show it as written). */
export function serverRule(message: string, lang: string): string | undefined {
  return lang === "zh" ? zhServerRule(message) : undefined;
}

/**
 * A pattern of one character class and a length (`^[A-Za-z0-9._-]{1,32}$`) as "letters, digits,
 * ., _ and - only, 1-32 characters"; the API's two other shapes by name; undefined otherwise.
 */
export function describePattern(pattern: string, t: Translate): string | undefined {
  if (pattern.startsWith("^\\d{4}-\\d{2}-\\d{2}")) return t("rule.isoTime");
  if (pattern === "^([0-9*#+]{1,32}|\\*)$") return t("rule.prefixOrAny");
  const m = /^\^\[([^\]]+)\](?:\{(\d+)(?:,(\d*))?\}|([+*]))\$$/.exec(pattern);
  if (!m) return undefined;
  const chars = charClass(m[1]!, t);
  if (chars === undefined) return undefined;
  const parts = [t("rule.only", { chars: list(chars, t) })];
  const length = lengthOf(m[2], m[3], m[4], t);
  if (length !== undefined) parts.push(length);
  const text = parts.join(t("rule.partSeparator"));
  return t("rule.sentence", { text: text.charAt(0).toUpperCase() + text.slice(1) });
}

function lengthOf(
  min: string | undefined,
  max: string | undefined,
  quantifier: string | undefined,
  t: Translate,
): string | undefined {
  if (quantifier === "+") return t("rule.notEmpty");
  if (quantifier === "*" || min === undefined) return undefined;
  if (max === undefined) return t("rule.lengthExact", { n: min });
  if (max === "") return t("rule.lengthMin", { min });
  return min === "0" ? t("rule.lengthMax", { max }) : t("rule.lengthRange", { min, max });
}

/** The names of what a character class admits: digits, letters, then each other character. */
function charClass(body: string, t: Translate): string[] | undefined {
  const named: string[] = [];
  const literal: string[] = [];
  let rest = body;
  const take = (token: string, key: MessageKey): void => {
    if (!rest.includes(token)) return;
    rest = rest.replace(token, "");
    named.push(t(key));
  };
  if (rest.includes("A-Z") && rest.includes("a-z")) {
    rest = rest.replace("A-Z", "").replace("a-z", "");
    named.push(t("rule.letters"));
  }
  take("\\x20-\\x7e", "rule.printable");
  take("a-z", "rule.lowercase");
  take("A-Z", "rule.uppercase");
  if (rest.includes("\\w")) {
    rest = rest.replace("\\w", "");
    named.push(t("rule.letters"), t("rule.digits"), t("rule.underscore"));
  }
  take("0-9", "rule.digits");
  take("\\d", "rule.digits");
  for (let i = 0; i < rest.length; i++) {
    let c = rest[i]!;
    if (c === "\\") {
      c = rest[i + 1] ?? "";
      i++;
    }
    // A range other than the named ones: not described.
    if (c === "-" && i > 0 && i < rest.length - 1) return undefined;
    if (c !== "") literal.push(c);
  }
  const all = [...named, ...literal];
  return all.length === 0 ? undefined : all;
}

function list(items: readonly string[], t: Translate): string {
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(t("rule.listSeparator"))}${t("rule.listLast")}${items.at(-1)}`;
}
