/**
 * Calling cards and rates (issue 18, migration 015_calling_cards) on every engine: defaults (USD,
 * enabled, no expiry), money kept exactly to 1/10000, a number unique per domain (409), every
 * error naming its field; rateFor() picks the longest prefix ("" = any); charge() debits in one
 * conditional UPDATE, refuses (and debits nothing) when the balance is short, and many charges
 * at once on one card, through two store instances, never spend more than it holds and add up
 * exactly; credit() adds atomically; CSV import is all or nothing and names row and field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cardsFromCsv, cardsToCsv, ratesFromCsv, ratesToCsv } from "../../src/store/calling-card-csv.js";
import {
  ConflictError,
  NotFoundError,
  type Store,
  validateCallingCard,
  validateCallingCardRate,
} from "../../src/store/index.js";
import { backends, validationFields as fields, type Location, onEachBackend } from "./backends.js";

describe("validateCallingCard() and validateCallingCardRate()", () => {
  it("accept a number and a PIN, a prefix and a price (the defaults fill the rest)", () => {
    assert.deepEqual(validateCallingCard({ number: "5001", pin: "1234" }), []);
    assert.deepEqual(validateCallingCardRate({ prefix: "", perMinute: 0.1 }), []);
  });
  it("name each bad field", () => {
    const card = validateCallingCard({
      number: "50a",
      pin: "",
      balance: 1.00001,
      currency: "usd",
      expiresAt: -1,
      enabled: "yes" as never,
    });
    assert.deepEqual(card.map((e) => e.field).sort(), [
      "balance",
      "currency",
      "enabled",
      "expiresAt",
      "number",
      "pin",
    ]);
    const rate = validateCallingCardRate({
      prefix: "00x",
      perMinute: -1,
      connectCharge: 2_000_000,
      firstIncrement: 0,
      increment: 1.5,
      description: "x".repeat(129),
    });
    assert.deepEqual(rate.map((e) => e.field).sort(), [
      "connectCharge",
      "description",
      "firstIncrement",
      "increment",
      "perMinute",
      "prefix",
    ]);
  });
});

describe("calling card CSV", () => {
  it("reads columns in any order, quoted fields, LF or CRLF, and writes what it reads", () => {
    const read = cardsFromCsv(
      'enabled,"number",balance,pin,expires_at\n"no",5001,4.25,1234,2027-12-31T23:59:59Z\r\n',
    );
    assert.ok(read.ok);
    assert.deepEqual(read.rows, [
      {
        row: 2,
        fields: {
          enabled: false,
          number: "5001",
          balance: 4.25,
          pin: "1234",
          expiresAt: Date.UTC(2027, 11, 31, 23, 59, 59),
        },
      },
    ]);
    const text = cardsToCsv([
      {
        id: 1,
        domainId: 1,
        number: "5001",
        pin: "1234",
        balance: 4.25,
        currency: "EUR",
        enabled: true,
        createdAt: 0,
        updatedAt: 0,
      },
    ]);
    assert.equal(text, "number,pin,balance,currency,expires_at,enabled\r\n5001,1234,4.25,EUR,,yes\r\n");
    const rates = ratesToCsv([
      {
        id: 1,
        domainId: 1,
        prefix: "",
        connectCharge: 0.05,
        perMinute: 0.0125,
        firstIncrement: 60,
        increment: 6,
        description: "anywhere, else",
        createdAt: 0,
        updatedAt: 0,
      },
    ]);
    assert.equal(
      rates,
      'prefix,connect_charge,per_minute,first_increment,increment,description\r\n,0.05,0.0125,60,6,"anywhere, else"\r\n',
    );
    const back = ratesFromCsv(rates);
    assert.ok(back.ok);
    assert.deepEqual(back.rows[0]?.fields, {
      prefix: "",
      connectCharge: 0.05,
      perMinute: 0.0125,
      firstIncrement: 60,
      increment: 6,
      description: "anywhere, else",
    });
  });
  it("names the row and the column of each error", () => {
    const read = cardsFromCsv("number,balance,colour\n");
    assert.ok(!read.ok);
    assert.deepEqual(
      read.errors.map((e) => e.field),
      ["row 1.colour"],
    );
    const bad = cardsFromCsv("number,balance,enabled\n5001,1.00001,maybe\n5002,2,yes\n5003\n");
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.errors.map((e) => e.field),
      ["row 2.balance", "row 2.enabled", "row 4"],
    );
    const open = ratesFromCsv('prefix,per_minute\n"00,1\n');
    assert.ok(!open.ok);
    assert.deepEqual(open.errors[0]?.field, "row 2");
  });
});

onEachBackend("calling card store", (t) => {
  it("creates a card with the defaults and reads it back, money exact", async () => {
    const card = await t.store.callingCards.createCard(t.domainId, {
      number: "5001",
      pin: "1234",
      balance: 10.0001,
    });
    assert.deepEqual(
      { ...card, id: 0, createdAt: 0, updatedAt: 0 },
      {
        id: 0,
        domainId: t.domainId,
        number: "5001",
        pin: "1234",
        balance: 10.0001,
        currency: "USD",
        enabled: true,
        createdAt: 0,
        updatedAt: 0,
      },
    );
    await t.reopen();
    assert.deepEqual(await t.store.callingCards.findCard(t.domainId, "5001"), card);
  });

  it("refuses a taken number (409), names bad fields, 404s a missing card", async () => {
    await assert.rejects(
      t.store.callingCards.createCard(t.domainId, { number: "5001", pin: "9" }),
      (e: unknown) => e instanceof ConflictError,
    );
    assert.deepEqual(
      await fields(t.store.callingCards.createCard(t.domainId, { number: "5002", pin: "x" })),
      ["pin"],
    );
    await assert.rejects(
      t.store.callingCards.updateCard(t.domainId, "9999", { pin: "1" }),
      (e: unknown) => e instanceof NotFoundError,
    );
  });

  it("changes a card (expiry set and cleared, disabled) and deletes it", async () => {
    await t.store.callingCards.createCard(t.domainId, { number: "5003", pin: "1" });
    const set = await t.store.callingCards.updateCard(t.domainId, "5003", {
      expiresAt: 1_900_000_000_000,
      enabled: false,
      currency: "EUR",
    });
    assert.deepEqual([set.expiresAt, set.enabled, set.currency], [1_900_000_000_000, false, "EUR"]);
    const cleared = await t.store.callingCards.updateCard(t.domainId, "5003", { expiresAt: null });
    assert.equal(cleared.expiresAt, undefined);
    assert.equal(await t.store.callingCards.deleteCard(t.domainId, "5003"), true);
    assert.equal(await t.store.callingCards.deleteCard(t.domainId, "5003"), false);
  });

  it("rateFor() takes the longest matching prefix, '' matching any number", async () => {
    const cc = t.store.callingCards;
    assert.equal(await cc.rateFor(t.domainId, "0044123"), undefined);
    await cc.createRate(t.domainId, { prefix: "", perMinute: 1 });
    await cc.createRate(t.domainId, { prefix: "00", perMinute: 0.5, description: "international" });
    const uk = await cc.createRate(t.domainId, { prefix: "0044", perMinute: 0.02, connectCharge: 0.1 });
    assert.deepEqual([uk.firstIncrement, uk.increment, uk.connectCharge], [60, 6, 0.1]);
    assert.equal((await cc.rateFor(t.domainId, "0044123"))?.prefix, "0044");
    assert.equal((await cc.rateFor(t.domainId, "0033123"))?.prefix, "00");
    assert.equal((await cc.rateFor(t.domainId, "100"))?.prefix, "");
    await assert.rejects(
      cc.createRate(t.domainId, { prefix: "00", perMinute: 1 }),
      (e: unknown) => e instanceof ConflictError,
    );
    const changed = await cc.updateRate(t.domainId, uk.id, { increment: 1, firstIncrement: 30 });
    assert.deepEqual([changed.firstIncrement, changed.increment, changed.perMinute], [30, 1, 0.02]);
    assert.deepEqual(
      (await cc.rates(t.domainId)).map((r) => r.prefix),
      ["", "00", "0044"],
    );
    assert.equal(await cc.deleteRate(t.domainId, uk.id), true);
    assert.equal((await cc.rateFor(t.domainId, "0044123"))?.prefix, "00");
  });

  it("charge() debits exactly and refuses, debiting nothing, when the balance is short", async () => {
    const cc = t.store.callingCards;
    await cc.createCard(t.domainId, { number: "6001", pin: "1", balance: 1 });
    assert.deepEqual(await cc.charge(t.domainId, "6001", 700), { ok: true, balance: 0.93 });
    assert.deepEqual(await cc.charge(t.domainId, "6001", 9301), { ok: false, balance: 0.93 });
    assert.deepEqual(await cc.charge(t.domainId, "6001", 0), { ok: true, balance: 0.93 });
    assert.deepEqual(await cc.charge(t.domainId, "6001", 9300), { ok: true, balance: 0 });
    await assert.rejects(cc.charge(t.domainId, "6999", 1), (e: unknown) => e instanceof NotFoundError);
    assert.deepEqual(await fields(cc.charge(t.domainId, "6001", -1)), ["amount"]);
    assert.deepEqual(await fields(cc.charge(t.domainId, "6001", 0.5)), ["amount"]);
    assert.deepEqual(await cc.credit(t.domainId, "6001", 25_000), { ok: true, balance: 2.5 });
    assert.deepEqual(await cc.credit(t.domainId, "6001", 0), { ok: true, balance: 2.5 });
    assert.deepEqual(await fields(cc.credit(t.domainId, "6001", 10_000_000_000_000)), ["amount"]);
  });

  it("a PATCH that leaves the balance alone never undoes a charge", async () => {
    const cc = t.store.callingCards;
    await cc.createCard(t.domainId, { number: "6003", pin: "1", balance: 5 });
    await Promise.all([
      cc.charge(t.domainId, "6003", 10_000),
      cc.updateCard(t.domainId, "6003", { pin: "2" }),
    ]);
    assert.equal((await cc.findCard(t.domainId, "6003"))?.balance, 4);
  });

  it("imports cards all or nothing: one bad row changes nothing, errors name row and field", async () => {
    const cc = t.store.callingCards;
    const bad = cardsFromCsv("number,pin,balance\n7001,11,5\n6003,,1\n7002,x,1\n7001,12,1\n");
    assert.ok(bad.ok);
    const errors = await fields(cc.importCards(t.domainId, bad.rows));
    assert.deepEqual(errors, ["row 5.number", "row 3.pin", "row 4.pin"]);
    assert.equal(await cc.findCard(t.domainId, "7001"), undefined);
    const good = cardsFromCsv("number,pin,balance\n7001,11,5\n6003,33,1.5\n");
    assert.ok(good.ok);
    assert.deepEqual(await cc.importCards(t.domainId, good.rows), { created: 1, updated: 1 });
    assert.equal((await cc.findCard(t.domainId, "7001"))?.balance, 5);
    const updated = await cc.findCard(t.domainId, "6003");
    assert.deepEqual([updated?.pin, updated?.balance], ["33", 1.5]);
    // A row with no balance column keeps the balance.
    const pins = cardsFromCsv("number,pin\n7001,77\n");
    assert.ok(pins.ok);
    await cc.importCards(t.domainId, pins.rows);
    assert.deepEqual(
      [(await cc.findCard(t.domainId, "7001"))?.pin, (await cc.findCard(t.domainId, "7001"))?.balance],
      ["77", 5],
    );
  });

  it("imports rates all or nothing", async () => {
    const cc = t.store.callingCards;
    const before = await cc.rates(t.domainId);
    const bad = ratesFromCsv("prefix,per_minute,increment\n0049,0.03,6\n00,0.4,0\n");
    assert.ok(bad.ok);
    assert.deepEqual(await fields(cc.importRates(t.domainId, bad.rows)), ["row 3.increment"]);
    assert.deepEqual(await cc.rates(t.domainId), before);
    const good = ratesFromCsv("prefix,per_minute,increment\n0049,0.03,6\n00,0.4,1\n");
    assert.ok(good.ok);
    assert.deepEqual(await cc.importRates(t.domainId, good.rows), { created: 1, updated: 1 });
    assert.equal((await cc.rateFor(t.domainId, "0049"))?.perMinute, 0.03);
    assert.equal((await cc.rateFor(t.domainId, "001"))?.increment, 1);
  });
});

// Two store instances on one database (two pools; on SQLite two handles): as two Parleys, or a
// Parley and the CLI, charging one card.
for (const backend of backends) {
  describe(`calling card charges at once on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let a: Store;
    let b: Store;
    let domainId: number;
    before(async () => {
      location = await backend.fresh();
      a = await location.open();
      await a.migrate();
      b = await location.open();
      domainId = (await a.domains.getDefault()).id;
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await location?.drop();
    });

    it("200 charges of 0.07 on 10.00 at once: exactly 142 succeed, 0.06 is left, never below zero", async () => {
      await a.callingCards.createCard(domainId, { number: "6002", pin: "1", balance: 10 });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 === 0 ? a : b).callingCards.charge(domainId, "6002", 700),
        ),
      );
      const ok = results.filter((r) => r.ok);
      assert.equal(ok.length, 142);
      assert.ok(results.every((r) => r.balance >= 0));
      // Every successful charge saw the balance its own debit left: all distinct, 0.06 the last.
      assert.equal(new Set(ok.map((r) => r.balance)).size, 142);
      assert.equal(Math.min(...ok.map((r) => r.balance)), 0.06);
      assert.equal((await b.callingCards.findCard(domainId, "6002"))?.balance, 0.06);
    });
  });
}
