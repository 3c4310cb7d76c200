/**
 * A CDR's calling card and charge (issue 18, migration 016_cdr_card_charge) on every engine: a
 * record with a card and a charge reads back deep-equal (the charge exact to 1/10000, stored as
 * whole units), one without them has neither; a bad card number or a charge with more than 4
 * decimal places (or negative) is refused, naming the field; the CSV row ends with both.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cdrCsvHeader, cdrCsvRow, validateCallRecord } from "../../src/store/index.js";
import { onEachBackend } from "./backends.js";
import { sampleCdr, T0 } from "./cdr-fixtures.js";

describe("validateCallRecord() on card and charge", () => {
  it("names a bad card and a bad charge", () => {
    for (const [over, field] of [
      [{ card: "12a" }, "card"],
      [{ card: "" }, "card"],
      [{ charge: 0.00001 }, "charge"],
      [{ charge: -1 }, "charge"],
      [{ charge: "1" }, "charge"],
    ] as const) {
      const checked = validateCallRecord({ ...sampleCdr(), ...over });
      assert.ok(!checked.ok, JSON.stringify(over));
      assert.deepEqual(
        checked.errors.map((e) => e.field),
        [field],
      );
    }
  });
  it("writes them as the CSV's last two columns", () => {
    assert.ok(cdrCsvHeader().endsWith(",hangup_cause,card,charge\r\n"));
    assert.ok(
      cdrCsvRow({ ...sampleCdr(), card: "5001", charge: 1.2345 }).endsWith(",caller-bye,5001,1.2345\r\n"),
    );
    assert.ok(cdrCsvRow(sampleCdr()).endsWith(",caller-bye,,\r\n"));
  });
});

onEachBackend("CDR card and charge", (t) => {
  it("keeps a call's card and charge exactly; other calls have neither", async () => {
    const paid = await t.store.cdrs.insert({
      ...sampleCdr({ startedAt: T0 }),
      domainId: t.domainId,
      card: "5001",
      charge: 12.3456,
    });
    const plain = await t.store.cdrs.insert({ ...sampleCdr({ startedAt: T0 + 1 }), domainId: t.domainId });
    const { items } = await t.store.cdrs.list({ domainId: t.domainId });
    const read = new Map(items.map((r) => [r.id, r]));
    assert.deepEqual(read.get(paid.id), paid);
    assert.deepEqual([read.get(paid.id)?.card, read.get(paid.id)?.charge], ["5001", 12.3456]);
    assert.deepEqual(read.get(plain.id), plain);
    assert.ok(!("card" in plain) && !("charge" in plain));
    const row = await t.store.db
      .selectFrom("cdrs")
      .select(["card", "charge"])
      .where("id", "=", paid.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.card, Number(row.charge)], ["5001", 123_456]);
  });
});
