/**
 * `parley auto-attendant menu list|show|add|set|remove`, `parley auto-attendant greeting
 * upload|remove` (issue 17): the auto-attendant's menus and their uploaded greetings, straight in
 * the store and the data directory like the other commands, with the same settings (--data-dir,
 * --database-url, --config, PARLEY_*) and exit codes (2 with each bad field named, 1 for not
 * found or a conflict). Time conditions and entry points: auto-attendant-time-commands.ts.
 *
 *   parley auto-attendant menu add main --greeting company-greeting,enter-extension-or-operator \
 *     --key 1=user:101 --key 2=group:600 --key 9=menu:sales --key 0=operator --operator 100
 *
 * A running server reads the menus at each call: a change applies to the next one.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { isPromptLanguage, isPromptName, LANGUAGES } from "../media/prompts/catalogue.js";
import { MenuGreetings } from "../services/auto-attendant/greetings.js";
import {
  type AutoAttendantMenu,
  MENU_KEYS,
  type MenuAction,
  type MenuKey,
  type MenuPatch,
  NotFoundError,
  ValidationError,
} from "../store/index.js";
import { isoTimesReplacer } from "../util/iso-time.js";
import { registerAutoAttendantTimeCommands } from "./auto-attendant-time-commands.js";
import {
  run,
  type StoreOptions,
  storeCommand,
  storeSettings,
  table,
  UsageError,
  withStore,
} from "./user-commands.js";

export const SAVED = "parley: saved; a running server applies it to the next call\n";

export function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** "user:101" → { kind: "user", target: "101" }; "repeat" → { kind: "repeat", target: "" }. */
export function parseAction(raw: string): MenuAction {
  const colon = raw.indexOf(":");
  const kind = (colon < 0 ? raw : raw.slice(0, colon)).trim();
  const target = colon < 0 ? "" : raw.slice(colon + 1).trim();
  return { kind, target } as MenuAction;
}

export function showAction(a: MenuAction | undefined): string {
  if (a === undefined) return "";
  return a.target === "" ? a.kind : `${a.kind}:${a.target}`;
}

/** Whole seconds from digits; anything else is passed on as text so the validation names the field. */
const integer = (raw: string): number => (/^[0-9]{1,4}$/.test(raw) ? Number(raw) : raw) as number;

const menuTable = (menus: AutoAttendantMenu[]) =>
  table(
    ["NAME", "GREETING", "KEYS", "DIRECT", "TIMEOUTS", "TRIES", "ON TIMEOUT", "ON INVALID"],
    menus.map((m) => [
      m.name,
      m.greeting.join(","),
      MENU_KEYS.filter((k) => m.keys[k] !== undefined)
        .map((k) => `${k}=${showAction(m.keys[k])}`)
        .join(" "),
      m.directDial ? "yes" : "no",
      `${m.firstDigitTimeout}s/${m.interDigitTimeout}s`,
      String(m.tries),
      showAction(m.timeoutAction),
      showAction(m.invalidAction),
    ]),
  );

interface MenuFlags {
  description?: string;
  greeting?: string;
  key: string[];
  directDial?: string;
  firstDigitTimeout?: string;
  interDigitTimeout?: string;
  maxDigits?: string;
  tries?: string;
  onTimeout?: string;
  onInvalid?: string;
  operator?: string;
}

/** The flags as a patch; `keys` are merged into the menu's current ones (`--key 1=` removes key 1). */
function menuPatch(opts: MenuFlags, current: AutoAttendantMenu["keys"] = {}): MenuPatch {
  const patch: MenuPatch = {};
  if (opts.description !== undefined) patch.description = opts.description;
  if (opts.greeting !== undefined) {
    const greeting = opts.greeting === "" ? [] : opts.greeting.split(",").map((p) => p.trim());
    const unknown = greeting.flatMap((p, i) =>
      isPromptName(p) ? [] : [{ field: `greeting[${i}]`, message: `no prompt is named "${p}"` }],
    );
    if (unknown.length > 0) throw new ValidationError(unknown);
    patch.greeting = greeting;
  }
  if (opts.key.length > 0) {
    const keys = { ...current };
    for (const assignment of opts.key) {
      const eq = assignment.indexOf("=");
      if (eq <= 0) throw new UsageError(`--key "${assignment}" is not key=kind[:target], e.g. 1=user:101`);
      const key = assignment.slice(0, eq).trim() as MenuKey;
      const action = assignment.slice(eq + 1).trim();
      if (action === "") delete keys[key];
      else keys[key] = parseAction(action);
    }
    patch.keys = keys;
  }
  if (opts.directDial !== undefined) {
    if (!["on", "off", "true", "false"].includes(opts.directDial))
      throw new UsageError(`--direct-dial is on or off, not "${opts.directDial}"`);
    patch.directDial = opts.directDial === "on" || opts.directDial === "true";
  }
  if (opts.firstDigitTimeout !== undefined) patch.firstDigitTimeout = integer(opts.firstDigitTimeout);
  if (opts.interDigitTimeout !== undefined) patch.interDigitTimeout = integer(opts.interDigitTimeout);
  if (opts.maxDigits !== undefined) patch.maxDigits = integer(opts.maxDigits);
  if (opts.tries !== undefined) patch.tries = integer(opts.tries);
  if (opts.onTimeout !== undefined) patch.timeoutAction = parseAction(opts.onTimeout);
  if (opts.onInvalid !== undefined) patch.invalidAction = parseAction(opts.onInvalid);
  if (opts.operator !== undefined) patch.operator = opts.operator;
  return patch;
}

