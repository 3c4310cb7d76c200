/**
 * End to end (issue 19): baresip's presence module watches a colleague through Parley. 100's
 * baresip subscribes to 101's presence (RFC 3856); its contact list shows 101 offline, then
 * online once 101 registers, busy while 101 is on a call, online again after, busy in
 * do-not-disturb, and offline when 101's registration is removed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaresipPhone, presetAccount, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("presence with baresip's presence module", {
  skip: missingTool("baresip") || missingTool("sox"),
}, () => {
  let parley: ParleyProcess;
  let work: string;
  const closers: Array<() => unknown> = [];
  before(async () => {
    parley = await startParley(["--rtp-ports", "35700-35799"]);
    work = mkdtempSync(join(tmpdir(), "parley-presence-"));
    await toneWav(join(work, "440.wav"), 440, 30);
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Waits until 100's contact list shows 101 with `status`; returns the listing. */
  async function shows(phone: BaresipPhone, status: RegExp): Promise<string> {
    let listing = "";
    for (let i = 0; i < 50; i++) {
      listing = await phone.contactsListing();
      if (status.test(listing)) return listing;
      await sleep(200);
    }
    assert.fail(
      `101 never showed ${status}: ${listing}\n${phone.output().slice(-2000)}\n${parley.output().slice(-2000)}`,
    );
  }

  it("shows 101 offline, online, busy on a call, online, busy in do-not-disturb, offline", {
    timeout: 60000,
  }, async () => {
    const server = `127.0.0.1:${parley.sipPort}`;
    const watcher = await BaresipPhone.start({
      account: presetAccount("100", server),
      source: join(work, "440.wav"),
      rtpPorts: "27950-27999",
      watch: [`sip:101@${server}`],
    });
    closers.push(() => watcher.stop());
    await shows(watcher, /Offline[^\n]*101@/i);
    const colleague = await ScriptedPhone.open("101", parley.sipPort);
    closers.push(() => colleague.close());
    assert.equal((await colleague.register()).status, 200);
    await shows(watcher, /Online[^\n]*101@/i);
    const caller = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => caller.close());
    const call = await caller.call("101");
    await shows(watcher, /Busy[^\n]*101@/i);
    assert.equal((await caller.inDialog(call, "BYE")).status, 200);
    await shows(watcher, /Online[^\n]*101@/i);
    // Do not disturb (here through the API; *78 by phone is the same change): busy, then back.
    await parley.api("PATCH", "/api/v1/users/101", { doNotDisturb: true });
    await shows(watcher, /Busy[^\n]*101@/i);
    await parley.api("PATCH", "/api/v1/users/101", { doNotDisturb: false });
    await shows(watcher, /Online[^\n]*101@/i);
    await parley.api(
      "DELETE",
      `/api/v1/registrations/${(await parley.api("GET", "/api/v1/registrations")).body.items.find((r: { user: string }) => r.user === "101").id}`,
    );
    await shows(watcher, /Offline[^\n]*101@/i);
  });
});
