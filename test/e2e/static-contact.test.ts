/**
 * End to end (issue 23, "IP-authorized devices cannot be called"): a device that never REGISTERs
 * (user 103, IP-authorized, its `staticContact` set) is probed with OPTIONS; while it answers, 103
 * is online and a call to 103 rings it; when it stops answering, 103 goes offline and a call to
 * it gets 480. Before the fix every call to such a user got 480.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a device reached at its static contact", () => {
  let parley: ParleyProcess;
  const phones: ScriptedPhone[] = [];
  before(async () => {
    parley = await startParley(["--static-contact-interval", "1"]);
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  async function stateOf(user: string, want: string): Promise<void> {
    let state = "";
    for (let i = 0; i < 100; i++) {
      state = (await parley.api("GET", `/api/v1/users/${user}`)).body.state;
      if (state === want) return;
      await sleep(100);
    }
    assert.fail(`${user} stayed ${state}, not ${want}`);
  }

  it("is online while it answers OPTIONS, takes calls, and goes offline when it stops", {
    timeout: 60000,
  }, async () => {
    const device = await ScriptedPhone.open("103", parley.sipPort);
    const created = await parley.api("POST", "/api/v1/users", {
      name: "103",
      password: "a-long-secret-103",
      ipAuthorization: ["127.0.0.1"],
      staticContact: `sip:103@127.0.0.1:${device.port}`,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await stateOf("103", "online");
    assert.ok(
      device.received.some((m) => m.method === "OPTIONS"),
      "Parley probed the device with OPTIONS",
    );

    const caller = await ScriptedPhone.open("100", parley.sipPort);
    phones.push(caller);
    const dialog = await caller.call("103");
    assert.ok(
      device.received.some((m) => m.method === "INVITE"),
      "the call reached the device",
    );
    assert.equal((await caller.inDialog(dialog, "BYE")).status, 200);

    // The device goes away (closed here, not in after()).
    device.close();
    await stateOf("103", "offline");
    await assert.rejects(caller.call("103"), /480/);
  });
});
