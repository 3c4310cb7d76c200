/**
 * End to end (issue 19, "linphonec sees presence too"): linphonec (Debian linphone-cli 5.1,
 * liblinphone's own SIP and PIDF code, independent of baresip's) as a presence watcher and as a
 * presence publisher through Parley.
 *
 * - Watching: 100's linphonec adds 101 as a friend (`friend add`), which subscribes to 101's
 *   presence (RFC 3856). linphonec 5.1 prints a friend's status as each NOTIFY arrives ("Friend
 *   <uri> is Online"); its `friend list` shows only name and address. 101 shows Offline, Online
 *   once registered, On the phone in a call, Online after the BYE, Busy in do-not-disturb, and
 *   Offline when its registration is removed; linphonec answers every NOTIFY 200.
 * - Publishing: linphonec has no command to set its own status (the 3.x "online"/"away"/"busy"
 *   commands are gone), but with publish=1 it PUBLISHes (RFC 3903) liblinphone's own presence,
 *   basic open with its pidfonline:online extension, once registered, and removes it on quit.
 *   Parley takes both (200 with a SIP-ETag; the removal names that entity-tag); a watcher of 100
 *   sees the publication keep 100 open after 100's registration is gone, and closed once linphonec
 *   removes it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Linphonec, startLinphonec } from "../helpers/linphonec.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A SIP message of Parley's trace log (`--sip-trace`): its direction, peer and text. */
interface Traced {
  readonly direction: "in" | "out";
  readonly remote: string;
  readonly text: string;
}

