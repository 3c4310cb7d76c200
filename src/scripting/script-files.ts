/**
 * Service scripts on disk (issue 18): `<dataDir>/scripts/<name>.lua`, "listed, edited and
 * validated (syntax checked on save) ... and reload without restart". A script is kept in memory
 * once read, and read again after a save, a delete or a change fs.watch reports, so a saved edit
 * applies to the next run; a run already going keeps the text it started with. A save is
 * compiled first (nothing runs) and refused with the line of its syntax error; it replaces the
 * file atomically (write, then rename), so a run never reads half a script.
 *
 * Names are `[a-z0-9_-]{1,64}`: no dots or slashes, so no `../` and no path outside the folder.
 */
import { type FSWatcher, mkdirSync, watch } from "node:fs";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LuaVmHost } from "./lua-vm-host.js";
import { checkSyntax, type ScriptSource } from "./script-runner.js";

export const SCRIPT_NAME = /^[a-z0-9_-]{1,64}$/;
export const MAX_SCRIPT_BYTES = 256 * 1024;

export interface ScriptInfo {
  name: string;
  bytes: number;
  /** Milliseconds since the epoch. */
  modifiedAt: number;
}

export type ScriptFileErrorCode = "invalid-name" | "too-large" | "syntax" | "io";

export interface ScriptFileError {
  code: ScriptFileErrorCode;
  message: string;
  /** For a syntax error: the line it is on. */
  line?: number;
}

export type ScriptSaved = { ok: true } | { ok: false; error: ScriptFileError };

/** Thrown by read() and remove() for a name that could never be a script's. */
export class ScriptNameError extends Error {
  readonly code = "invalid-name";
}

export function isScriptName(name: string): boolean {
  return SCRIPT_NAME.test(name);
}

export class ScriptFiles {
  /** `<dataDir>/scripts`. */
  readonly dir: string;
  readonly #cache = new Map<string, Promise<ScriptSource | undefined>>();
  #watcher: FSWatcher | undefined;
  #watchFailed = false;

  constructor(
    dataDir: string,
    private readonly host: LuaVmHost,
  ) {
    this.dir = join(dataDir, "scripts");
  }

  /** The scripts in the folder, by name; files with other names are not scripts and are left out. */
  async list(): Promise<ScriptInfo[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const out: ScriptInfo[] = [];
    for (const file of files.sort()) {
      const name = file.endsWith(".lua") ? file.slice(0, -4) : "";
      if (!isScriptName(name)) continue;
      try {
        const s = await stat(join(this.dir, file));
        if (s.isFile()) out.push({ name, bytes: s.size, modifiedAt: s.mtimeMs });
      } catch {
        // removed between readdir and stat
      }
    }
    return out;
  }

  /**
   * The script as it is on disk now, or undefined if there is none by that name. Kept in memory
   * once read (a call must not wait for the disk): save() and remove() drop the copy, and so does
   * a change to the folder seen by fs.watch (an edit by hand, another process).
   */
  read(name: string): Promise<ScriptSource | undefined> {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    let path: string;
    try {
      path = this.#path(name);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#watch();
    const reading = readFile(path, "utf8").then(
      (source): ScriptSource => ({ name, source }),
      (error: NodeJS.ErrnoException) => {
        this.#cache.delete(name);
        if (error.code === "ENOENT") return undefined;
        throw error;
      },
    );
    // Without a watch on the folder, nothing would tell of an edit by hand: read every time.
    if (this.#watcher !== undefined) this.#cache.set(name, reading);
    return reading;
  }

  /** Drops the in-memory copy of one script, or of all. */
  forget(name?: string): void {
    if (name === undefined) this.#cache.clear();
    else this.#cache.delete(name);
  }

  /** Stops watching the folder (at shutdown). */
  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#cache.clear();
  }

  #watch(): void {
    if (this.#watcher !== undefined || this.#watchFailed) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      this.#watcher = watch(this.dir, { persistent: false }, (_event, file) => {
        const changed = typeof file === "string" && file.endsWith(".lua") ? file.slice(0, -4) : undefined;
        this.forget(changed);
      });
      this.#watcher.on("error", () => {
        this.#watcher?.close();
        this.#watcher = undefined;
        this.#watchFailed = true;
        this.#cache.clear();
      });
    } catch {
      this.#watchFailed = true;
    }
  }

  /** What save() would say, without writing: the name, the size and the syntax (the API's check). */
  async check(name: string, source: string): Promise<ScriptSaved> {
    if (!isScriptName(name))
      return { ok: false, error: { code: "invalid-name", message: nameMessage(name) } };
    const bytes = Buffer.byteLength(source, "utf8");
    if (bytes > MAX_SCRIPT_BYTES) {
      const message = `the script is ${bytes} bytes, over the limit of ${MAX_SCRIPT_BYTES}`;
      return { ok: false, error: { code: "too-large", message } };
    }
    const syntax = await checkSyntax(this.host, name, source);
    if (syntax) {
      const located = syntax.line === undefined ? {} : { line: syntax.line };
      return { ok: false, error: { code: "syntax", message: syntax.message, ...located } };
    }
    return { ok: true };
  }

  /** Checks the syntax, then writes the script; a refused save leaves the old text in place. */
  async save(name: string, source: string): Promise<ScriptSaved> {
    const checked = await this.check(name, source);
    if (!checked.ok) return checked;
    const target = this.#path(name);
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, source, "utf8");
      await rename(tmp, target);
      this.forget(name);
    } catch (error) {
      await unlink(tmp).catch(() => {});
      return {
        ok: false,
        error: { code: "io", message: `could not save ${name}.lua: ${(error as Error).message}` },
      };
    }
    return { ok: true };
  }

  /** Deletes the script; whether there was one. */
  async remove(name: string): Promise<boolean> {
    try {
      await unlink(this.#path(name));
      this.forget(name);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  #path(name: string): string {
    if (!isScriptName(name)) throw new ScriptNameError(nameMessage(name));
    return join(this.dir, `${name}.lua`);
  }
}

function nameMessage(name: string): string {
  return `invalid script name ${JSON.stringify(name.slice(0, 80))}: use 1 to 64 of a-z, 0-9, _ and -`;
}