function menuOptions(command: Command): Command {
  return command
    .option("--description <text>", "what the menu is for")
    .option("--greeting <prompts>", "system prompts played in turn, comma-separated (catalogue names)")
    .option(
      "--key <key=kind[:target]>",
      "a key's action: user:101, number:0123, group:600, menu:sales, voicemail:101, repeat, back, operator, hangup; 1= removes (repeatable)",
      collect,
      [],
    )
    .option("--direct-dial <on|off>", "an extension may be dialled at any time")
    .option("--first-digit-timeout <seconds>", "wait for the first key")
    .option("--inter-digit-timeout <seconds>", "wait for each next digit of an extension")
    .option("--max-digits <n>", "the longest extension dialled")
    .option("--tries <n>", "timeouts and invalid entries tolerated before their action")
    .option("--on-timeout <kind[:target]>", "after the last timeout (default hangup)")
    .option("--on-invalid <kind[:target]>", "after the last invalid entry (default hangup)")
    .option("--operator <number>", "the number the operator action routes");
}

function registerMenuCommands(parent: Command): void {
  const menu = parent.command("menu").description("menus: a greeting and an action per key");

  storeCommand(menu, "list")
    .description("every menu, by name")
    .action((opts: StoreOptions) =>
      run(async () => {
        print(await withStore(opts, (s, d) => s.autoAttendant.menus(d)), opts.json, menuTable);
      }),
    );

  storeCommand(menu, "show")
    .description("one menu")
    .argument("<name>", "the menu's name")
    .action((name: string, opts: StoreOptions) =>
      run(async () => {
        const found = await withStore(opts, (s, d) => s.autoAttendant.menu(d, name));
        if (found === undefined) throw new NotFoundError("auto-attendant menu", name);
        print(found, opts.json, (m) => menuTable([m]));
      }),
    );

  menuOptions(storeCommand(menu, "add"))
    .description("add a menu (its name is unique)")
    .argument("<name>", "the menu's name")
    .action((name: string, opts: StoreOptions & MenuFlags) =>
      run(async () => {
        const patch = menuPatch(opts);
        const created = await withStore(opts, (s, d) => s.autoAttendant.createMenu(d, { ...patch, name }));
        print(created, opts.json, (m) => menuTable([m]));
        process.stderr.write(SAVED);
      }),
    );

  menuOptions(storeCommand(menu, "set"))
    .description("change a menu")
    .argument("<name>", "the menu's name")
    .option("--name <name>", "a new name")
    .action((name: string, opts: StoreOptions & MenuFlags & { name?: string }) =>
      run(async () => {
        const changed = await withStore(opts, async (s, d) => {
          const current = await s.autoAttendant.menu(d, name);
          if (current === undefined) throw new NotFoundError("auto-attendant menu", name);
          const patch = {
            ...menuPatch(opts, current.keys),
            ...(opts.name === undefined ? {} : { name: opts.name }),
          };
          if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
          return s.autoAttendant.updateMenu(d, name, patch);
        });
        print(changed, opts.json, (m) => menuTable([m]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(menu, "remove")
    .description("remove a menu and its greetings (not the default menu, nor one something names)")
    .argument("<name>", "the menu's name")
    .action((name: string, opts: StoreOptions) =>
      run(async () => {
        if (!(await withStore(opts, (s, d) => s.autoAttendant.deleteMenu(d, name))))
          throw new NotFoundError("auto-attendant menu", name);
        new MenuGreetings(storeSettings(opts).dataDir).remove(name);
        process.stderr.write(SAVED);
      }),
    );
}

function language(lang: string) {
  if (!isPromptLanguage(lang))
    throw new UsageError(`the language is one of ${LANGUAGES.join(", ")}, not "${lang}"`);
  return lang;
}

function registerGreetingCommands(parent: Command): void {
  const greeting = parent
    .command("greeting")
    .description("a menu's uploaded greeting, one per language: it plays instead of the prompts");

  storeCommand(greeting, "upload")
    .description("upload a WAV (converted to 8 kHz) as a menu's greeting in a language")
    .argument("<menu>", "the menu's name")
    .argument("<lang>", `the language: ${LANGUAGES.join(", ")}`)
    .argument("<file>", "the WAV file")
    .action((menu: string, lang: string, file: string, opts: StoreOptions) =>
      run(async () => {
        const l = language(lang);
        if ((await withStore(opts, (s, d) => s.autoAttendant.menu(d, menu))) === undefined)
          throw new NotFoundError("auto-attendant menu", menu);
        const saved = new MenuGreetings(storeSettings(opts).dataDir).save(menu, l, readFileSync(file));
        if (!saved.ok) throw new UsageError(saved.error);
        process.stdout.write(`${menu} ${l}: ${(saved.durationMs / 1000).toFixed(1)} s\n`);
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(greeting, "remove")
    .description("remove a menu's greeting in a language: its prompts play again")
    .argument("<menu>", "the menu's name")
    .argument("<lang>", `the language: ${LANGUAGES.join(", ")}`)
    .action((menu: string, lang: string, opts: StoreOptions) =>
      run(async () => {
        if (!new MenuGreetings(storeSettings(opts).dataDir).remove(menu, language(lang)))
          throw new NotFoundError("auto-attendant greeting", `${menu} ${lang}`);
        process.stderr.write(SAVED);
      }),
    );
}

export function registerAutoAttendantCommands(program: Command): void {
  const attendant = program
    .command("auto-attendant")
    .description("the auto-attendant: menus, greetings, office hours and entry points");
  registerMenuCommands(attendant);
  registerGreetingCommands(attendant);
  registerAutoAttendantTimeCommands(attendant);
}
