/**
 * `parley cards list|add|set|credit|delete|import|export` and `parley card-rates
 * list|add|set|delete|import|export` (issue 18): calling cards and their rates, straight in the
 * store like the other commands, with the same settings (--data-dir, --database-url, --config,
 * PARLEY_*) and exit codes (2 with each bad field named, 1 for not found or a conflict). Money is
 * given and shown as decimals (4.25). `credit` adds to a balance atomically, so it is safe while
 * the card is in a call; `set --balance` sets it outright. Imports are CSV (the export's columns),
 * all rows or none, each error naming its row and field. A running server sees changes at once
 * (the calling card script reads the store on every call).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { cardsFromCsv, cardsToCsv, ratesFromCsv, ratesToCsv } from "../store/calling-card-csv.js";
import {
  type CallingCard,
  type CallingCardPatch,
  type CallingCardRate,
  type CallingCardRatePatch,
  NotFoundError,
  ValidationError,
} from "../store/index.js";
import { decimalTextToUnits, fromUnits } from "../store/money.js";
import { isoTime, isoTimesReplacer, parseIsoTime } from "../util/iso-time.js";
import { run, type StoreOptions, storeCommand, table, UsageError, withStore } from "./user-commands.js";

const cardTable = (cards: CallingCard[]) =>
  table(
    ["NUMBER", "PIN", "BALANCE", "CURRENCY", "EXPIRES", "ENABLED"],
    cards.map((c) => [
      c.number,
      c.pin,
      String(c.balance),
      c.currency,
      c.expiresAt === undefined ? "never" : isoTime(c.expiresAt),
      c.enabled ? "yes" : "no",
    ]),
  );

const rateTable = (rates: CallingCardRate[]) =>
  table(
    ["PREFIX", "CONNECT", "PER MINUTE", "INCREMENTS", "DESCRIPTION"],
    rates.map((r) => [
      r.prefix === "" ? '""' : r.prefix,
      String(r.connectCharge),
      String(r.perMinute),
      `${r.firstIncrement}/${r.increment}`,
      r.description,
    ]),
  );

function print<T>(value: T, json: boolean | undefined, text: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, isoTimesReplacer, 2)}\n` : `${text(value)}\n`);
}

/** A decimal; anything else is passed on as typed, so the validation names the field. */
const amount = (raw: string): number => {
  const units = decimalTextToUnits(raw, true);
  return (units === undefined ? raw : fromUnits(units)) as number;
};
const whole = (raw: string): number => (/^\d{1,9}$/.test(raw) ? Number(raw) : raw) as number;

function flag(option: string, raw: string): boolean {
  if (/^(yes|true|on|1)$/i.test(raw)) return true;
  if (/^(no|false|off|0)$/i.test(raw)) return false;
  throw new UsageError(`${option} must be yes or no, not "${raw}"`);
}

function expiry(raw: string): number | null {
  if (raw === "" || raw === "never") return null;
  const ms = parseIsoTime(raw);
  if (ms === undefined)
    throw new ValidationError([
      { field: "expiresAt", message: 'must be an ISO 8601 time (2027-12-31T23:59:59Z) or "never"' },
    ]);
  return ms;
}

interface CardFlags {
  number?: string;
  pin?: string;
  balance?: string;
  currency?: string;
  expires?: string;
  enabled?: string;
}

function cardPatch(o: CardFlags): CallingCardPatch {
  return {
    ...(o.number === undefined ? {} : { number: o.number }),
    ...(o.pin === undefined ? {} : { pin: o.pin }),
    ...(o.balance === undefined ? {} : { balance: amount(o.balance) }),
    ...(o.currency === undefined ? {} : { currency: o.currency }),
    ...(o.expires === undefined ? {} : { expiresAt: expiry(o.expires) }),
    ...(o.enabled === undefined ? {} : { enabled: flag("--enabled", o.enabled) }),
  };
}

interface RateFlags {
  prefix?: string;
  connectCharge?: string;
  perMinute?: string;
  firstIncrement?: string;
  increment?: string;
  description?: string;
}

