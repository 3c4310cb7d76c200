/**
 * The service scripts' key-value store (issue 18: "a small key-value and table store per script
 * in the Parley database"; migration 017) on every engine: plain data round-trips as JSON and
 * survives a reopen; a script never sees another script's (or domain's) keys; a key holds at most
 * 200 characters and a value 64 KiB of JSON, errors naming which; keys() matches a prefix
 * literally (no LIKE wildcards, case-sensitive) and lists at most 1000; incr() is atomic: forty
 * increments at once over the engine's connections lose none.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { sql } from "kysely";
import { SCRIPT_KV_LIMITS } from "../../src/store/index.js";
import { validationFields as fields, onEachBackend } from "./backends.js";

onEachBackend("script key-value store", (t) => {
  const kv = () => t.store.scriptKv;

  it("stores plain data as JSON: strings, numbers, booleans and tables come back equal", async () => {
    const values: Record<string, unknown> = {
      text: "héllo, 世界 \u{1F600}",
      int: 42,
      float: -0.125,
      yes: true,
      no: false,
      list: [1, "two", { three: 3 }],
      record: { name: "Alice", tags: ["vip"], nested: { deep: [true] } },
      empty: {},
    };
    for (const [key, value] of Object.entries(values)) await kv().set(t.domainId, "card", key, value);
    await t.reopen();
    for (const [key, value] of Object.entries(values)) {
      assert.deepEqual(await kv().get(t.domainId, "card", key), value, key);
    }
    assert.equal(await kv().get(t.domainId, "card", "missing"), undefined);
  });

  it("set() replaces a value; delete() says whether the key was there", async () => {
    await kv().set(t.domainId, "s1", "k", "first");
    await kv().set(t.domainId, "s1", "k", { second: 2 });
    assert.deepEqual(await kv().get(t.domainId, "s1", "k"), { second: 2 });
    assert.equal(await kv().delete(t.domainId, "s1", "k"), true);
    assert.equal(await kv().delete(t.domainId, "s1", "k"), false);
    assert.equal(await kv().get(t.domainId, "s1", "k"), undefined);
  });

  it("a script sees only its own keys, in its own domain", async () => {
    const other = await otherDomain();
    await kv().set(t.domainId, "alpha", "shared", "alpha's");
    await kv().set(t.domainId, "beta", "shared", "beta's");
    await kv().set(other, "alpha", "shared", "other domain's");
    assert.equal(await kv().get(t.domainId, "alpha", "shared"), "alpha's");
    assert.equal(await kv().get(t.domainId, "beta", "shared"), "beta's");
    assert.equal(await kv().get(other, "alpha", "shared"), "other domain's");
    assert.deepEqual(await kv().keys(t.domainId, "beta"), ["shared"]);
    assert.equal(await kv().incr(t.domainId, "gamma", "shared", 1), 1, "gamma's own key starts at 0");
    assert.equal(await kv().clear(t.domainId, "alpha"), 1);
    assert.equal(await kv().get(t.domainId, "beta", "shared"), "beta's");
    assert.equal(await kv().get(other, "alpha", "shared"), "other domain's");
  });

  it("a key holds up to 200 characters (not bytes), a value up to 64 KiB of JSON", async () => {
    const wide = "\u{1F600}".repeat(SCRIPT_KV_LIMITS.keyChars);
    await kv().set(t.domainId, "lim", wide, 1);
    assert.equal(await kv().get(t.domainId, "lim", wide), 1);
    assert.deepEqual(await fields(kv().set(t.domainId, "lim", `${wide}x`, 1)), ["key"]);
    assert.deepEqual(await fields(kv().set(t.domainId, "lim", "", 1)), ["key"]);
    // A string's JSON is the string and two quotes.
    const biggest = "x".repeat(SCRIPT_KV_LIMITS.valueBytes - 2);
    await kv().set(t.domainId, "lim", "big", biggest);
    assert.equal(await kv().get(t.domainId, "lim", "big"), biggest);
    assert.deepEqual(await fields(kv().set(t.domainId, "lim", "big", `${biggest}x`)), ["value"]);
    assert.equal(await kv().get(t.domainId, "lim", "big"), biggest, "a refused set changes nothing");
    assert.deepEqual(await fields(kv().set(t.domainId, "lim", "nan", { n: Number.NaN })), ["value"]);
    assert.deepEqual(await fields(kv().set(t.domainId, "lim", "nil", undefined)), ["value"]);
  });

  it("keys() matches the prefix literally and case-sensitively, sorted, within the limit", async () => {
    for (const key of ["a%b", "aXb", "a_1", "A_1", "ab", "b", "ä1"])
      await kv().set(t.domainId, "pre", key, 0);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "a_"), ["a_1"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "a%"), ["a%b"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "ä"), ["ä1"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "a"), ["a%b", "aXb", "a_1", "ab"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre"), ["A_1", "a%b", "aXb", "a_1", "ab", "b", "ä1"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "", 2), ["A_1", "a%b"]);
    assert.deepEqual(await kv().keys(t.domainId, "pre", "zz"), []);
  });

  it("keys() lists at most 1000 keys", async () => {
    const total = SCRIPT_KV_LIMITS.keysListed + 5;
    const rows = Array.from({ length: total }, (_, i) => ({
      domain_id: t.domainId,
      script: "many",
      key: `k${String(i).padStart(4, "0")}`,
      value: "0",
      updated_at: 0,
    }));
    await t.store.db
      .withTables<{ script_kv: (typeof rows)[number] }>()
      .insertInto("script_kv")
      .values(rows)
      .execute();
    const listed = await kv().keys(t.domainId, "many", "", 5000);
    assert.equal(listed.length, SCRIPT_KV_LIMITS.keysListed);
    assert.equal(listed[0], "k0000");
  });

  it("incr() starts a missing key at 0, adds any amount, and refuses what is not a number", async () => {
    assert.equal(await kv().incr(t.domainId, "n", "count", 1), 1);
    assert.equal(await kv().incr(t.domainId, "n", "count", 1), 2);
    assert.equal(await kv().incr(t.domainId, "n", "count", -5), -3);
    assert.equal(await kv().incr(t.domainId, "n", "money", 0.25), 0.25);
    assert.equal(await kv().incr(t.domainId, "n", "money", 0.5), 0.75);
    assert.equal(await kv().get(t.domainId, "n", "count"), -3);
    await kv().set(t.domainId, "n", "name", "Alice");
    assert.deepEqual(await fields(kv().incr(t.domainId, "n", "name", 1)), ["key"]);
    assert.equal(await kv().get(t.domainId, "n", "name"), "Alice");
    assert.deepEqual(await fields(kv().incr(t.domainId, "n", "count", Number.POSITIVE_INFINITY)), ["by"]);
    await kv().set(t.domainId, "n", "huge", Number.MAX_VALUE);
    assert.deepEqual(await fields(kv().incr(t.domainId, "n", "huge", Number.MAX_VALUE)), ["by"]);
  });

  it("incr() is atomic: forty increments at once, also of a new key, lose none", async () => {
    const n = 40;
    const sums = await Promise.all(Array.from({ length: n }, () => kv().incr(t.domainId, "race", "hits", 1)));
    assert.equal(await kv().get(t.domainId, "race", "hits"), n);
    // Each increment saw its own sum: 1..40, once each.
    assert.deepEqual(
      sums.sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    // Increments and a delete racing: whatever the order, the key ends as a count of increments.
    // (On InnoDB this deadlocks now and then; incr() tries again.)
    for (let round = 0; round < 5; round++) {
      const mixed = await Promise.all([
        ...Array.from({ length: 10 }, () => kv().incr(t.domainId, "race", "mixed", 2)),
        kv().delete(t.domainId, "race", "mixed"),
      ]);
      const last = (await kv().get(t.domainId, "race", "mixed")) as number | undefined;
      const fine = last === undefined || (last % 2 === 0 && last >= 2 && last <= 20 * (round + 1));
      assert.ok(fine, `${last} after ${JSON.stringify(mixed)}`);
    }
    await closeBusyPool();
  });

  /**
   * Closes the store's pool, which the races above grew to ten connections, and waits until
   * PostgreSQL has seen them go: pg's Pool.end() resolves before its clients' sockets close, and
   * the group's final "drop database ... with (force)" would end such a backend under a closed pool,
   * an uncaught error.
   */
  async function closeBusyPool(): Promise<void> {
    await t.reopen();
    if (t.store.kind !== "postgres") return;
    for (let i = 0; i < 200; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`.execute(t.store.db);
      if (rows[0]?.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A second domain, inserted directly: the store has no API for domains yet. */
  async function otherDomain(): Promise<number> {
    const now = Date.now();
    await sql`insert into domains (name, realm, accepts_any_host, created_at, updated_at)
              values (${"second.example"}, ${"second"}, ${0}, ${now}, ${now})`.execute(t.store.db);
    const domains = await t.store.domains.list();
    return domains.find((d) => d.name === "second.example")!.id;
  }
});
