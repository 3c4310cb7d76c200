/**
 * The run-time settings' wiring (src/live-settings-wiring.ts, issue 23): a change made through
 * LiveSettings (what PATCH /api/v1/system-settings calls) reaches the objects that were handed a
 * start-up value, without a restart: the media server speaks the new prompt language from the
 * next prompt on, the CDR recorder writes the next record's CSV row in the new folder (and none
 * once it is turned off), and the SMTP settings are the voicemail service's. Real store (SQLite),
 * real LiveSettings and CdrRecorder; the media server is a recorder of setLanguage calls.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveSettings } from "../../src/config/settings.js";
import { loadLiveSettings, wireLiveSettings } from "../../src/live-settings-wiring.js";
import { SmtpConfig } from "../../src/services/voicemail/smtp-config.js";
import { CdrRecorder, type Store, storeFromUrl } from "../../src/store/index.js";
import { silentLogger } from "../../src/util/logger.js";
import { sampleCdr, T0 } from "../store/cdr-fixtures.js";

describe("wireLiveSettings()", () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-live-wiring-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies a run-time change to the prompt language, the CDR folder and SMTP at once", async () => {
    const domainId = (await store.domains.getDefault()).id;
    const startup = resolveSettings({});
    const live = await loadLiveSettings(startup, store.systemSettings, domainId, undefined);
    const languages: string[] = [];
    const cdrs = new CdrRecorder(store.cdrs, silentLogger());
    const smtp = new SmtpConfig({
      repository: store.systemSettings,
      domainId,
      startup: {
        host: undefined,
        port: 25,
        security: "none",
        user: undefined,
        password: undefined,
        from: "a@b.c",
      },
    });
    let routingChanged = 0;
    wireLiveSettings({
      live,
      media: { server: { setLanguage: (l) => languages.push(l) } },
      cdrs,
      services: { voicemail: { smtp } },
      store,
      domainId,
      trunks: { live: { changed: () => routingChanged++ } },
      logger: silentLogger(),
    });

    await live.update({ language: "zh" });
    assert.deepEqual(languages, ["zh"], "the media server speaks Chinese from the next prompt on");
    // Chinese adds its emergency numbers, and the router is told to read its tables again.
    for (const deadline = Date.now() + 5000; routingChanged === 0; ) {
      assert.ok(Date.now() < deadline, "the routing is told");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const csvDir = join(dir, "cdr-csv");
    await live.update({ cdrCsvDir: csvDir });
    await cdrs.record(sampleCdr({ domainId, startedAt: T0 }));
    await cdrs.flush();
    assert.deepEqual(
      readdirSync(csvDir),
      ["cdr-2027-01-15.csv"],
      "the next record's row is in the new folder",
    );
    await live.update({ cdrCsvDir: "" });
    rmSync(csvDir, { recursive: true, force: true });
    await cdrs.record(sampleCdr({ domainId, startedAt: T0 + 1000 }));
    await cdrs.flush();
    assert.equal(existsSync(csvDir), false, "turned off: no CSV files");

    await live.update({ smtpHost: "mail.example.com" });
    assert.equal(smtp.current()?.host, "mail.example.com", "the next mail goes via the new SMTP server");
    assert.equal(live.list().find((i) => i.key === "smtpHost")?.source, "runtime");
  });
});
