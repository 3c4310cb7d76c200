import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { StorageQuota } from "../../src/services/storage/storage-quota.js";

test("a tenant's storage quota sums voicemail and recordings and is full at its limit (issue 21)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quota-"));
  try {
    mkdirSync(join(dir, "voicemail", "100"), { recursive: true });
    mkdirSync(join(dir, "recordings", "calls", "2026"), { recursive: true });
    writeFileSync(join(dir, "voicemail", "100", "a.wav"), Buffer.alloc(600 * 1024));
    let limit: number | undefined = 1;
    const quota = new StorageQuota({
      folders: [join(dir, "voicemail"), join(dir, "recordings")],
      limitMb: () => limit,
      logger: pino({ level: "silent" }),
    });
    await quota.measure();
    assert.equal(quota.bytes, 600 * 1024);
    assert.equal(quota.full(), false, "600 KB of a 1 MB limit");
    writeFileSync(join(dir, "recordings", "calls", "2026", "b.wav"), Buffer.alloc(500 * 1024));
    assert.equal(quota.full(), false, "not measured again yet");
    await quota.measure();
    assert.equal(quota.bytes, 1100 * 1024);
    assert.equal(quota.full(), true, "1.1 MB of a 1 MB limit");
    limit = undefined;
    assert.equal(quota.full(), false, "no limit");
    limit = 2;
    assert.equal(quota.full(), false, "a raised limit applies at once");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
