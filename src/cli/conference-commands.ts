/**
 * `parley conference-rooms list|add|set|delete`: the configured conference rooms (issue 17),
 * straight in the store like the other commands, with the same settings (--data-dir,
 * --database-url, --config, PARLEY_*) and exit codes (2 with each bad field named, 1 for not found
 * or a conflict). Who is in a room now is the running server's: GET /api/v1/conference-rooms/live.
 *
 * A running server reads the rooms again within 5 seconds of a change made here.
 */
import type { Command } from "commander";
import { type ConferenceRoom, type ConferenceRoomPatch, NotFoundError } from "../store/index.js";
import { isoTimesReplacer } from "../util/iso-time.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

const SAVED = "parley: saved; a running server applies it within 5 seconds\n";

const roomTable = (rooms: ConferenceRoom[]) =>
  table(
    ["NUMBER", "NAME", "PIN", "MAX", "MODERATOR PIN", "WAIT", "LOCKED"],
    rooms.map((r) => [
      r.number,
      r.name,
      r.pin === "" ? "-" : r.pin,
      String(r.maxMembers),
      r.moderatorPin === "" ? "-" : r.moderatorPin,
      r.waitForModerator ? "yes" : "no",
      r.locked ? "yes" : "no",
    ]),
  );

interface RoomFlags {
  number?: string;
  name?: string;
  pin?: string;
  maxMembers?: string;
  moderatorPin?: string;
  waitForModerator?: string;
  locked?: string;
}

function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

/** yes/no/true/false; anything else is a usage error naming the option. */
function flag(option: string, raw: string): boolean {
  if (/^(yes|true|on|1)$/i.test(raw)) return true;
  if (/^(no|false|off|0)$/i.test(raw)) return false;
  throw new UsageError(`${option} must be yes or no, not "${raw}"`);
}

function roomPatch(opts: RoomFlags): ConferenceRoomPatch {
  return {
    ...(opts.number === undefined ? {} : { number: opts.number }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.pin === undefined ? {} : { pin: opts.pin }),
    // Digits become a number; anything else is passed on so the validation names the field.
    ...(opts.maxMembers === undefined
      ? {}
      : {
          maxMembers: (/^[0-9]{1,4}$/.test(opts.maxMembers)
            ? Number(opts.maxMembers)
            : opts.maxMembers) as number,
        }),
    ...(opts.moderatorPin === undefined ? {} : { moderatorPin: opts.moderatorPin }),
    ...(opts.waitForModerator === undefined
      ? {}
      : { waitForModerator: flag("--wait-for-moderator", opts.waitForModerator) }),
    ...(opts.locked === undefined ? {} : { locked: flag("--locked", opts.locked) }),
  };
}

/** The options a room takes on add and set. */
function roomOptions(command: Command): Command {
  return command
    .option("--name <text>", "the room's name")
    .option("--pin <digits>", 'the PIN callers enter to join ("" for none)')
    .option("--max-members <n>", "at most this many members at once (1-100; default 5)")
    .option("--moderator-pin <digits>", 'the PIN that joins as the moderator ("" for none)')
    .option("--wait-for-moderator <yes|no>", "members hear music until the moderator is in")
    .option("--locked <yes|no>", "nobody new may join");
}

export function registerConferenceCommands(program: Command): void {
  const rooms = program
    .command("conference-rooms")
    .description(
      "conference rooms: a caller joins by dialling *6*room# (or *6*room*PIN#) or the room's number",
    );

  storeCommand(rooms, "list")
    .description("every configured room, by number")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) => store.conferenceRooms.rooms(domainId));
        print(items, opts.json, roomTable);
      }),
    );

  roomOptions(storeCommand(rooms, "add"))
    .description("add a room (its number is unique and not a user's or a hunt group's)")
    .argument("<number>", "the room's number, 1-10 digits")
    .action((number: string, opts: StoreOptions & RoomFlags) =>
      run(async () => {
        const created = await withStore(opts, (store, domainId) =>
          store.conferenceRooms.create(domainId, { ...roomPatch(opts), number }),
        );
        print(created, opts.json, (r) => roomTable([r]));
        process.stderr.write(SAVED);
      }),
    );

  roomOptions(storeCommand(rooms, "set"))
    .description("change a room (for the next caller; members in it stay)")
    .argument("<number>", "the room's number")
    .option("--number <number>", "a new number")
    .action((number: string, opts: StoreOptions & RoomFlags) =>
      run(async () => {
        const patch = roomPatch(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
        const changed = await withStore(opts, (store, domainId) =>
          store.conferenceRooms.update(domainId, number, patch),
        );
        print(changed, opts.json, (r) => roomTable([r]));
        process.stderr.write(SAVED);
      }),
    );

  storeCommand(rooms, "delete")
    .description("remove a room (members in it stay until they hang up)")
    .argument("<number>", "the room's number")
    .action((number: string, opts: StoreOptions) =>
      run(async () => {
        const existed = await withStore(opts, (store, domainId) =>
          store.conferenceRooms.delete(domainId, number),
        );
        if (!existed) throw new NotFoundError("conference room", number);
        process.stderr.write(SAVED);
      }),
    );
}
