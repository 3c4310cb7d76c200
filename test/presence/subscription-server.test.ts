/**
 * Covers the subscription core (RFC 6665 notifier) with the message-summary package, on a loop
 * network and a virtual clock: SUBSCRIBE checks and their answers (489, 423, 401, 403, 400),
 * acceptance (200 with Expires, To tag and Contact, then a NOTIFY with the full state at once),
 * refresh, un-subscribe, fetch, expiry, NOTIFY pacing (one at a time, latest state) and NOTIFY
 * failures (481 ends, one timeout does not, three in a row do). Not covered here: real sockets
 * and real phones (mwi-sipp.test.ts, test/e2e/mwi.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_FAILURES, RETRY_DELAYS_MS } from "../../src/presence/subscription.js";
import { isResponse } from "../helpers/sip-harness.js";
import { createMwiHarness, type Device, type MwiHarness } from "./harness.js";

/** 64*T1: when a NOTIFY over UDP times out (RFC 3261 17.1.2.2, Timer F). */
const TIMER_F = 32_000;

function body(request: { body: Buffer }): string {
  return request.body.toString();
}

/** A harness with device 100 subscribed (its initial NOTIFY received). */
async function subscribed(): Promise<{ h: MwiHarness; device: Device }> {
  const h = createMwiHarness({ unsolicited: false });
  const device = h.device("100", { register: false });
  const response = await h.until(device.subscribe());
  assert.equal(response.status, 200);
  await h.run(100);
  assert.equal(device.notifies.length, 1);
  return { h, device };
}

describe("a new SUBSCRIBE (RFC 6665 4.2.1)", () => {
  it("without Event gets 489 Bad Event naming the packages in Allow-Events", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100").subscribe({ event: null }));
    assert.equal(response.status, 489);
    assert.equal(response.get("allow-events"), "message-summary");
  });

  it("for an unknown package gets 489 Bad Event", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100").subscribe({ event: "ua-profile" }));
    assert.equal(response.status, 489);
    assert.equal(response.get("allow-events"), "message-summary");
  });

  it("asking for less than 60 s gets 423 Interval Too Brief with Min-Expires: 60", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100").subscribe({ expires: 30 }));
    assert.equal(response.status, 423);
    assert.equal(response.get("min-expires"), "60");
  });

  it("without credentials is challenged with 401 and WWW-Authenticate", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100").subscribe({ authenticate: false }));
    assert.equal(response.status, 401);
    assert.match(response.get("www-authenticate") ?? "", /^Digest /);
  });

  it("with a wrong password gets 403", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100", { password: "wrong" }).subscribe());
    assert.equal(response.status, 403);
  });

  it("for another user's mailbox gets 403 after authentication", async () => {
    const h = createMwiHarness();
    const device = h.device("100");
    const response = await h.until(device.subscribe({ resource: "101" }));
    assert.equal(response.status, 403);
    assert.equal(h.service.list().length, 0);
  });

  it("MUST be answered 200 (not 202, RFC 6665 8.3.1) with Expires, a To tag and Parley's Contact", async () => {
    const h = createMwiHarness();
    const response = await h.until(h.device("100").subscribe({ expires: 600 }));
    assert.equal(response.status, 200);
    assert.equal(response.get("expires"), "600");
    assert.ok(response.to?.tag);
    assert.equal(response.get("contact"), "<sip:parley@127.0.0.1:5060>");
  });

  it("is followed at once by a NOTIFY in its dialog with the full state and active;expires", async () => {
    const h = createMwiHarness({ unsolicited: false });
    h.counts.set("100", { new: 1, old: 4 });
    const device = h.device("100");
    const response = await h.until(device.subscribe({ expires: 600 }));
    await h.run(10);
    const [notify] = device.notifies;
    assert.ok(notify);
    assert.equal(notify.to?.tag, device.fromTag);
    assert.equal(notify.from?.tag, response.to?.tag);
    assert.equal(notify.callId, device.callId);
    assert.equal(notify.get("event"), "message-summary");
    assert.equal(notify.get("subscription-state"), "active;expires=600");
    assert.equal(notify.get("content-type"), "application/simple-message-summary");
    assert.equal(notify.uriText, device.contact);
    assert.equal(
      body(notify),
      "Messages-Waiting: yes\r\nMessage-Account: sip:100@pbx.test\r\nVoice-Message: 1/4 (0/0)\r\n",
    );
  });

  it("without Expires is granted 3600 s; above the maximum it is lowered to 3600 s", async () => {
    const h = createMwiHarness();
    assert.equal((await h.until(h.device("100").subscribe({ expires: null }))).get("expires"), "3600");
    assert.equal((await h.until(h.device("100").subscribe({ expires: 86_400 }))).get("expires"), "3600");
  });

  it("with Expires: 0 is a fetch: 200, one NOTIFY terminated;reason=timeout with the state, then nothing", async () => {
    const h = createMwiHarness({ unsolicited: false });
    const device = h.device("100");
    const response = await h.until(device.subscribe({ expires: 0 }));
    assert.equal(response.status, 200);
    assert.equal(response.get("expires"), "0");
    await h.run(100);
    assert.equal(device.notifies.length, 1);
    assert.equal(device.notifies[0]!.get("subscription-state"), "terminated;reason=timeout");
    assert.match(body(device.notifies[0]!), /^Messages-Waiting: no\r\n/);
    assert.equal(h.service.list().length, 0);
  });

  it("shows in list() with its user, package, contact and expiry", async () => {
    const { h, device } = await subscribed();
    const [view] = h.service.list();
    assert.ok(view);
    assert.equal(view.user, "100");
    assert.equal(view.resource, "100");
    assert.equal(view.package, "message-summary");
    assert.equal(view.contact, device.contact);
    assert.equal(view.sourceAddress, device.address);
    assert.equal(view.transport, "udp");
    assert.ok(Math.abs(view.expiresAt - (h.now() + 3_600_000)) < 1000);
  });
});