function ratePatch(o: RateFlags): CallingCardRatePatch {
  return {
    ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
    ...(o.connectCharge === undefined ? {} : { connectCharge: amount(o.connectCharge) }),
    ...(o.perMinute === undefined ? {} : { perMinute: amount(o.perMinute) }),
    ...(o.firstIncrement === undefined ? {} : { firstIncrement: whole(o.firstIncrement) }),
    ...(o.increment === undefined ? {} : { increment: whole(o.increment) }),
    ...(o.description === undefined ? {} : { description: o.description }),
  };
}

const cardOptions = (c: Command) =>
  c
    .option("--pin <digits>", "the card's PIN, 1-16 digits")
    .option("--balance <amount>", "the balance, a decimal (set outright: to add, use credit)")
    .option("--currency <code>", "ISO 4217 code (default USD)")
    .option("--expires <time>", 'ISO 8601 time after which the card places no calls, or "never"')
    .option("--enabled <yes|no>", "a disabled card places no calls");

const rateOptions = (c: Command) =>
  c
    .option("--per-minute <amount>", "price of a minute of talk")
    .option("--connect-charge <amount>", "charged once when the call is answered (default 0)")
    .option("--first-increment <seconds>", "seconds the first charge covers (default 60)")
    .option("--increment <seconds>", "seconds each later charge covers (default 6)")
    .option("--description <text>", "what the rate is for");

/** A file's text, or standard input for "-". */
const readInput = (file: string): string => readFileSync(file === "-" ? 0 : file, "utf8");

function writeOutput(file: string | undefined, text: string): void {
  if (file === undefined || file === "-") process.stdout.write(text);
  else writeFileSync(file, text);
}

