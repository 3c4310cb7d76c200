/**
 * `parley emergency list|add|set|remove`: the emergency numbers table (issue 23), straight in the
 * store like the user commands, with the same settings and exit codes (2 with each bad field
 * named, 1 for not found or a conflict). An emergency number is dialled by any local user, with or
 * without the out-group prefix, whatever its call right and the black list; it leaves on its line
 * first, then on the lines the out-group prefix takes. No local extension may take one.
 *
 * NOTE: a running server reads the table again within seconds (its routing cache's age), so a
 * change made here applies without a restart.
 */
import type { Command } from "commander";
import {
  type EmergencyNumberPatch,
  type EmergencyNumberRecord,
  EmergencyNumberRepository,
} from "../store/emergency-repository.js";
import { NotFoundError } from "../store/index.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

interface Flags {
  line?: string;
  description?: string;
}

function print(records: EmergencyNumberRecord[], json: boolean | undefined): void {
  if (json) {
    const items = records.map((r) => ({
      ...r,
      createdAt: new Date(r.createdAt).toISOString(),
      updatedAt: new Date(r.updatedAt).toISOString(),
    }));
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  const rows = records.map((r) => [r.number, r.line === "" ? "-" : r.line, r.description]);
  process.stdout.write(`${table(["NUMBER", "LINE", "DESCRIPTION"], rows)}\n`);
}

function patchOf(opts: Flags): EmergencyNumberPatch {
  return {
    ...(opts.line === undefined ? {} : { line: opts.line }),
    ...(opts.description === undefined ? {} : { description: opts.description }),
  };
}

export function registerEmergencyCommands(program: Command): void {
  const emergency = program
    .command("emergency")
    .description(
      "emergency numbers: dialled by any local user (with or without the out-group prefix), never blocked",
    );

  storeCommand(emergency, "list")
    .description("every emergency number, by number")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) =>
          new EmergencyNumberRepository(store.db).list(domainId),
        );
        print(items, opts.json);
      }),
    );

  storeCommand(emergency, "add")
    .description("add an emergency number (refused when a local extension has it)")
    .argument("<number>", "digits, *, #, + (e.g. 112)")
    .option("--line <account>", "the external line the call leaves on first (default: the normal routing)")
    .option("--description <text>", 'what it reaches, e.g. "police"')
    .action((number: string, opts: StoreOptions & Flags) =>
      run(async () => {
        const created = await withStore(opts, (store, domainId) =>
          new EmergencyNumberRepository(store.db).create(domainId, { number, ...patchOf(opts) }),
        );
        print([created], opts.json);
      }),
    );

  storeCommand(emergency, "set")
    .description("change an emergency number's line or description")
    .argument("<number>", "the emergency number")
    .option("--line <account>", 'the external line the call leaves on first ("" = the normal routing)')
    .option("--description <text>", "what it reaches")
    .action((number: string, opts: StoreOptions & Flags) =>
      run(async () => {
        const patch = patchOf(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give --line or --description");
        const changed = await withStore(opts, (store, domainId) =>
          new EmergencyNumberRepository(store.db).update(domainId, number, patch),
        );
        print([changed], opts.json);
      }),
    );

  storeCommand(emergency, "remove")
    .description("remove an emergency number")
    .argument("<number>", "the emergency number")
    .action((number: string, opts: StoreOptions) =>
      run(async () => {
        const removed = await withStore(opts, (store, domainId) =>
          new EmergencyNumberRepository(store.db).delete(domainId, number),
        );
        if (!removed) throw new NotFoundError("emergency number", number);
        if (opts.json) process.stdout.write(`${JSON.stringify({ removed: number })}\n`);
        else process.stdout.write(`emergency number ${number} removed\n`);
      }),
    );
}
