/**
 * The `kv` namespace of service scripts (issue 18: "a small key-value and table store per script
 * in the Parley database"; src/services/scripts/host/kv-api.ts), through real Lua over a real
 * SQLite store: tables round-trip; set(k, nil) deletes; keys(prefix); incr() from two VMs at once
 * loses nothing; a script never sees another script's keys; the limits (200-character key, 64 KiB
 * value) and bad arguments are errors a script can pcall, saying what is wrong. The store's own
 * behaviour on every engine is test/store/script-kv.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { kvApi } from "../../../../src/services/scripts/host/kv-api.js";
import { type Store, storeFromUrl } from "../../../../src/store/index.js";
import { lua, luaError } from "./lua.js";

describe("kv host API", () => {
  let dir: string;
  let store: Store;
  let domainId: number;
  const api = (script: string) => ({ kv: kvApi({ repo: store.scriptKv, domainId, script }) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-kv-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    domainId = (await store.domains.getDefault()).id;
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a table set by one run is read back by the next, field for field", async () => {
    await lua(
      `kv.set("caller:1001", { name = "Alice", calls = 3, vip = true, tags = { "a", "b" } })`,
      api("screen"),
    );
    const back = await lua(
      `local t = kv.get("caller:1001")
       return { t.name, t.calls, t.vip, t.tags[2], #t.tags, math.type(t.calls), kv.get("nothing") == nil }`,
      api("screen"),
    );
    assert.deepEqual(back, ["Alice", 3, true, "b", 2, "integer", true]);
  });

  it("set(k, nil) and delete(k) remove a key; delete says whether it was there", async () => {
    const out = await lua(
      `kv.set("a", 1); kv.set("b", 2)
       kv.set("a", nil)
       local first, second = kv.delete("b"), kv.delete("b")
       return { kv.get("a") == nil, kv.get("b") == nil, first, second }`,
      api("del"),
    );
    assert.deepEqual(out, [true, true, true, false]);
  });

  it("keys(prefix) lists the script's keys that start with it, sorted", async () => {
    const out = await lua(
      `for _, k in ipairs({ "card:2", "card:1", "rate:1", "cardx" }) do kv.set(k, 0) end
       return { table.concat(kv.keys("card:"), ","), table.concat(kv.keys(), ","), #kv.keys("zzz") }`,
      api("lister"),
    );
    assert.deepEqual(out, ["card:1,card:2", "card:1,card:2,cardx,rate:1", 0]);
  });

  it("a script never sees another script's keys", async () => {
    await lua(`kv.set("secret", "mine"); kv.incr("n")`, api("owner"));
    const out = await lua(`return { kv.get("secret") == nil, #kv.keys(), kv.incr("n") }`, api("other"));
    assert.deepEqual(out, [true, 0, 1]);
    assert.equal(await lua(`return kv.get("secret")`, api("owner")), "mine");
  });

  it("incr() from two scripts running at once loses no increment", async () => {
    const source = `local last
      for i = 1, 100 do last = kv.incr("hits") end
      return last`;
    const [a, b] = await Promise.all([lua(source, api("counter")), lua(source, api("counter"))]);
    assert.equal(Math.max(a as number, b as number), 200);
    assert.equal(await lua(`return kv.get("hits")`, api("counter")), 200);
    assert.deepEqual(
      await lua(`return { kv.incr("money", 0.5), kv.incr("money", -2) }`, api("counter")),
      [0.5, -1.5],
    );
  });

  it("limits and bad arguments are errors the script can catch, saying what is wrong", async () => {
    const kv = api("limits");
    assert.match(
      await luaError(`kv.set(string.rep("k", 201), 1)`, kv),
      /^test\.lua:\d+: kv\.set: key is 201 characters long, over the limit of 200$/,
    );
    assert.match(
      await luaError(`kv.set("big", string.rep("x", 70000))`, kv),
      /kv\.set: value is 70002 bytes as JSON, over the limit of 65536 \(64 KiB\)$/,
    );
    assert.match(await luaError(`kv.set("nan", 0/0)`, kv), /kv\.set: value holds the number NaN$/);
    assert.match(await luaError(`kv.get(42)`, kv), /kv\.get: the key must be a string, not number$/);
    assert.match(await luaError(`kv.get()`, kv), /kv\.get: the key must be a string, not nil$/);
    assert.match(await luaError(`kv.keys({})`, kv), /kv\.keys: the prefix must be a string, not table$/);
    assert.match(
      await luaError(`kv.incr("n", "2")`, kv),
      /kv\.incr: the increment must be a number, not string$/,
    );
    await lua(`kv.set("name", "Alice")`, kv);
    assert.match(await luaError(`kv.incr("name")`, kv), /kv\.incr: key "name" holds a string, not a number$/);
    assert.equal(await lua(`return kv.get("name")`, kv), "Alice");
  });
});