export function registerCallingCardCommands(program: Command): void {
  const cards = program
    .command("cards")
    .description("calling cards (prepaid): callers dial *300*, card number, PIN");
  storeCommand(cards, "list")
    .description("every card, by number")
    .action((opts: StoreOptions) =>
      run(async () => print(await withStore(opts, (s, d) => s.callingCards.cards(d)), opts.json, cardTable)),
    );
  cardOptions(storeCommand(cards, "add"))
    .description("add a card (its number is unique)")
    .argument("<number>", "the card's number, 1-32 digits")
    .action((number: string, opts: StoreOptions & CardFlags) =>
      run(async () => {
        const patch = cardPatch(opts);
        const card = await withStore(opts, (s, d) =>
          s.callingCards.createCard(d, { ...patch, number, pin: patch.pin ?? "" }),
        );
        print(card, opts.json, (c) => cardTable([c]));
      }),
    );
  cardOptions(storeCommand(cards, "set"))
    .description("change a card")
    .argument("<number>", "the card's number")
    .option("--number <number>", "a new number")
    .action((number: string, opts: StoreOptions & CardFlags) =>
      run(async () => {
        const patch = cardPatch(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
        const card = await withStore(opts, (s, d) => s.callingCards.updateCard(d, number, patch));
        print(card, opts.json, (c) => cardTable([c]));
      }),
    );
  storeCommand(cards, "credit")
    .description("add to a card's balance, atomically (safe while the card is in a call)")
    .argument("<number>", "the card's number")
    .argument("<amount>", "what to add, a decimal with at most 4 places")
    .action((number: string, raw: string, opts: StoreOptions) =>
      run(async () => {
        const units = decimalTextToUnits(raw, true);
        if (units === undefined || units <= 0)
          throw new ValidationError([
            { field: "amount", message: "must be a positive decimal with at most 4 places" },
          ]);
        const card = await withStore(opts, async (s, d) => {
          await s.callingCards.credit(d, number, units);
          return (await s.callingCards.findCard(d, number))!;
        });
        print(card, opts.json, (c) => cardTable([c]));
      }),
    );
  storeCommand(cards, "delete")
    .description("remove a card")
    .argument("<number>", "the card's number")
    .action((number: string, opts: StoreOptions) =>
      run(async () => {
        if (!(await withStore(opts, (s, d) => s.callingCards.deleteCard(d, number))))
          throw new NotFoundError("calling card", number);
      }),
    );
  storeCommand(cards, "import")
    .description(
      "create or change cards from CSV (number,pin,balance,currency,expires_at,enabled), all or none",
    )
    .argument("<file>", 'a CSV file, or "-" for standard input')
    .action((file: string, opts: StoreOptions) =>
      run(async () => {
        const read = cardsFromCsv(readInput(file));
        if (!read.ok) throw new ValidationError(read.errors);
        const result = await withStore(opts, (s, d) => s.callingCards.importCards(d, read.rows));
        print(result, opts.json, (r) => `${r.created} created, ${r.updated} changed`);
      }),
    );
  storeCommand(cards, "export")
    .description("every card as CSV (what import reads)")
    .argument("[file]", "where to write (default: standard output)")
    .action((file: string | undefined, opts: StoreOptions) =>
      run(async () =>
        writeOutput(file, cardsToCsv(await withStore(opts, (s, d) => s.callingCards.cards(d)))),
      ),
    );
  registerRateCommands(program);
}

function registerRateCommands(program: Command): void {
  const rates = program
    .command("card-rates")
    .description('calling card rates by called-number prefix (the longest wins; "" = any number)');
  /** The rate of a prefix, or NotFoundError. */
  const byPrefix = async (list: CallingCardRate[], prefix: string) => {
    const rate = list.find((r) => r.prefix === prefix);
    if (rate === undefined) throw new NotFoundError("calling card rate", prefix);
    return rate;
  };
  storeCommand(rates, "list")
    .description("every rate, by prefix")
    .action((opts: StoreOptions) =>
      run(async () => print(await withStore(opts, (s, d) => s.callingCards.rates(d)), opts.json, rateTable)),
    );
  rateOptions(storeCommand(rates, "add"))
    .description("add a rate (its prefix is unique)")
    .argument("<prefix>", 'the called numbers\' prefix ("" for any number)')
    .action((prefix: string, opts: StoreOptions & RateFlags) =>
      run(async () => {
        const patch = ratePatch(opts);
        const rate = await withStore(opts, (s, d) =>
          s.callingCards.createRate(d, { ...patch, prefix, perMinute: patch.perMinute as number }),
        );
        print(rate, opts.json, (r) => rateTable([r]));
      }),
    );
  rateOptions(storeCommand(rates, "set"))
    .description("change a rate")
    .argument("<prefix>", "the rate's prefix")
    .option("--prefix <prefix>", "a new prefix")
    .action((prefix: string, opts: StoreOptions & RateFlags) =>
      run(async () => {
        const patch = ratePatch(opts);
        if (Object.keys(patch).length === 0) throw new UsageError("give at least one option to change");
        const rate = await withStore(opts, async (s, d) =>
          s.callingCards.updateRate(d, (await byPrefix(await s.callingCards.rates(d), prefix)).id, patch),
        );
        print(rate, opts.json, (r) => rateTable([r]));
      }),
    );
  storeCommand(rates, "delete")
    .description("remove a rate")
    .argument("<prefix>", "the rate's prefix")
    .action((prefix: string, opts: StoreOptions) =>
      run(async () => {
        await withStore(opts, async (s, d) =>
          s.callingCards.deleteRate(d, (await byPrefix(await s.callingCards.rates(d), prefix)).id),
        );
      }),
    );
  storeCommand(rates, "import")
    .description(
      "create or change rates from CSV (prefix,connect_charge,per_minute,first_increment,increment,description), all or none",
    )
    .argument("<file>", 'a CSV file, or "-" for standard input')
    .action((file: string, opts: StoreOptions) =>
      run(async () => {
        const read = ratesFromCsv(readInput(file));
        if (!read.ok) throw new ValidationError(read.errors);
        const result = await withStore(opts, (s, d) => s.callingCards.importRates(d, read.rows));
        print(result, opts.json, (r) => `${r.created} created, ${r.updated} changed`);
      }),
    );
  storeCommand(rates, "export")
    .description("every rate as CSV (what import reads)")
    .argument("[file]", "where to write (default: standard output)")
    .action((file: string | undefined, opts: StoreOptions) =>
      run(async () =>
        writeOutput(file, ratesToCsv(await withStore(opts, (s, d) => s.callingCards.rates(d)))),
      ),
    );
}
