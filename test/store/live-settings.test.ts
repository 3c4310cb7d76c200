/**
 * Run-time system settings in the store (issue 23), on every engine: what LiveSettings stores
 * through the system settings repository (one row per key) is read back after a reopen (a
 * restart) and overrides the start-up value; null forgets it; a stored value that no longer
 * validates is ignored (the start-up value applies); other domains' and other services' rows
 * (the SMTP settings) are left alone.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { LiveSettings } from "../../src/config/live-settings.js";
import { settingSources } from "../../src/config/setting-sources.js";
import { resolveSettings } from "../../src/config/settings.js";
import { onEachBackend } from "./backends.js";

const input = { flags: { outGroupPrefix: "8", mediaRelay: "never" } };

onEachBackend("run-time settings", (t) => {
  const live = async () => {
    const s = new LiveSettings({
      startup: resolveSettings(input),
      sources: settingSources(input),
      repository: t.store.systemSettings,
      domainId: t.domainId,
    });
    await s.load();
    return s;
  };

  it("a value set at run time survives a reopen and overrides the start-up value", async () => {
    await t.store.systemSettings.put(t.domainId, "smtp", { host: "kept" });
    const first = await live();
    assert.equal(first.view.outGroupPrefix, "8");
    await first.update({
      outGroupPrefix: "none",
      mediaRelay: "always",
      noAnswerTime: "25",
      cdrCsvDir: "/tmp/cdr",
    });
    assert.equal(first.view.outGroupPrefix, "", '"none" = no prefix, as at start-up');
    await t.reopen();
    const second = await live();
    assert.equal(second.view.outGroupPrefix, "");
    assert.equal(second.view.mediaRelay, "always");
    assert.equal(second.view.noAnswerTime, 25);
    assert.equal(second.view.cdrCsvDir, "/tmp/cdr");
    const items = new Map(second.list().map((i) => [i.key, i]));
    assert.equal(items.get("mediaRelay")?.source, "runtime");
    assert.equal(items.get("mediaRelay")?.startupSource, "flag --media-relay");
    assert.equal(items.get("language")?.source, "default");
    assert.deepEqual(await t.store.systemSettings.get(t.domainId, "smtp"), { host: "kept" });
  });

  it("null forgets the stored value: the start-up value applies again, after a reopen too", async () => {
    const s = await live();
    await s.update({ mediaRelay: null, cdrCsvDir: "" });
    assert.equal(s.view.mediaRelay, "never");
    assert.equal(s.view.cdrCsvDir, undefined, '"" turns the CSV files off');
    await t.reopen();
    const again = await live();
    assert.equal(again.view.mediaRelay, "never");
    assert.equal(again.list().find((i) => i.key === "mediaRelay")?.source, "flag");
    assert.equal(again.view.cdrCsvDir, undefined);
  });

  it("a stored value that no longer validates is ignored", async () => {
    await t.store.systemSettings.put(t.domainId, "setting.noAnswerTime", 99_999);
    const s = await live();
    assert.equal(s.view.noAnswerTime, 60, "the start-up value (default)");
  });
});
