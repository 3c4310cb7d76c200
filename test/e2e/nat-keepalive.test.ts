/**
 * End to end (issue 6): a phone registered from behind NAT (its Contact names a port it does not
 * send from) receives Parley's keep-alive OPTIONS at the address and port it registered from,
 * every --nat-keepalive seconds (checked over several intervals: each gap between two OPTIONS is
 * the interval, within a tolerance); one registered without NAT receives none. The phones are
 * ScriptedPhones: their socket is bound before they register, so no OPTIONS can be missed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

/** The shortest interval the setting takes (whole seconds). */
const INTERVAL_MS = 1000;
/** Gaps measured: five OPTIONS in a row. */
const GAPS = 4;
/** How far one gap may stray from the interval (timers on a loaded machine). */
const GAP_TOLERANCE_MS = 350;

describe("NAT keep-alives to registered phones", () => {
  let parley: ParleyProcess;
  const phones: ScriptedPhone[] = [];
  before(async () => {
    parley = await startParley(["--nat-keepalive", String(INTERVAL_MS / 1000)]);
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  it("a NATed binding gets an OPTIONS at its observed port each interval", async () => {
    const phone = await ScriptedPhone.open("102", parley.sipPort);
    phones.push(phone);
    // Its Contact names port 9, where nothing listens: only the observed source port reaches it.
    const reg = await phone.register(9);
    assert.equal(reg.status, 200, "NATed registration");
    const options = (since: number) => phone.waitFor((m) => m.method === "OPTIONS", since, INTERVAL_MS * 5);
    for (let n = 0; n <= GAPS; n++) {
      await options(phone.received.length);
    }
    const at = phone.received.flatMap((m, i) => (m.method === "OPTIONS" ? [phone.receivedAt[i] ?? 0] : []));
    assert.ok(at.length >= GAPS + 1, `${at.length} OPTIONS`);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    for (const gap of gaps) {
      assert.ok(
        Math.abs(gap - INTERVAL_MS) <= GAP_TOLERANCE_MS,
        `each OPTIONS comes one interval (${INTERVAL_MS} ms) after the one before: gaps ${gaps.map(Math.round).join(", ")} ms`,
      );
    }
    const request = phone.received.find((m) => m.method === "OPTIONS");
    assert.match(request?.uri.raw ?? "", /^sip:102@127\.0\.0\.1:9\b/, "addressed to the registered Contact");
  });

  it("a binding registered without NAT gets none", async () => {
    const phone = await ScriptedPhone.open("101", parley.sipPort);
    phones.push(phone);
    const reg = await phone.register();
    assert.equal(reg.status, 200, "registration");
    const since = phone.received.length;
    // The thing tested is an absence: watch two and a half intervals pass (a fixed window on purpose).
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 2.5));
    assert.deepEqual(
      phone.received.slice(since).map((m) => m.method),
      [],
      "no OPTIONS to a phone that is not behind NAT",
    );
  });
});