describe("presence with linphonec (linphone-cli 5.1)", { skip: missingTool("linphonec") }, () => {
  let parley: ParleyProcess;
  let server: string;
  const closers: Array<() => unknown> = [];
  before(async () => {
    // Parley relays the media of 102's call to 101 on its own ports; linphonec takes 36660-36699.
    parley = await startParley(["--sip-trace", "--rtp-ports", "36600-36659"]);
    server = `127.0.0.1:${parley.sipPort}`;
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await parley.stop();
  });

  function traced(): Traced[] {
    return parley.logs.flatMap((l) => {
      if (typeof l.msg !== "string" || (l.direction !== "in" && l.direction !== "out")) return [];
      return [{ direction: l.direction, remote: String(l.remote), text: l.msg.replace(/\r/g, "") }];
    });
  }

  /** The first traced message matching, waiting for it. */
  async function sipSeen(match: (m: Traced) => boolean, what: string, ms = 10000): Promise<Traced> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const hit = traced().find(match);
      if (hit !== undefined) return hit;
      await sleep(100);
    }
    assert.fail(`never saw ${what}; parley:\n${parley.output().slice(-4000)}`);
  }

  async function startLinphone(options: Parameters<typeof startLinphonec>[2]): Promise<Linphonec> {
    const phone = startLinphonec(-1, "36660-36699", options);
    closers.push(() => phone.quit());
    return phone;
  }

  async function registered(user: string, phone: Linphonec): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await parley.api("GET", `/api/v1/users/${user}`)).body.state === "online") return;
      await sleep(100);
    }
    assert.fail(`${user} never registered; linphonec said:\n${phone.output()}`);
  }

  it("shows friend 101 Offline, Online, On the phone, Online, Busy in do-not-disturb, Offline", {
    timeout: 90000,
  }, async () => {
    const phone = await startLinphone({ account: { user: "100", password: "100", server } });
    await registered("100", phone);
    const friend = `sip:101@${server}`;
    /** Waits for linphonec to print 101's status after offset `since`. */
    const shows = async (status: string, since: number): Promise<void> => {
      const line = new RegExp(`Friend [^\\n]*<sip:101@[^>]*> is ${status}\\n`);
      const seen = await phone.waitForOutput(line, since, 10000);
      assert.ok(
        seen,
        `linphonec never showed 101 ${status}:\n${phone.output().slice(since)}\n${parley.output().slice(-3000)}`,
      );
    };

    let mark = phone.output().length;
    phone.command(`friend add "Colleague" ${friend}`);
    await shows("Offline", mark);
    // Its subscription went through Parley, as RFC 3856 asks: SUBSCRIBE with Event: presence.
    const subscribe = await sipSeen(
      (m) => m.direction === "in" && /^SUBSCRIBE sip:101@/m.test(m.text) && /^Authorization:/m.test(m.text),
      "linphonec's SUBSCRIBE to 101",
    );
    assert.match(subscribe.text, /^Event: presence$/m);
    assert.match(subscribe.text, /^User-Agent: Linphonec\//m);
    mark = phone.output().length;
    phone.command("friend list");
    assert.ok(await phone.waitForOutput(/name: Colleague\naddress: sip:101@/, mark), phone.output());

    const colleague = await ScriptedPhone.open("101", parley.sipPort);
    closers.push(() => colleague.close());
    mark = phone.output().length;
    assert.equal((await colleague.register()).status, 200);
    await shows("Online", mark);

    const caller = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => caller.close());
    mark = phone.output().length;
    const call = await caller.call("101");
    await shows("On the phone", mark);
    mark = phone.output().length;
    assert.equal((await caller.inDialog(call, "BYE")).status, 200);
    await shows("Online", mark);

    // Do not disturb (here through the API; *78 by phone is the same change): PIDF closed with
    // the RPID activity "busy", which liblinphone shows as Busy.
    mark = phone.output().length;
    await parley.api("PATCH", "/api/v1/users/101", { doNotDisturb: true });
    await shows("Busy", mark);
    mark = phone.output().length;
    await parley.api("PATCH", "/api/v1/users/101", { doNotDisturb: false });
    await shows("Online", mark);

    mark = phone.output().length;
    const regs = (await parley.api("GET", "/api/v1/registrations?user=101")).body.items;
    assert.equal((await parley.api("DELETE", `/api/v1/registrations/${regs[0].id}`)).status, 204);
    await shows("Offline", mark);

    // linphonec took every NOTIFY Parley sent it (a 4xx would mean it rejected a body or dialog).
    const toLinphonec = (m: Traced, direction: "in" | "out") =>
      m.direction === direction && m.remote === subscribe.remote && /^CSeq: \d+ NOTIFY$/m.test(m.text);
    let notifies: Traced[] = [];
    let answers: Traced[] = [];
    for (let i = 0; i < 50; i++) {
      notifies = traced().filter((m) => toLinphonec(m, "out"));
      answers = traced().filter((m) => toLinphonec(m, "in"));
      if (answers.length === notifies.length) break;
      await sleep(100);
    }
    assert.ok(notifies.length >= 7, `NOTIFYs sent: ${notifies.length}`);
    assert.equal(answers.length, notifies.length);
    for (const a of answers) assert.match(a.text.split("\n")[1] ?? "", /^SIP\/2\.0 200 /);
    await phone.quit();
  });

  it("takes linphonec's own PUBLISH and its removal; a watcher of 100 sees the publication", {
    timeout: 90000,
  }, async () => {
    // The first test's linphonec (also 100) has unregistered on quit.
    for (let i = 0; i < 50; i++) {
      if ((await parley.api("GET", "/api/v1/users/100")).body.state === "offline") break;
      await sleep(100);
    }
    const watcher = await ScriptedPhone.open("102", parley.sipPort);
    closers.push(() => watcher.close());
    /**
     * A new subscription to 100's presence; resolves with the body of its NOTIFYs, from the first
     * (what Parley knows when the SUBSCRIBE arrives, RFC 6665 4.2.1) on: the first that matches `re`.
     */
    const watch = async (): Promise<(re: RegExp) => Promise<string>> => {
      const ok = await watcher.subscribe("100", "presence");
      assert.equal(ok.status, 200);
      const dialog = (r: { method: string; callId?: string }) =>
        r.method === "NOTIFY" && r.callId === ok.callId;
      return async (re) =>
        (await watcher.waitFor((r) => dialog(r) && re.test(r.body.toString()))).body.toString();
    };
    const earlier = await watch();
    assert.match(await earlier(/<basic>/), /<basic>closed<\/basic>/);

    const phone = await startLinphone({ account: { user: "100", password: "100", server, publish: true } });
    const publish = await sipSeen(
      (m) => m.direction === "in" && /^PUBLISH sip:100@/m.test(m.text) && /^Authorization:/m.test(m.text),
      "linphonec's PUBLISH",
    );
    // liblinphone's own document: basic open with its extension element beside it.
    assert.match(publish.text, /^Event: presence$/m);
    assert.match(publish.text, /^Content-Type: application\/pidf\+xml$/m);
    assert.match(publish.text, /<basic>open<\/basic>\s*<pidfonline:online\/>/);
    const callId = /^Call-ID: (.+)$/m.exec(publish.text)?.[1] ?? "";
    const accepted = await sipSeen(
      (m) =>
        m.direction === "out" && m.text.includes(`Call-ID: ${callId}\n`) && /^SIP\/2\.0 200 /m.test(m.text),
      "200 to linphonec's PUBLISH",
    );
    const etag = /^SIP-ETag: (.+)$/m.exec(accepted.text)?.[1];
    assert.ok(etag, accepted.text);
    assert.match(accepted.text, /^Expires: 600$/m);
    await registered("100", phone);
    await earlier(/<basic>open<\/basic>/);

    // Its registration gone, 100 is still open: the publication, soft state of its own
    // (RFC 3903), is what a watcher now sees, in words too.
    const regs = (await parley.api("GET", "/api/v1/registrations?user=100")).body.items;
    assert.equal((await parley.api("DELETE", `/api/v1/registrations/${regs[0].id}`)).status, 204);
    assert.equal((await parley.api("GET", "/api/v1/users/100")).body.state, "offline");
    const later = await watch();
    const published = await later(/<basic>/);
    assert.match(published, /<basic>open<\/basic>/);
    assert.match(published, /<note>Online<\/note>/);

    // On quit linphonec removes its publication (Expires: 0, SIP-If-Match: the entity-tag).
    await phone.quit();
    const removal = await sipSeen(
      (m) => m.direction === "in" && /^PUBLISH sip:100@/m.test(m.text) && /^Expires: 0$/m.test(m.text),
      "linphonec's removal PUBLISH",
    );
    assert.match(removal.text, new RegExp(`^SIP-If-Match: ${etag}$`, "m"));
    const branch = /^Via: [^\n]*branch=([^;\n]+)/m.exec(removal.text)?.[1];
    assert.ok(branch, removal.text);
    const removed = await sipSeen(
      (m) => m.direction === "out" && m.text.includes(branch) && /^SIP\/2\.0 \d{3}/m.test(m.text),
      "the answer to the removal",
    );
    assert.match(removed.text.split("\n")[1] ?? "", /^SIP\/2\.0 200 /);
    assert.match(await later(/<basic>closed<\/basic>/), /<note>Offline<\/note>/);
  });
});