describe("within a subscription's dialog", () => {
  it("a refresh gets 200 with the granted Expires and a NOTIFY with the current state (RFC 6665 4.2.1.4)", async () => {
    const { h, device } = await subscribed();
    h.counts.set("100", { new: 2, old: 0 });
    const response = await h.until(device.subscribe({ expires: 1200 }));
    assert.equal(response.status, 200);
    assert.equal(response.get("expires"), "1200");
    await h.run(100);
    assert.equal(device.notifies.length, 2);
    assert.equal(device.notifies[1]!.get("subscription-state"), "active;expires=1200");
    assert.match(body(device.notifies[1]!), /Voice-Message: 2\/0/);
  });

  it("a refresh asking for too little gets 423 and leaves the subscription as it was", async () => {
    const { h, device } = await subscribed();
    const response = await h.until(device.subscribe({ expires: 10 }));
    assert.equal(response.status, 423);
    assert.equal(response.get("min-expires"), "60");
    await h.run(100);
    assert.equal(device.notifies.length, 1);
    assert.equal(h.service.list().length, 1);
  });

  it("an un-subscribe gets 200 and a final NOTIFY terminated;reason=timeout; the dialog is then gone", async () => {
    const { h, device } = await subscribed();
    const response = await h.until(device.subscribe({ expires: 0 }));
    assert.equal(response.status, 200);
    await h.run(100);
    assert.equal(device.notifies.length, 2);
    assert.equal(device.notifies[1]!.get("subscription-state"), "terminated;reason=timeout");
    assert.equal(h.service.list().length, 0);
    assert.equal((await h.until(device.subscribe())).status, 481);
  });

  it("a SUBSCRIBE for another package or id gets 489 or 403; other methods get 405", async () => {
    const { h, device } = await subscribed();
    assert.equal((await h.until(device.subscribe({ event: "presence" }))).status, 489);
    assert.equal((await h.until(device.subscribe({ event: "message-summary;id=2" }))).status, 403);
    const info = await h.until(device.request("INFO"));
    assert.equal(info.status, 405);
    assert.equal(info.get("allow"), "SUBSCRIBE");
    assert.equal(h.service.list().length, 1);
  });

  it("without a refresh, the subscription ends at its expiry with terminated;reason=timeout", async () => {
    const h = createMwiHarness({ unsolicited: false });
    const device = h.device("100");
    await h.until(device.subscribe({ expires: 60 }));
    await h.run(59_000, 500);
    assert.equal(device.notifies.length, 1);
    await h.run(1_500, 100);
    assert.equal(device.notifies.length, 2);
    assert.equal(device.notifies[1]!.get("subscription-state"), "terminated;reason=timeout");
    assert.equal(h.service.list().length, 0);
  });
});

