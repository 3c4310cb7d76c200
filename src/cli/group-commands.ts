/**
 * `parley hunt-group list|add|set|remove` and `parley hunt-detection list|add|set|remove`: hunt
 * groups and the hunt group detection table (issue 16), straight in the store like the other
 * commands, with the same settings (--data-dir, --database-url, --config, PARLEY_*) and exit codes
 * (2 with each bad field named, 1 for not found or a conflict). Ringing groups need no command of
 * their own: they are the users' `ringingGroupId` (`parley user set 101 ringingGroupId=7`).
 *
 * A running server reads these tables again within 5 seconds of a change made here.
 */
import type { Command } from "commander";
import {
  type HuntDetection,
  type HuntDetectionPatch,
  type HuntGroup,
  type HuntGroupPatch,
  type HuntNoAnswerAction,
  type HuntStrategy,
  NotFoundError,
} from "../store/index.js";
import { isoTimesReplacer } from "../util/iso-time.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

const SAVED = "parley: saved; a running server applies it within 5 seconds\n";

const groupTable = (groups: HuntGroup[]) =>
  table(
    ["NUMBER", "NAME", "STRATEGY", "RING", "NO ANSWER", "MEMBERS"],
    groups.map((g) => [
      g.number,
      g.name,
      g.strategy,
      `${g.ringTime}s`,
      g.noAnswer === "busy" ? "busy" : `${g.noAnswer} ${g.noAnswerTarget}`,
      g.members.join(","),
    ]),
  );
const detectionTable = (records: HuntDetection[]) =>
  table(
    ["ID", "DIAL PLAN", "CALLED", "GROUP"],
    records.map((d) => [String(d.id), d.dialPlan, d.calledNumber, d.huntGroup]),
  );

interface GroupFlags {
  number?: string;
  name?: string;
  members?: string;
  strategy?: string;
  ringTime?: string;
  unanswered?: string;
  target?: string;
}

function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

/** A detection record's id; anything else is a usage error. */
function parseId(raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw))
    throw new UsageError(`the id must be a positive whole number, not "${raw}"`);
  return Number(raw);
}

/** Digits become a number; anything else is passed on as text so the validation names the field. */
function seconds(raw: string): number {
  return (/^[0-9]{1,4}$/.test(raw) ? Number(raw) : raw) as number;
}

function groupPatch(opts: GroupFlags): HuntGroupPatch {
  return {
    ...(opts.number === undefined ? {} : { number: opts.number }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.members === undefined
      ? {}
      : { members: opts.members === "" ? [] : opts.members.split(",").map((m) => m.trim()) }),
    ...(opts.strategy === undefined ? {} : { strategy: opts.strategy as HuntStrategy }),
    ...(opts.ringTime === undefined ? {} : { ringTime: seconds(opts.ringTime) }),
    ...(opts.unanswered === undefined ? {} : { noAnswer: opts.unanswered as HuntNoAnswerAction }),
    ...(opts.target === undefined ? {} : { noAnswerTarget: opts.target }),
  };
}

/** The options a group takes on add and set. */
function groupOptions(command: Command): Command {
  return (
    command
      .option("--name <text>", "the group's name")
      .option("--members <list>", 'user names in hunting order, comma-separated ("" for none)')
      .option("--strategy <linear|circular|parallel>", "the order members ring in")
      .option("--ring-time <seconds>", "how long each member rings (the whole group, parallel)")
      // Not "--no-answer": commander reads a "--no-" option as the negation of "--answer".
      .option("--unanswered <busy|voicemail|number>", "what happens when nobody answers (noAnswer)")
      .option("--target <user|number>", "voicemail: whose mailbox; number: the number routed")
  );
}

