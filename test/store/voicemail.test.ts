/**
 * Voice messages' metadata and run-time system settings (migration 005) on every engine: what is
 * written survives a reopen (a restart), counts follow the folders, deletes return the row.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { NewVoicemailMessage } from "../../src/store/index.js";
import { onEachBackend } from "./backends.js";

function message(mailbox: string, receivedAt: number, file: string): NewVoicemailMessage {
  return {
    domainId: 0,
    mailbox,
    caller: "101",
    callerName: "Bob",
    receivedAt,
    durationMs: 4200,
    folder: "new",
    file,
    callId: `call-${file}`,
  };
}

onEachBackend("voicemail store", (t) => {
  it("inserts with an id, lists oldest first per mailbox, and counts new and old", async () => {
    const a = await t.store.voicemail.insert({ ...message("100", 2000, "100/a.wav"), domainId: t.domainId });
    const b = await t.store.voicemail.insert({ ...message("100", 1000, "100/b.wav"), domainId: t.domainId });
    await t.store.voicemail.insert({ ...message("101", 3000, "101/c.wav"), domainId: t.domainId });
    assert.ok(a.id > 0 && b.id > 0 && a.id !== b.id);
    const list = await t.store.voicemail.list(t.domainId, "100");
    assert.deepEqual(
      list.map((m) => m.file),
      ["100/b.wav", "100/a.wav"],
    );
    assert.deepEqual(list[1], a);
    assert.equal((await t.store.voicemail.list(t.domainId)).length, 3);
    assert.deepEqual(await t.store.voicemail.counts(t.domainId, "100"), { new: 2, old: 0 });
    assert.equal(await t.store.voicemail.setFolder(t.domainId, a.id, "old"), true);
    assert.equal(
      await t.store.voicemail.setFolder(t.domainId, a.id, "old"),
      true,
      "already old still exists",
    );
    assert.deepEqual(await t.store.voicemail.counts(t.domainId, "100"), { new: 1, old: 1 });
    assert.equal(await t.store.voicemail.setFolder(t.domainId, 999_999, "old"), false);
  });

  it("delete returns the row once, and the counts drop", async () => {
    const [first] = await t.store.voicemail.list(t.domainId, "101");
    const deleted = await t.store.voicemail.delete(t.domainId, first.id);
    assert.equal(deleted?.file, "101/c.wav");
    assert.equal(await t.store.voicemail.delete(t.domainId, first.id), undefined);
    assert.deepEqual(await t.store.voicemail.counts(t.domainId, "101"), { new: 0, old: 0 });
  });

  it("system settings are stored as JSON, replaced, deleted, and survive a reopen", async () => {
    assert.equal(await t.store.systemSettings.get(t.domainId, "smtp"), undefined);
    await t.store.systemSettings.put(t.domainId, "smtp", { host: "a", port: 25 });
    await t.store.systemSettings.put(t.domainId, "smtp", { host: "127.0.0.1", port: 2525 });
    await t.reopen();
    assert.deepEqual(await t.store.systemSettings.get(t.domainId, "smtp"), { host: "127.0.0.1", port: 2525 });
    assert.equal((await t.store.voicemail.list(t.domainId, "100")).length, 2);
    await t.store.systemSettings.delete(t.domainId, "smtp");
    assert.equal(await t.store.systemSettings.get(t.domainId, "smtp"), undefined);
  });

  it("users carry voicemailOnBusy and voicemailPin", async () => {
    const user = await t.store.users.create(t.domainId, {
      name: "350",
      password: "350",
      voicemailOnBusy: true,
      voicemailPin: "2468",
    });
    assert.equal(user.voicemailOnBusy, true);
    assert.equal(user.voicemailPin, "2468");
  });
});
