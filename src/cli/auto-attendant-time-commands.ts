/**
 * `parley auto-attendant time-condition list|show|add|set|remove` and `parley auto-attendant entry
 * list|set|remove` (issue 17): office hours and the entry points (which menu or time condition
 * answers a line, a user flagged auto-attendant, or a number), straight in the store.
 *
 *   parley auto-attendant time-condition add office --zone Asia/Shanghai \
 *     --hours "mon-fri 09:00-18:00" --hours "sat 09:00-12:00" --holiday 10-01 --holiday 2026-10-02 \
 *     --in-hours menu:main --out-of-hours menu:night
 *   parley auto-attendant entry set line 123456 --time-condition office
 */
import type { Command } from "commander";
import {
  type Destination,
  ENTRY_KINDS,
  type EntryKind,
  type NewTimeCondition,
  NotFoundError,
  type OfficeHours,
  type TimeCondition,
  type TimeConditionPatch,
  WEEKDAYS,
  type Weekday,
} from "../store/index.js";
import { collect, parseAction, print, SAVED, showAction } from "./auto-attendant-commands.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

/** "mon-fri 09:00-18:00" or "mon,wed,fri 09:00-12:00" → office hours. */
export function parseHours(raw: string): OfficeHours {
  const m = /^\s*(\S+)\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})\s*$/.exec(raw);
  if (m === null)
    throw new UsageError(`--hours "${raw}" is not "DAYS HH:MM-HH:MM", e.g. "mon-fri 09:00-18:00"`);
  const days: Weekday[] = [];
  for (const part of m[1]!.toLowerCase().split(",")) {
    const [from, to] = part.split("-") as [string, string | undefined];
    const a = WEEKDAYS.indexOf(from as Weekday);
    const b = to === undefined ? a : WEEKDAYS.indexOf(to as Weekday);
    if (a < 0 || b < 0 || b < a)
      throw new UsageError(`"${part}" is not a day or days (${WEEKDAYS.join(", ")})`);
    for (let i = a; i <= b; i++) if (!days.includes(WEEKDAYS[i]!)) days.push(WEEKDAYS[i]!);
  }
  const pad = (t: string) => t.padStart(5, "0");
  return { days, from: pad(m[2]!), to: pad(m[3]!) };
}

const showHours = (h: OfficeHours) => `${h.days.join(",")} ${h.from}-${h.to}`;

const conditionTable = (items: TimeCondition[]) =>
  table(
    ["NAME", "ZONE", "HOURS", "HOLIDAYS", "IN HOURS", "OUT OF HOURS", "HOLIDAY"],
    items.map((t) => [
      t.name,
      t.timeZone,
      t.schedule.map(showHours).join("; "),
      t.holidays.join(","),
      showAction(t.inHours),
      showAction(t.outOfHours),
      t.holiday === null ? "(out of hours)" : showAction(t.holiday),
    ]),
  );

interface ConditionFlags {
  zone?: string;
  hours: string[];
  holiday: string[];
  /** false with --no-holidays (commander's negation). */
  holidays?: boolean;
  inHours?: string;
  outOfHours?: string;
  onHoliday?: string;
}

function conditionPatch(opts: ConditionFlags): TimeConditionPatch {
  const patch: TimeConditionPatch = {};
  if (opts.zone !== undefined) patch.timeZone = opts.zone;
  if (opts.hours.length > 0) patch.schedule = opts.hours.map(parseHours);
  if (opts.holiday.length > 0)
    patch.holidays = opts.holiday.flatMap((h) => h.split(",").map((d) => d.trim()));
  if (opts.holidays === false) patch.holidays = [];
  if (opts.inHours !== undefined) patch.inHours = parseAction(opts.inHours) as Destination;
  if (opts.outOfHours !== undefined) patch.outOfHours = parseAction(opts.outOfHours) as Destination;
  if (opts.onHoliday !== undefined)
    patch.holiday = opts.onHoliday === "" ? null : (parseAction(opts.onHoliday) as Destination);
  return patch;
}

function conditionOptions(command: Command): Command {
  return command
    .option("--zone <iana>", "the time zone, e.g. Europe/Paris (default UTC)")
    .option("--hours <days times>", 'office hours, e.g. "mon-fri 09:00-18:00" (repeatable)', collect, [])
    .option("--holiday <date>", "a closed day: YYYY-MM-DD, or MM-DD every year (repeatable)", collect, [])
    .option("--no-holidays", "no holidays")
    .option(
      "--in-hours <kind:target>",
      "what answers in office hours: menu:main, user:101, number:..., group:600, voicemail:101, hangup",
    )
    .option("--out-of-hours <kind:target>", "what answers out of hours")
    .option("--on-holiday <kind:target>", 'what answers on a holiday ("" = as out of hours)');
}