function registerHuntGroupCommands(program: Command): void {
  const group = program.command("hunt-group").description("hunt groups: members rung in order or at once");

  storeCommand(group, "list")
    .description("every hunt group, by number")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) => store.huntGroups.groups(domainId));
        print(items, opts.json, groupTable);
      }),
    );

  groupOptions(storeCommand(group, "add"))
    .description("add a hunt group (its number is unique)")
    .argument("<number>", "the group's own number")
    .action((number: string, opts: StoreOptions & GroupFlags) =>
      run(async () => {
        const created = await withStore(opts, (store, domainId) =>
          store.huntGroups.createGroup(domainId, { ...groupPatch(opts), number }),
        );
        print(created, opts.json, (g) => groupTable([g]));
        process.stderr.write(SAVED);
      }),
    );

  groupOptions(storeCommand(group, "set"))
    .description("change a hunt group")
    .argument("<number>", "the group's number")
    .option("--number <number>", "a new number (its detection records follow)")
    .action((number: string, opts: StoreOptions & GroupFlags) =>
      run(async () => {
        const patch = groupPatch(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
        const changed = await withStore(opts, (store, domainId) =>
          store.huntGroups.updateGroup(domainId, number, patch),
        );
        print(changed, opts.json, (g) => groupTable([g]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(group, "remove")
    .description("remove a hunt group and its detection records")
    .argument("<number>", "the group's number")
    .action((number: string, opts: StoreOptions) =>
      run(async () => {
        const existed = await withStore(opts, (store, domainId) =>
          store.huntGroups.deleteGroup(domainId, number),
        );
        if (!existed) throw new NotFoundError("hunt group", number);
        process.stderr.write(SAVED);
      }),
    );
}

interface DetectionFlags {
  dialPlan?: string;
  called?: string;
  group?: string;
}

function registerHuntDetectionCommands(program: Command): void {
  const detection = program
    .command("hunt-detection")
    .description("hunt group detection: calls to a number (per dial plan) ring a hunt group");

  storeCommand(detection, "list")
    .description("every record, by dial plan then called number")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) => store.huntGroups.detections(domainId));
        print(items, opts.json, detectionTable);
      }),
    );

  storeCommand(detection, "add")
    .description("add a record (one per dial plan and called number)")
    .argument("<called>", "the called number (for a call in on an external line, also the line's number)")
    .argument("<group>", "the hunt group's number")
    .option("--dial-plan <name>", "the callers' dial plan", "default")
    .action((called: string, huntGroup: string, opts: StoreOptions & DetectionFlags) =>
      run(async () => {
        const created = await withStore(opts, (store, domainId) =>
          store.huntGroups.createDetection(domainId, {
            calledNumber: called,
            huntGroup,
            dialPlan: opts.dialPlan ?? "default",
          }),
        );
        print(created, opts.json, (d) => detectionTable([d]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(detection, "set")
    .description("change a record")
    .argument("<id>", "the record's id (see hunt-detection list)")
    .option("--dial-plan <name>", "the callers' dial plan")
    .option("--called <number>", "the called number")
    .option("--group <number>", "the hunt group's number")
    .action((id: string, opts: StoreOptions & DetectionFlags) =>
      run(async () => {
        const patch: HuntDetectionPatch = {
          ...(opts.dialPlan === undefined ? {} : { dialPlan: opts.dialPlan }),
          ...(opts.called === undefined ? {} : { calledNumber: opts.called }),
          ...(opts.group === undefined ? {} : { huntGroup: opts.group }),
        };
        if (Object.keys(patch).length === 0) throw new UsageError("give --dial-plan, --called or --group");
        const changed = await withStore(opts, (store, domainId) =>
          store.huntGroups.updateDetection(domainId, parseId(id), patch),
        );
        print(changed, opts.json, (d) => detectionTable([d]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(detection, "remove")
    .description("remove a record")
    .argument("<id>", "the record's id (see hunt-detection list)")
    .action((id: string, opts: StoreOptions) =>
      run(async () => {
        const existed = await withStore(opts, (store, domainId) =>
          store.huntGroups.deleteDetection(domainId, parseId(id)),
        );
        if (!existed) throw new NotFoundError("hunt group detection", id);
        process.stderr.write(SAVED);
      }),
    );
}

export function registerGroupCommands(program: Command): void {
  registerHuntGroupCommands(program);
  registerHuntDetectionCommands(program);
}
