/**
 * The `card` namespace of service scripts (issue 18, src/services/scripts/host/card-api.ts) over
 * a real SQLite store: find never shows the PIN and says expired/disabled; check_pin; rate by the
 * longest prefix; charge debits exactly (decimals rounded to 1/10000), refuses a short balance
 * debiting nothing, and notes the card and the running total for the CDR; cost() and
 * seconds_for() follow the increments exactly (60/6, 30/1, a connect charge, a free rate); bad
 * arguments are errors with a clear message. The `*300*` feature code is registered.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { addCallingCardCode } from "../../src/services/scripts/calling-card-code.js";
import { cardApi, FREE_RATE_SECONDS } from "../../src/services/scripts/host/card-api.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";

const NOW = Date.UTC(2027, 0, 15, 8, 0, 0);

/** A rate as card.rate() gives it. */
const rate = (perMinute: number, first = 60, increment = 6, connect = 0) => ({
  prefix: "",
  connect_charge: connect,
  per_minute: perMinute,
  first_increment: first,
  increment,
  description: "",
});

describe("card host API", () => {
  let dir: string;
  let store: Store;
  let domainId: number;
  const notes: Array<{ card?: string; charge?: number }> = [];
  let card: ReturnType<typeof cardApi>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-card-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
    const cards = store.callingCards;
    await cards.createCard(domainId, { number: "5001", pin: "4321", balance: 10, currency: "EUR" });
    await cards.createCard(domainId, {
      number: "5002",
      pin: "1",
      balance: 1,
      expiresAt: NOW - 1,
      enabled: false,
    });
    await cards.createRate(domainId, { prefix: "00", perMinute: 0.5 });
    await cards.createRate(domainId, {
      prefix: "0044",
      perMinute: 0.12,
      connectCharge: 0.1,
      firstIncrement: 30,
      increment: 1,
    });
    card = cardApi({ cards, domainId, annotate: (f) => notes.push(f), now: () => NOW });
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("find() gives the card without its PIN, and whether it is expired", async () => {
    assert.deepEqual(await card.find!("5001"), {
      number: "5001",
      balance: 10,
      currency: "EUR",
      enabled: true,
      expired: false,
      expires_at: undefined,
    });
    const old = (await card.find!("5002")) as Record<string, unknown>;
    assert.deepEqual(
      [old.enabled, old.expired, old.expires_at],
      [false, true, new Date(NOW - 1).toISOString()],
    );
    assert.ok(!("pin" in old));
    assert.equal(await card.find!("9999"), undefined);
    assert.throws(() => card.find!({}), /card\.find: number must be a string of digits/);
  });

  it("check_pin() is true only for the card's own PIN", async () => {
    assert.equal(await card.check_pin!("5001", "4321"), true);
    assert.equal(await card.check_pin!("5001", 4321), true);
    assert.equal(await card.check_pin!("5001", "432"), false);
    assert.equal(await card.check_pin!("9999", "4321"), false);
  });

  it("rate() gives the longest prefix's rate in decimals, or nothing", async () => {
    assert.deepEqual(await card.rate!("00441234"), {
      prefix: "0044",
      connect_charge: 0.1,
      per_minute: 0.12,
      first_increment: 30,
      increment: 1,
      description: "",
    });
    assert.equal(((await card.rate!("0033")) as { prefix: string }).prefix, "00");
    assert.equal(await card.rate!("100"), undefined);
  });

  it("charge() debits exactly, refuses a short balance debiting nothing, and notes the running total", async () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point: charged as 0.3.
    assert.deepEqual(await card.charge!("5001", 0.1 + 0.2), { ok: true, balance: 9.7 });
    assert.deepEqual(await card.charge!("5001", 0.00005), { ok: true, balance: 9.6999 });
    assert.deepEqual(await card.charge!("5001", 20), { ok: false, balance: 9.6999 });
    assert.deepEqual(await card.charge!("5001", 9.6999), { ok: true, balance: 0 });
    assert.deepEqual(notes, [
      { card: "5001", charge: 0.3 },
      { card: "5001", charge: 0.3001 },
      { card: "5001", charge: 10 },
    ]);
    assert.equal((await store.callingCards.findCard(domainId, "5001"))?.balance, 0);
    assert.throws(() => card.charge!("5001", -1), /card\.charge: amount must be a number, not negative/);
    assert.throws(() => card.charge!("5001", "1"), /card\.charge: amount/);
  });

  it("cost() charges the first increment, then whole increments, pro rata", () => {
    const r = rate(0.6); // 0.01 a second
    assert.equal(card.cost!(r, 0), 0);
    assert.equal(card.cost!(r, 1), 0.6);
    assert.equal(card.cost!(r, 60), 0.6);
    assert.equal(card.cost!(r, 61), 0.66);
    assert.equal(card.cost!(r, 66), 0.66);
    assert.equal(card.cost!(r, 67), 0.72);
    assert.equal(card.cost!(rate(0.12, 30, 1), 31), 0.062);
    // A share below a unit rounds up: 1/10000 a minute for 6 s still costs 1/10000.
    assert.equal(card.cost!(rate(0.0001), 66), 0.0002);
    // Linear in increments, so charging step by step debits exactly cost(seconds).
    const step = (card.cost!(r, 66) as number) - (card.cost!(r, 60) as number);
    assert.ok(Math.abs((card.cost!(r, 60 + 6 * 50) as number) - (0.6 + 50 * step)) < 1e-9);
  });

  it("seconds_for() gives the talk a balance buys after the connect charge", () => {
    const r = rate(0.6, 60, 6, 0.1);
    assert.equal(card.seconds_for!(r, 0.69), 0); // cannot pay 0.1 + 0.6
    assert.equal(card.seconds_for!(r, 0.7), 60);
    assert.equal(card.seconds_for!(r, 0.75), 60);
    assert.equal(card.seconds_for!(r, 0.76), 66);
    assert.equal(card.seconds_for!(r, 10), 60 + Math.floor((10 - 0.7) / 0.06) * 6);
    assert.equal(card.seconds_for!(rate(0), 0), FREE_RATE_SECONDS);
    // What seconds_for() grants, cost() charges within the balance.
    const s = card.seconds_for!(r, 3.21) as number;
    assert.ok(0.1 + (card.cost!(r, s) as number) <= 3.21 + 1e-9);
    assert.ok(0.1 + (card.cost!(r, s + 1) as number) > 3.21);
  });

  it("refuses a rate that is no rate, naming the function and the field", () => {
    assert.throws(() => card.cost!(undefined, 10), /card\.cost: rate must be a rate/);
    assert.throws(() => card.cost!({ ...rate(1), increment: 0 }, 10), /card\.cost: rate\.increment/);
    assert.throws(() => card.seconds_for!(rate(1), -1), /card\.seconds_for: balance/);
  });
});

describe("addCallingCardCode()", () => {
  it("registers *300* for the calling-card service, with no argument", () => {
    const features = new FeatureCodeTable();
    addCallingCardCode(features);
    assert.deepEqual(features.match("*300*"), { service: "calling-card", argument: "" });
    assert.equal(
      features.get("calling-card")?.description,
      "Calling card: *300* then card number, PIN and destination",
    );
  });
});
