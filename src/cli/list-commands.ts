/**
 * `parley call-list list|add|set|remove|response` and `parley ip-list list|add|set|remove`: the
 * black and white list and the IP black and white list (issue 16), straight in the store like the
 * user commands, with the same settings (--data-dir, --database-url, --config, PARLEY_*) and exit
 * codes (2 with each bad field named, 1 for not found or a conflict).
 *
 * NOTE: another process's memory is not reached from here. A running server applies a change made
 * here at its next start; the web UI and the API apply changes at once.
 */
import type { Command } from "commander";
import { CallLists } from "../services/call-lists/call-lists.js";
import {
  type CallListKind,
  type CallListPatch,
  type CallListRecord,
  type IpListEntry,
  type IpListKind,
  type IpListPatch,
  NotFoundError,
  type Store,
} from "../store/index.js";
import { isoTimesReplacer } from "../util/iso-time.js";
import { silentLogger } from "../util/logger.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

const NEXT_START =
  "parley: saved; a running server applies it at its next start (the web UI and the API apply changes at once)\n";

function callLists(store: Store): CallLists {
  return new CallLists({ repository: store.lists, settings: store.systemSettings, logger: silentLogger() });
}

/** A record id from the command line; anything else is a usage error. */
function parseId(raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw))
    throw new UsageError(`the id must be a positive whole number, not "${raw}"`);
  return Number(raw);
}

/** Digits become a number; anything else is passed on as text so the validation names the field. */
function parseRate(raw: string): number {
  return (/^[0-9]{1,3}$/.test(raw) ? Number(raw) : raw) as number;
}

function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

const recordRow = (r: CallListRecord) => [
  String(r.id),
  r.callerPrefix,
  r.calledPrefix,
  r.kind,
  String(r.rate),
];
const recordTable = (records: CallListRecord[]) =>
  table(["ID", "CALLER", "CALLED", "KIND", "RATE"], records.map(recordRow));
const entryRow = (e: IpListEntry) => [String(e.id), e.address, e.kind];
const entryTable = (entries: IpListEntry[]) => table(["ID", "ADDRESS", "KIND"], entries.map(entryRow));

interface RecordFlags {
  caller?: string;
  called?: string;
  kind?: string;
  rate?: string;
}

function recordPatch(opts: RecordFlags): CallListPatch {
  return {
    ...(opts.caller === undefined ? {} : { callerPrefix: opts.caller }),
    ...(opts.called === undefined ? {} : { calledPrefix: opts.called }),
    ...(opts.kind === undefined ? {} : { kind: opts.kind as CallListKind }),
    ...(opts.rate === undefined ? {} : { rate: parseRate(opts.rate) }),
  };
}

