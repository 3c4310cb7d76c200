/**
 * Voice messages' metadata and run-time system settings (migration 005) on every engine: what is
 * written survives a reopen (a restart), counts follow the folders, deletes return the row.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NewVoicemailMessage, Store } from "../../src/store/index.js";
import { backends, type Location } from "./backends.js";

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

for (const backend of backends) {
  describe(`voicemail store on ${backend.name}`, { skip: backend.skip }, () => {
    let location: Location;
    let store: Store;
    let domainId: number;

    before(async () => {
      location = await backend.fresh();
      store = await location.open();
      await store.migrate();
      domainId = (await store.domains.getDefault()).id;
    });

    after(async () => {
      await store?.close();
      await location?.drop();
    });

    it("inserts with an id, lists oldest first per mailbox, and counts new and old", async () => {
      const a = await store.voicemail.insert({ ...message("100", 2000, "100/a.wav"), domainId });
      const b = await store.voicemail.insert({ ...message("100", 1000, "100/b.wav"), domainId });
      await store.voicemail.insert({ ...message("101", 3000, "101/c.wav"), domainId });
      assert.ok(a.id > 0 && b.id > 0 && a.id !== b.id);
      const list = await store.voicemail.list(domainId, "100");
      assert.deepEqual(
        list.map((m) => m.file),
        ["100/b.wav", "100/a.wav"],
      );
      assert.deepEqual(list[1], a);
      assert.equal((await store.voicemail.list(domainId)).length, 3);
      assert.deepEqual(await store.voicemail.counts(domainId, "100"), { new: 2, old: 0 });
      assert.equal(await store.voicemail.setFolder(domainId, a.id, "old"), true);
      assert.equal(await store.voicemail.setFolder(domainId, a.id, "old"), true, "already old still exists");
      assert.deepEqual(await store.voicemail.counts(domainId, "100"), { new: 1, old: 1 });
      assert.equal(await store.voicemail.setFolder(domainId, 999_999, "old"), false);
    });

    it("delete returns the row once, and the counts drop", async () => {
      const [first] = await store.voicemail.list(domainId, "101");
      const deleted = await store.voicemail.delete(domainId, first.id);
      assert.equal(deleted?.file, "101/c.wav");
      assert.equal(await store.voicemail.delete(domainId, first.id), undefined);
      assert.deepEqual(await store.voicemail.counts(domainId, "101"), { new: 0, old: 0 });
    });

    it("system settings are stored as JSON, replaced, deleted, and survive a reopen", async () => {
      assert.equal(await store.systemSettings.get(domainId, "smtp"), undefined);
      await store.systemSettings.put(domainId, "smtp", { host: "a", port: 25 });
      await store.systemSettings.put(domainId, "smtp", { host: "127.0.0.1", port: 2525 });
      await store.close();
      store = await location.open();
      assert.deepEqual(await store.systemSettings.get(domainId, "smtp"), { host: "127.0.0.1", port: 2525 });
      assert.equal((await store.voicemail.list(domainId, "100")).length, 2);
      await store.systemSettings.delete(domainId, "smtp");
      assert.equal(await store.systemSettings.get(domainId, "smtp"), undefined);
    });

    it("users carry voicemailOnBusy and voicemailPin", async () => {
      const user = await store.users.create(domainId, {
        name: "350",
        password: "350",
        voicemailOnBusy: true,
        voicemailPin: "2468",
      });
      assert.equal(user.voicemailOnBusy, true);
      assert.equal(user.voicemailPin, "2468");
    });
  });
}
