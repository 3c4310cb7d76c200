/**
 * The auto-attendant's entry point cache (entry-cache.ts): one store read serves the calls of a
 * domain until a change through the store drops it, or its time to live runs out (a change made by
 * another process); a failed read is not kept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EntryCache } from "../../src/services/auto-attendant/entry-cache.js";
import type { AutoAttendantEntry } from "../../src/store/auto-attendant-model.js";

const entry = (key: string, menu: string): AutoAttendantEntry => ({
  id: 1,
  domainId: 1,
  kind: "number",
  key,
  menu,
  timeCondition: "",
  createdAt: 0,
  updatedAt: 0,
});

function source(initial: AutoAttendantEntry[]) {
  let listener: (domainId: number) => void = () => {};
  const state = { reads: 0, list: initial, fail: false };
  return {
    state,
    changed: (domainId: number) => listener(domainId),
    repository: {
      entries: async () => {
        state.reads++;
        if (state.fail) throw new Error("down");
        return state.list;
      },
      onChange: (l: (domainId: number) => void) => {
        listener = l;
      },
    },
  };
}

describe("EntryCache", () => {
  it("reads the store once per domain until a change drops it", async () => {
    const s = source([entry("500", "main")]);
    const cache = new EntryCache(s.repository, () => 0);
    assert.equal((await cache.entry(1, "number", "500"))?.menu, "main");
    assert.equal(await cache.entry(1, "number", "501"), undefined);
    assert.equal(s.state.reads, 1);
    s.state.list = [entry("500", "night")];
    s.changed(1);
    assert.equal((await cache.entry(1, "number", "500"))?.menu, "night");
    assert.equal(s.state.reads, 2);
  });

  it("reads again after its time to live, and does not keep a failed read", async () => {
    let now = 0;
    const s = source([]);
    const cache = new EntryCache(s.repository, () => now, 5000);
    await cache.entry(1, "line", "123");
    now = 6000;
    s.state.fail = true;
    await assert.rejects(cache.entry(1, "line", "123"));
    s.state.fail = false;
    s.state.list = [{ ...entry("123", "main"), kind: "line" }];
    assert.equal((await cache.entry(1, "line", "123"))?.menu, "main");
    assert.equal(s.state.reads, 3);
  });
});
