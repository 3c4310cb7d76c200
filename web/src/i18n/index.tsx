/** The UI's languages: English and Simplified Chinese, switchable at any time, remembered locally. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { FieldError } from "../lib/api-types";
import { en, type MessageKey } from "./en";
import { schemaRule, serverRule } from "./field-rules";
import { zh } from "./zh";

export type Lang = "en" | "zh";
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, zh };
const LANG_KEY = "parley.lang";

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  /** A field error from the API in the current language. */
  fieldMessage(error: FieldError): string;
}

const Context = createContext<I18n | undefined>(undefined);

function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  if (stored === "en" || stored === "zh") return stored;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (all, name: string) =>
    params[name] === undefined ? all : String(params[name]),
  );
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = DICTIONARIES[lang];
    const t: Translate = (key, params) => format(dict[key], params);
    const fieldMessage = (error: FieldError): string => {
      const schema = schemaRule(error.message, t);
      if (schema !== undefined) return schema;
      const known = knownMessage(error.message);
      if (known) return t(known.key, known.params);
      const rule = serverRule(error.message, lang);
      if (rule !== undefined) return rule;
      return lang === "en" ? error.message : t("error.invalid", { message: error.message });
    };
    return { lang, setLang, t, fieldMessage };
  }, [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (value === undefined) throw new Error("useI18n outside I18nProvider");
  return value;
}

/**
 * The API's common field messages (its own, and the JSON Schema validator's) as message keys, so
 * they read well in both languages; any other message is shown as the server wrote it.
 */
export function knownMessage(
  message: string,
): { key: MessageKey; params?: Record<string, string> } | undefined {
  const exact: Record<string, MessageKey> = {
    "is required": "error.required",
    "is not correct": "error.incorrect",
    "unknown field": "error.unknownField",
    "must be integer": "error.integer",
    "must be equal to one of the allowed values": "error.oneOf",
    "must be boolean": "error.type",
    "must be string": "error.type",
    "must be number": "error.type",
    "must be array": "error.type",
    "must not equal the extension number": "error.notExtension",
  };
  if (exact[message]) return { key: exact[message] };
  if (message.startsWith("must match pattern")) return { key: "error.format" };
  const bound = /^must be (>=|<=|>|<) (-?\d+)$/.exec(message);
  if (bound) return { key: bound[1]!.startsWith(">") ? "error.min" : "error.max", params: { n: bound[2]! } };
  const emergency = /^(\S+) is an emergency number \(emergency numbers table\)$/.exec(message);
  if (emergency) return { key: "error.emergencyNumber", params: { n: emergency[1]! } };
  const throttled = /^too many failed sign-ins: try again in (\d+) s$/.exec(message);
  if (throttled) return { key: "error.throttled", params: { n: throttled[1]! } };
  const length = /^must (?:NOT have (more|fewer) than|be at (most|least)) (\d+) characters$/.exec(message);
  if (length) {
    const atMost = length[1] === "more" || length[2] === "most";
    return { key: atMost ? "error.maxLength" : "error.minLength", params: { n: length[3]! } };
  }
  return undefined;
}
