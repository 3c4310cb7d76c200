/**
 * Where each prompt and music-on-hold file is. Parley ships prompts/<lang>/<name>.wav and
 * prompts/moh/default.wav at the package root; an administrator's replacements live in the data
 * directory and win over the shipped ones:
 *   <dataDir>/prompts/<lang>/<name>.wav   a replaced prompt (catalogue names only)
 *   <dataDir>/moh/<name>.wav              uploaded music, or a replacement of the shipped "default"
 * Uploads are converted to Parley's format (importAudio) and written atomically (a temporary file
 * renamed over the old one), so a worker reading the file never sees half of it; then the change
 * listeners hear the path, so the media workers drop their cached copy.
 *
 * Synchronous file system calls: these are administrator operations and lookups at the start of
 * a play, never per packet.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importAudio, inspectWav } from "../audio/wav.js";
import {
  isPromptLanguage,
  isPromptName,
  LANGUAGES,
  PROMPTS,
  type PromptLanguage,
  promptText,
} from "./catalogue.js";

/**
 * The shipped prompts: this module is src/media/prompts/ under tsx and dist/media/prompts/ when
 * built, three levels below the package root either way.
 */
export const SHIPPED_PROMPTS_DIR = fileURLToPath(new URL("../../../prompts", import.meta.url));

const MUSIC_NAME = /^[a-z0-9-]{1,40}$/;
const DEFAULT_MUSIC = "default";
/** Enough of a WAV's start to hold its fmt chunk and the header of its data chunk. */
const HEADER_BYTES = 4096;

export type SaveResult = { ok: true; durationMs: number } | { ok: false; error: string };

export interface PromptEntry {
  name: string;
  lang: PromptLanguage;
  text: string;
  replaced: boolean;
  durationMs: number;
}

export interface MusicEntry {
  name: string;
  /** The shipped file (not an upload): removing it is not possible. */
  shipped: boolean;
  durationMs: number;
}

export class PromptLibrary {
  private readonly dataDir: string;
  private readonly shippedDir: string;
  private readonly listeners: Array<(path: string) => void> = [];
  private tmpCounter = 0;

  constructor(opts: { dataDir: string; shippedDir?: string }) {
    this.dataDir = opts.dataDir;
    this.shippedDir = opts.shippedDir ?? SHIPPED_PROMPTS_DIR;
  }

  /** The file to play for a prompt in a language (the replacement if any, else shipped; undefined if neither). */
  path(name: string, lang: PromptLanguage): string | undefined {
    if (!isPromptName(name) || !isPromptLanguage(lang)) return undefined;
    const replacement = this.replacementPath(name, lang);
    if (existsSync(replacement)) return replacement;
    const shipped = join(this.shippedDir, lang, `${name}.wav`);
    return existsSync(shipped) ? shipped : undefined;
  }

  /** Every catalogue prompt with a text in the language (or in each language), in catalogue order. */
  list(lang?: PromptLanguage): PromptEntry[] {
    const out: PromptEntry[] = [];
    for (const l of lang === undefined ? LANGUAGES : [lang]) {
      for (const name of Object.keys(PROMPTS)) {
        const text = isPromptName(name) ? promptText(name, l) : undefined;
        if (text === undefined) continue;
        const file = this.path(name, l);
        const replaced = file !== undefined && file === this.replacementPath(name, l);
        out.push({ name, lang: l, text, replaced, durationMs: file ? durationOf(file) : 0 });
      }
    }
    return out;
  }

  /** Validates + converts (importAudio) then writes atomically (tmp + rename); returns the error naming the problem, or ok. */
  replace(name: string, lang: PromptLanguage, bytes: Uint8Array): SaveResult {
    const bad = this.checkPrompt(name, lang);
    if (bad) return { ok: false, error: bad };
    return this.save(this.replacementPath(name, lang), bytes);
  }

  /** Removes the replacement (the shipped prompt plays again). */
  restore(name: string, lang: PromptLanguage): boolean {
    if (this.checkPrompt(name, lang)) return false;
    return this.remove(this.replacementPath(name, lang));
  }