describe("NOTIFYs of a subscription", () => {
  it("go one at a time: changes during one in flight are sent once, with the latest state", async () => {
    const { h, device } = await subscribed();
    // The device's answers take 1 s: the first NOTIFY is in flight while the counts change again.
    h.net.delay(1000, isResponse(200));
    h.counts.set("100", { new: 1, old: 0 });
    await h.service.changed(1, "100");
    await h.run(100);
    h.counts.set("100", { new: 2, old: 0 });
    await h.service.changed(1, "100");
    h.counts.set("100", { new: 3, old: 0 });
    await h.service.changed(1, "100");
    await h.run(100);
    assert.equal(device.notifies.length, 2);
    await h.run(3000, 50);
    assert.equal(device.notifies.length, 3);
    assert.match(body(device.notifies[1]!), /Voice-Message: 1\/0/);
    assert.match(body(device.notifies[2]!), /Voice-Message: 3\/0/);
  });

  it("a 481 to a NOTIFY ends the subscription (RFC 6665 4.2.2)", async () => {
    const { h, device } = await subscribed();
    device.answer = 481;
    await h.service.changed(1, "100");
    await h.run(100);
    assert.equal(device.notifies.length, 2);
    assert.equal(h.service.list().length, 0);
    assert.equal((await h.until(device.subscribe())).status, 481);
  });

  it("one timed-out NOTIFY keeps the subscription; it is sent again after the back-off", async () => {
    const { h, device } = await subscribed();
    device.answer = "silent";
    h.counts.set("100", { new: 1, old: 0 });
    await h.service.changed(1, "100");
    await h.run(TIMER_F + 100, 100);
    assert.equal(h.service.list().length, 1);
    device.answer = 200;
    const before = device.notifies.length;
    await h.run(RETRY_DELAYS_MS[0]! + 100, 100);
    assert.equal(device.notifies.length, before + 1);
    assert.match(body(device.notifies.at(-1)!), /Voice-Message: 1\/0/);
    assert.equal(h.service.list().length, 1);
    assert.deepEqual(h.errors, []);
  });

  it(`${MAX_FAILURES} timed-out NOTIFYs in a row end the subscription`, async () => {
    const { h, device } = await subscribed();
    device.answer = "silent";
    await h.service.changed(1, "100");
    await h.run(TIMER_F + RETRY_DELAYS_MS[0]! + TIMER_F + 1000, 200);
    assert.equal(h.service.list().length, 1, "still there after two timeouts");
    await h.run(RETRY_DELAYS_MS[1]! + TIMER_F + 1000, 200);
    assert.equal(h.service.list().length, 0);
    assert.ok(h.logs.some((l) => l.msg === "subscription dropped: its NOTIFYs keep failing"));
  });
});

describe("subscription limits", () => {
  it("refuses a user's subscriptions beyond its limit (403) and any beyond the total (503), serving the rest", async () => {
    const h = createMwiHarness({
      unsolicited: false,
      maxSubscriptions: 3,
      maxPerUser: 2,
      users: ["100", "101"],
    });
    const first = h.device("100", { register: false });
    assert.equal((await h.until(first.subscribe())).status, 200);
    assert.equal((await h.until(h.device("100", { register: false }).subscribe())).status, 200);
    const third = await h.until(h.device("100", { register: false }).subscribe());
    assert.equal(third.status, 403);
    assert.equal((await h.until(h.device("101", { register: false }).subscribe())).status, 200);
    const over = await h.until(h.device("101", { register: false }).subscribe());
    assert.equal(over.status, 503);
    assert.equal(over.get("retry-after"), "60");
    assert.equal(h.service.list().length, 3);
    // The subscriptions already there are still served.
    await h.run(100);
    h.counts.set("100", { new: 1, old: 0 });
    const before = first.notifies.length;
    await h.service.changed(1, "100");
    await h.run(100);
    assert.equal(first.notifies.length, before + 1);
    // One ends (un-subscribe): room for another.
    assert.equal((await h.until(first.subscribe({ expires: 0 }))).status, 200);
    await h.run(100);
    assert.equal((await h.until(h.device("100", { register: false }).subscribe())).status, 200);
  });
});