function registerCallListCommands(program: Command): void {
  const list = program
    .command("call-list")
    .description("the black and white list: calls blocked or let through by caller and called prefix");

  storeCommand(list, "list")
    .description("every record, by caller prefix then called prefix")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) => store.lists.callRecords(domainId));
        print(items, opts.json, recordTable);
      }),
    );

  storeCommand(list, "add")
    .description("add a record (one per caller and called prefix pair)")
    .argument("<caller>", 'caller prefix: digits, "*" (any) or "anonymous" (withheld callers)')
    .argument("<called>", 'called prefix: digits or "*" (any)')
    .option("--kind <black|white>", "black blocks, white lets through", "black")
    .option("--rate <0-100>", "black: the percentage of matching calls blocked", "100")
    .action((caller: string, called: string, opts: StoreOptions & RecordFlags) =>
      run(async () => {
        const input = { callerPrefix: caller, calledPrefix: called, kind: opts.kind as CallListKind };
        const created = await withStore(opts, (store, domainId) =>
          callLists(store).create(domainId, { ...input, rate: parseRate(opts.rate ?? "100") }),
        );
        print(created, opts.json, (r) => recordTable([r]));
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(list, "set")
    .description("change a record's prefixes, kind or rate")
    .argument("<id>", "the record's id (see call-list list)")
    .option("--caller <prefix>", "caller prefix")
    .option("--called <prefix>", "called prefix")
    .option("--kind <black|white>", "black or white")
    .option("--rate <0-100>", "the percentage of matching calls blocked")
    .action((id: string, opts: StoreOptions & RecordFlags) =>
      run(async () => {
        const patch = recordPatch(opts);
        if (Object.keys(patch).length === 0)
          throw new UsageError("give --caller, --called, --kind or --rate");
        const changed = await withStore(opts, (store, domainId) =>
          callLists(store).update(domainId, parseId(id), patch),
        );
        print(changed, opts.json, (r) => recordTable([r]));
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(list, "remove")
    .description("remove a record")
    .argument("<id>", "the record's id (see call-list list)")
    .action((id: string, opts: StoreOptions) =>
      run(async () => {
        await withStore(opts, (store, domainId) => callLists(store).remove(domainId, parseId(id)));
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(list, "response")
    .description("show or set the answer a blocked call gets: 603 (Decline, default), 403, 486 or 480")
    .argument("[status]", "the new status")
    .action((status: string | undefined, opts: StoreOptions) =>
      run(async () => {
        const settings = await withStore(opts, (store, domainId) => {
          const lists = callLists(store);
          if (status === undefined) return lists.settings(domainId);
          return lists.configure(domainId, { response: parseRate(status) as 603 });
        });
        print(settings, opts.json, (s) => `response    ${s.response}`);
        if (status !== undefined) process.stderr.write(NEXT_START);
      }),
    );
}

function registerIpListCommands(program: Command): void {
  const list = program
    .command("ip-list")
    .description("the IP black and white list: addresses accepted (never banned) or rejected (dropped)");

  storeCommand(list, "list")
    .description("every entry, by address")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withStore(opts, (store, domainId) => store.lists.ipEntries(domainId));
        print(items, opts.json, entryTable);
      }),
    );

  storeCommand(list, "add")
    .description("accept or reject an address or CIDR range, IPv4 or IPv6")
    .argument("<address>", 'e.g. "192.0.2.7", "10.0.0.0/8", "2001:db8::/32"')
    .requiredOption("--kind <accept|reject>", "accept: never banned; reject: dropped unanswered")
    .action((address: string, opts: StoreOptions & { kind: string }) =>
      run(async () => {
        const created = await withStore(opts, (store, domainId) =>
          store.lists.createIpEntry(domainId, { address, kind: opts.kind as IpListKind }),
        );
        print(created, opts.json, (e) => entryTable([e]));
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(list, "set")
    .description("change an entry's address or kind")
    .argument("<id>", "the entry's id (see ip-list list)")
    .option("--address <address>", "address or CIDR range")
    .option("--kind <accept|reject>", "accept or reject")
    .action((id: string, opts: StoreOptions & { address?: string; kind?: string }) =>
      run(async () => {
        const patch: IpListPatch = {
          ...(opts.address === undefined ? {} : { address: opts.address }),
          ...(opts.kind === undefined ? {} : { kind: opts.kind as IpListKind }),
        };
        if (Object.keys(patch).length === 0) throw new UsageError("give --address, --kind or both");
        const changed = await withStore(opts, (store, domainId) =>
          store.lists.updateIpEntry(domainId, parseId(id), patch),
        );
        print(changed, opts.json, (e) => entryTable([e]));
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(list, "remove")
    .description("remove an entry")
    .argument("<id>", "the entry's id (see ip-list list)")
    .action((id: string, opts: StoreOptions) =>
      run(async () => {
        const existed = await withStore(opts, (store, domainId) =>
          store.lists.deleteIpEntry(domainId, parseId(id)),
        );
        if (!existed) throw new NotFoundError("IP list entry", id);
        process.stderr.write(NEXT_START);
      }),
    );
}

export function registerListCommands(program: Command): void {
  registerCallListCommands(program);
  registerIpListCommands(program);
}
