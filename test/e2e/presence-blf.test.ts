/**
 * End to end (issue 19): busy lamps and presence against a real `parley start`, with scripted
 * phones on real UDP sockets (so each NOTIFY's arrival is timed against the SIP message that
 * caused it). 102 watches 101's dialog state (RFC 4235) and presence (RFC 3856): as 100 calls
 * 101, which rings for a second and answers, then hangs up, 102's lamp goes early (with the
 * caller's identity) -> confirmed -> terminated, each within 200 ms, with the version counting up;
 * presence goes open -> on the phone -> open. Presence groups: a watcher of another group gets 403
 * unless it may subscribe to all; an unknown user is 404.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import { credentials, passed, sipp } from "../helpers/sipp-phones.js";
import { readTrace } from "../trunks/sipp-provider.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("presence and busy lamps (scripted phones)", () => {
  let parley: ParleyProcess;
  const phones: ScriptedPhone[] = [];
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  async function phone(user: string, options: { ringMs?: number } = {}): Promise<ScriptedPhone> {
    const p = await ScriptedPhone.open(user, parley.sipPort, undefined, options);
    phones.push(p);
    return p;
  }

  /** The NOTIFYs of `event` the phone received, with their arrival times and bodies. */
  function notifies(p: ScriptedPhone, event: string): Array<{ at: number; body: string }> {
    return p.received.flatMap((m, i) =>
      m.method === "NOTIFY" && m.get("event")?.startsWith(event)
        ? [{ at: p.receivedAt[i]!, body: m.body.toString() }]
        : [],
    );
  }

  async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = what();
      if (v !== undefined) return v;
      if (Date.now() > end) assert.fail("timed out");
      await sleep(10);
    }
  }

  it("a BLF lamp follows a call: early -> confirmed -> terminated, each within 200 ms", {
    timeout: 30000,
  }, async () => {
    const watcher = await phone("102");
    const callee = await phone("101", { ringMs: 1000 });
    const caller = await phone("100");
    assert.equal((await callee.register()).status, 200);
    assert.equal((await watcher.subscribe("101", "dialog")).status, 200);
    assert.equal((await watcher.subscribe("101", "presence")).status, 200);
    const first = await until(() => notifies(watcher, "dialog")[0]);
    assert.match(first.body, /<dialog-info [^>]*version="0" state="full" entity="sip:101@/);
    assert.doesNotMatch(first.body, /<dialog /, "idle: no dialog");
    const online = await until(() => notifies(watcher, "presence")[0]);
    assert.match(online.body, /<basic>open<\/basic>/);

    const call = caller.call("101");
    const invite = await callee.waitFor((m) => m.method === "INVITE");
    const invitedAt = callee.receivedAt[callee.received.indexOf(invite)]!;
    const early = await until(() =>
      notifies(watcher, "dialog").find((n) => /<state>early<\/state>/.test(n.body)),
    );
    assert.ok(
      early.at - invitedAt < 200,
      `early ${Math.round(early.at - invitedAt)} ms after the INVITE reached 101`,
    );
    assert.match(early.body, /direction="recipient"/);
    assert.match(early.body, /<remote><identity[^>]*>sip:100@/, "the caller's identity, for a pick-up key");

    const dialog = await call;
    const answeredAt = callee.rang[0]!.answered!;
    const confirmed = await until(() =>
      notifies(watcher, "dialog").find((n) => /<state>confirmed<\/state>/.test(n.body)),
    );
    assert.ok(
      confirmed.at - answeredAt < 200,
      `confirmed ${Math.round(confirmed.at - answeredAt)} ms after the 200`,
    );
    const busy = await until(() => notifies(watcher, "presence").find((n) => /on-the-phone/.test(n.body)));
    assert.match(busy.body, /<basic>open<\/basic>/);

    const byeAt = performance.now();
    assert.equal((await caller.inDialog(dialog, "BYE")).status, 200);
    const ended = await until(() =>
      notifies(watcher, "dialog").find((n) => /<state>terminated<\/state>/.test(n.body)),
    );
    assert.ok(ended.at - byeAt < 200, `terminated ${Math.round(ended.at - byeAt)} ms after the BYE`);
    // The last NOTIFY tells only of the ended call; the versions only ever count up by one. A
    // window of 300 ms on purpose: no NOTIFY may follow the terminated one.
    await sleep(300);
    assert.doesNotMatch(notifies(watcher, "dialog").at(-1)!.body, /<state>(early|confirmed)<\/state>/);
    const versions = notifies(watcher, "dialog").map((n) => Number(/version="(\d+)"/.exec(n.body)?.[1]));
    assert.deepEqual(
      versions,
      versions.map((_, i) => i),
      `versions ${versions}`,
    );
    await until(() => {
      const last = notifies(watcher, "presence").at(-1)!;
      return /on-the-phone/.test(last.body) ? undefined : last;
    });
  });

  it("presence groups: another group's user is 403 unless the watcher may see all; unknown users 404", {
    timeout: 30000,
  }, async () => {
    await parley.api("PATCH", "/api/v1/users/100", { presenceGroup: 1 });
    await parley.api("PATCH", "/api/v1/users/101", { presenceGroup: 2 });
    const watcher = await phone("100");
    assert.equal((await watcher.subscribe("101", "presence")).status, 403);
    assert.equal((await watcher.subscribe("101", "dialog")).status, 403);
    assert.equal((await watcher.subscribe("100", "presence")).status, 200, "oneself");
    assert.equal((await watcher.subscribe("999", "dialog")).status, 404);
    await parley.api("PATCH", "/api/v1/users/101", { presenceGroup: 1 });
    assert.equal((await watcher.subscribe("101", "dialog")).status, 200, "the same group");
    await parley.api("PATCH", "/api/v1/users/100", { presenceGroup: 3, subscribeAllPresence: true });
    assert.equal((await watcher.subscribe("102", "dialog")).status, 200, "an operator console sees all");
  });

  it("a BLF key on a park slot lights while a call is parked there", { timeout: 30000 }, async () => {
    for (const user of ["100", "101", "102"])
      await parley.api("PATCH", `/api/v1/users/${user}`, {
        presenceGroup: 0,
        callPark: true,
        callRetrieve: true,
      });
    const watcher = await phone("102");
    const parked = await phone("100");
    const parker = await phone("101");
    assert.equal((await parker.register()).status, 200);
    assert.equal((await watcher.subscribe("*70*5", "dialog")).status, 200);
    const idle = await until(() => notifies(watcher, "dialog")[0]);
    assert.doesNotMatch(idle.body, /<dialog /);
    await parked.call("101");
    const dialog = parker.dialogs.at(-1)!;
    const refer = await parker.inDialog(dialog, "REFER", [
      "Refer-To: <sip:*70*5@127.0.0.1>",
      "Referred-By: <sip:101@127.0.0.1>",
    ]);
    assert.equal(refer.status, 202);
    const lit = await until(() =>
      notifies(watcher, "dialog").find((n) => /<state>confirmed<\/state>/.test(n.body)),
    );
    assert.match(lit.body, /<remote><identity>sip:100@/, "the parked party");
    // 102 presses the key: dials the slot and takes the call; the lamp goes out.
    await watcher.call("*70*5");
    await until(() => notifies(watcher, "dialog").find((n) => /<state>terminated<\/state>/.test(n.body)));
  });

  it("a sipp phone with a BLF key sees early, confirmed, terminated", {
    skip: missingTool("sipp"),
    timeout: 60000,
  }, async () => {
    await parley.api("PATCH", "/api/v1/users/102", { presenceGroup: 0 });
    const port = await freePort();
    const trace = join(parley.dataDir, `blf-${port}.log`);
    const blf = sipp(parley, "blf-subscriber.xml", port, [
      "-inf",
      credentials(parley, "102"),
      "-s",
      "101",
      "-trace_msg",
      "-message_file",
      trace,
    ]);
    const callee = await phone("101", { ringMs: 800 });
    assert.equal((await callee.register()).status, 200);
    // The call starts once the BLF phone has answered its subscription's first NOTIFY (from sipp's
    // message trace), not after a fixed time.
    const firstNotifyAnswered = () => {
      const messages = readTrace(trace);
      const notify = messages.findIndex((m) => m.direction === "received" && m.text.startsWith("NOTIFY "));
      return (
        notify >= 0 &&
        messages.slice(notify).some((m) => m.direction === "sent" && m.text.startsWith("SIP/2.0 200"))
      );
    };
    for (let i = 0; i < 200 && !firstNotifyAnswered(); i++) await sleep(50);
    assert.ok(
      firstNotifyAnswered(),
      `the BLF phone's subscription is in place\n${parley.output().slice(-2000)}`,
    );
    const caller = await phone("100");
    const dialog = await caller.call("101");
    // The call lasts half a second on purpose: states that change faster than NOTIFYs are answered
    // may be merged (RFC 6665 4.2.2 allows it), and the BLF phone expects to see "confirmed".
    await sleep(500);
    assert.equal((await caller.inDialog(dialog, "BYE")).status, 200);
    passed(await blf, "the BLF phone saw the call's states in order", parley);
  });
});