const entryTable = (items: Array<{ kind: string; key: string; menu: string; timeCondition: string }>) =>
  table(
    ["KIND", "KEY", "ANSWERED BY"],
    items.map((e) => [e.kind, e.key, e.menu !== "" ? `menu ${e.menu}` : `time condition ${e.timeCondition}`]),
  );

function entryKind(kind: string): EntryKind {
  if (!(ENTRY_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`the kind is one of ${ENTRY_KINDS.join(", ")}, not "${kind}"`);
  return kind as EntryKind;
}

export function registerAutoAttendantTimeCommands(parent: Command): void {
  const condition = parent
    .command("time-condition")
    .description("office hours: which menu or destination answers in hours, out of hours, on holidays");

  storeCommand(condition, "list")
    .description("every time condition, by name")
    .action((opts: StoreOptions) =>
      run(async () => {
        print(await withStore(opts, (s, d) => s.autoAttendant.timeConditions(d)), opts.json, conditionTable);
      }),
    );

  conditionOptions(storeCommand(condition, "add"))
    .description("add a time condition (--in-hours and --out-of-hours are required)")
    .argument("<name>", "the time condition's name")
    .action((name: string, opts: StoreOptions & ConditionFlags) =>
      run(async () => {
        const patch = conditionPatch(opts);
        if (patch.inHours === undefined || patch.outOfHours === undefined)
          throw new UsageError("give --in-hours and --out-of-hours");
        const created = await withStore(opts, (s, d) =>
          s.autoAttendant.createTimeCondition(d, { ...patch, name } as NewTimeCondition),
        );
        print(created, opts.json, (t) => conditionTable([t]));
        process.stderr.write(SAVED);
      }),
    );

  conditionOptions(storeCommand(condition, "set"))
    .description("change a time condition (--hours and --holiday replace the lists)")
    .argument("<name>", "the time condition's name")
    .action((name: string, opts: StoreOptions & ConditionFlags) =>
      run(async () => {
        const patch = conditionPatch(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
        const changed = await withStore(opts, (s, d) => s.autoAttendant.updateTimeCondition(d, name, patch));
        print(changed, opts.json, (t) => conditionTable([t]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(condition, "remove")
    .description("remove a time condition (not one an entry point names)")
    .argument("<name>", "the time condition's name")
    .action((name: string, opts: StoreOptions) =>
      run(async () => {
        if (!(await withStore(opts, (s, d) => s.autoAttendant.deleteTimeCondition(d, name))))
          throw new NotFoundError("time condition", name);
        process.stderr.write(SAVED);
      }),
    );

  const entry = parent
    .command("entry")
    .description("entry points: the menu or time condition answering a line, a user, a number");

  storeCommand(entry, "list")
    .description("every entry point (a line or user without one gets the default menu)")
    .action((opts: StoreOptions) =>
      run(async () => {
        print(await withStore(opts, (s, d) => s.autoAttendant.entries(d)), opts.json, entryTable);
      }),
    );

  storeCommand(entry, "set")
    .description("set an entry point: exactly one of --menu and --time-condition")
    .argument("<kind>", `${ENTRY_KINDS.join(", ")}`)
    .argument("<key>", "the line's account, the user's name, or the number")
    .option("--menu <name>", "the menu that answers")
    .option("--time-condition <name>", "the time condition that chooses")
    .action((kind: string, key: string, opts: StoreOptions & { menu?: string; timeCondition?: string }) =>
      run(async () => {
        const set = await withStore(opts, (s, d) =>
          s.autoAttendant.setEntry(d, {
            kind: entryKind(kind),
            key,
            menu: opts.menu ?? "",
            timeCondition: opts.timeCondition ?? "",
          }),
        );
        print(set, opts.json, (e) => entryTable([e]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(entry, "remove")
    .description("remove an entry point")
    .argument("<kind>", `${ENTRY_KINDS.join(", ")}`)
    .argument("<key>", "the line's account, the user's name, or the number")
    .action((kind: string, key: string, opts: StoreOptions) =>
      run(async () => {
        if (!(await withStore(opts, (s, d) => s.autoAttendant.deleteEntry(d, entryKind(kind), key))))
          throw new NotFoundError("auto-attendant entry", `${kind} ${key}`);
        process.stderr.write(SAVED);
      }),
    );
}