  /** Music on hold: "default" shipped; uploads by name. */
  musicPath(name: string = DEFAULT_MUSIC): string | undefined {
    if (!MUSIC_NAME.test(name)) return undefined;
    const upload = this.uploadedMusicPath(name);
    if (existsSync(upload)) return upload;
    const shipped = join(this.shippedDir, "moh", `${name}.wav`);
    return existsSync(shipped) ? shipped : undefined;
  }

  /** The shipped music and the uploads, by name (an upload named like a shipped track replaces it). */
  listMusic(): MusicEntry[] {
    const names = new Set([
      ...wavNames(join(this.shippedDir, "moh")),
      ...wavNames(join(this.dataDir, "moh")),
    ]);
    const out: MusicEntry[] = [];
    for (const name of [...names].sort()) {
      const file = this.musicPath(name);
      if (file === undefined) continue;
      out.push({ name, shipped: file !== this.uploadedMusicPath(name), durationMs: durationOf(file) });
    }
    return out;
  }

  addMusic(name: string, bytes: Uint8Array): SaveResult {
    if (!MUSIC_NAME.test(name))
      return { ok: false, error: `invalid music name ${JSON.stringify(name)}: use 1-40 of a-z, 0-9 and -` };
    return this.save(this.uploadedMusicPath(name), bytes);
  }

  /** Removes an upload (for "default", the shipped track plays again); false if there was none. */
  removeMusic(name: string): boolean {
    return MUSIC_NAME.test(name) && this.remove(this.uploadedMusicPath(name));
  }

  /** Called after any change (so the media workers drop their cached copy). */
  onChange(listener: (path: string) => void): void {
    this.listeners.push(listener);
  }

  private replacementPath(name: string, lang: PromptLanguage): string {
    return join(this.dataDir, "prompts", lang, `${name}.wav`);
  }

  private uploadedMusicPath(name: string): string {
    return join(this.dataDir, "moh", `${name}.wav`);
  }

  /** Why a prompt name and language cannot be replaced, or undefined if they can. */
  private checkPrompt(name: string, lang: string): string | undefined {
    if (!isPromptLanguage(lang))
      return `unknown prompt language ${JSON.stringify(lang)}: Parley has ${LANGUAGES.join(", ")}`;
    if (!isPromptName(name)) return `unknown prompt ${JSON.stringify(name)}`;
    if (promptText(name, lang) === undefined) return `prompt ${JSON.stringify(name)} has no ${lang} version`;
    return undefined;
  }

  private save(target: string, bytes: Uint8Array): SaveResult {
    const converted = importAudio(bytes);
    if (!converted.ok) return converted;
    const tmp = `${target}.${process.pid}.${++this.tmpCounter}.tmp`;
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(tmp, converted.wav);
      renameSync(tmp, target);
    } catch (error) {
      try {
        unlinkSync(tmp);
      } catch {
        // The temporary file was never made.
      }
      return { ok: false, error: `could not save ${target}: ${(error as Error).message}` };
    }
    this.changed(target);
    return { ok: true, durationMs: converted.durationMs };
  }

  private remove(file: string): boolean {
    try {
      unlinkSync(file);
    } catch {
      return false;
    }
    this.changed(file);
    return true;
  }

  private changed(file: string): void {
    for (const listener of this.listeners) {
      try {
        listener(file);
      } catch {
        // A listener's failure is its own; the file is saved and the other listeners still hear.
      }
    }
  }
}

/** The duration a WAV's header gives, read from its first kilobytes; 0 if unreadable. */
function durationOf(file: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = new Uint8Array(HEADER_BYTES);
    const got = readSync(fd, head, 0, HEADER_BYTES, 0);
    const size = got < HEADER_BYTES ? got : fstatSync(fd).size;
    const info = inspectWav(head.subarray(0, got), size);
    return info.ok ? info.durationMs : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function wavNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".wav"))
      .map((f) => f.slice(0, -4))
      .filter((n) => MUSIC_NAME.test(n));
  } catch {
    return [];
  }
}
