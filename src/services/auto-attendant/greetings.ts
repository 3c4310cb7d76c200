/**
 * A menu's uploaded greetings, one per language (issue 17: "an uploaded one in each language"),
 * under the data directory: <dataDir>/auto-attendant/<lang>/<menu>.<version>.wav. An upload is
 * converted to Parley's format (importAudio, as prompt replacements are) and written under a new
 * version, then the older versions are removed: the media workers cache files by path, so a new
 * path is what makes the next call hear the new greeting. Synchronous file calls: administrator
 * operations, and one directory read when a menu starts.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importAudio } from "../../media/audio/wav.js";
import { LANGUAGES, type PromptLanguage } from "../../media/prompts/catalogue.js";

export type GreetingSaved = { ok: true; durationMs: number } | { ok: false; error: string };

export class MenuGreetings {
  private version = 0;

  constructor(private readonly dataDir: string) {}

  private dir(lang: PromptLanguage): string {
    return join(this.dataDir, "auto-attendant", lang);
  }

  /** The versions of a menu's greeting in a language, newest last. */
  private versions(menu: string, lang: PromptLanguage): string[] {
    const dir = this.dir(lang);
    if (!existsSync(dir)) return [];
    const prefix = `${menu}.`;
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(".wav") && /^\d+$/.test(f.slice(prefix.length, -4)))
      .sort((a, b) => Number(a.slice(prefix.length, -4)) - Number(b.slice(prefix.length, -4)))
      .map((f) => join(dir, f));
  }

  /** The uploaded greeting of `menu` in `lang`, if any. */
  path(menu: string, lang: PromptLanguage): string | undefined {
    return this.versions(menu, lang).at(-1);
  }

  /** The languages `menu` has an uploaded greeting in. */
  languages(menu: string): PromptLanguage[] {
    return LANGUAGES.filter((lang) => this.path(menu, lang) !== undefined);
  }

  save(menu: string, lang: PromptLanguage, bytes: Uint8Array): GreetingSaved {
    const converted = importAudio(bytes);
    if (!converted.ok) return converted;
    const old = this.versions(menu, lang);
    const stamp = Math.max(Date.now(), ++this.version);
    this.version = stamp;
    const target = join(this.dir(lang), `${menu}.${stamp}.wav`);
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir(lang), { recursive: true });
      writeFileSync(tmp, converted.wav);
      renameSync(tmp, target);
    } catch (error) {
      return { ok: false, error: `could not save the greeting: ${(error as Error).message}` };
    }
    for (const file of old) remove(file);
    return { ok: true, durationMs: converted.durationMs };
  }

  /** Removes a menu's greeting in `lang` (every language when absent); whether there was one. */
  remove(menu: string, lang?: PromptLanguage): boolean {
    let removed = false;
    for (const l of lang === undefined ? LANGUAGES : [lang])
      for (const file of this.versions(menu, l)) removed = remove(file) || removed;
    return removed;
  }
}

function remove(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
