/**
 * The feature code catalogue (src/services/feature-code-catalogue.ts), which `parley feature-codes`
 * builds its table from, registers exactly the codes the server's services register: the same
 * services, default codes, forms ("how it is dialled") and descriptions, with the default settings
 * and with codes moved or turned off by settings. Proven by building both tables side by side: the
 * services over a real SQLite store and a media server that is never called.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { DetectionPointTable } from "../../src/call/detection-points.js";
import { resolveSettings } from "../../src/config/settings.js";
import type { MediaServer } from "../../src/media/media-server.js";
import { registerFeatureCodes } from "../../src/services/feature-code-catalogue.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { registerServices } from "../../src/services/services.js";
import { storeFromUrl } from "../../src/store/index.js";
import { UserDirectory } from "../../src/store/user-directory.js";
import { silentLogger } from "../../src/util/logger.js";

describe("registerFeatureCodes()", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The table `parley start` builds: every service registered as registerServices does. */
  async function servicesTable(flags: Record<string, unknown>): Promise<FeatureCodeTable> {
    const dataDir = mkdtempSync(join(tmpdir(), "parley-catalogue-"));
    dirs.push(dataDir);
    const settings = resolveSettings({ flags: { ...flags, dataDir } });
    const store = await storeFromUrl(undefined, dataDir);
    const features = new FeatureCodeTable();
    try {
      await store.migrate();
      registerServices({
        points: new DetectionPointTable(silentLogger()),
        features,
        // Registration never reaches the media server: only a call to a service would.
        media: {} as MediaServer,
        store,
        users: new UserDirectory(store.users),
        domainId: 1,
        settings,
        logger: silentLogger(),
        talking: () => false,
        onConfigChange: () => {},
      });
    } finally {
      await store.close();
    }
    return features;
  }

  function catalogueTable(flags: Record<string, unknown>): FeatureCodeTable {
    const features = new FeatureCodeTable();
    registerFeatureCodes(features, resolveSettings({ flags }));
    return features;
  }

  it("with the default settings, lists what the services register", async () => {
    const catalogue = catalogueTable({}).list();
    assert.deepEqual(catalogue, (await servicesTable({})).list());
    assert.deepEqual(
      catalogue.find((f) => f.service === "user-codes.forwarding.unconditional"),
      {
        service: "user-codes.forwarding.unconditional",
        description: "Unconditional call forwarding: set (*number#) or clear (#)",
        code: "*93",
        defaultCode: "*93",
        enabled: true,
        dial: ["*93*<argument>#", "*93#"],
      },
    );
  });

  it("follows the code settings: a moved code, a test turned off", async () => {
    const flags = { echoTestCode: "*143", recordTestCode: "", voicemailAnyCode: "*198" };
    const catalogue = catalogueTable(flags).list();
    assert.deepEqual(catalogue, (await servicesTable(flags)).list());
    const byService = new Map(catalogue.map((f) => [f.service, f]));
    assert.equal(byService.get("echo-test")?.defaultCode, "*143");
    assert.equal(byService.get("record-test")?.enabled, false);
    assert.deepEqual(byService.get("voicemail-access.any")?.dial, ["*198#", "*198<argument>#"]);
  });

  it("returns a removal that empties the table", () => {
    const features = new FeatureCodeTable();
    const remove = registerFeatureCodes(features, resolveSettings({}));
    assert.ok(features.list().length > 0);
    remove();
    assert.deepEqual(features.list(), []);
  });
});
