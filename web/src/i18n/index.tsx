/** The UI's languages: English and Simplified Chinese, switchable at any time, remembered locally. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { FieldError } from "../lib/api";
import { en, type MessageKey } from "./en";
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
      if (error.message === "is required") return t("error.required");
      if (error.message === "is not correct") return t("error.incorrect");
      if (error.message === "unknown field") return t("error.unknownField");
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
