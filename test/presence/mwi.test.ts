/**
 * Covers message-waiting indication to every device of a user (RFC 3842; issue 15): on a mailbox
 * change, subscribers get an in-dialog NOTIFY and the other registered devices an unsolicited
 * one (out of dialog, Event: message-summary, Subscription-State: active); a device that
 * registers anew (new contact or Call-ID, not a refresh) gets the current state when its user has
 * voicemail or messages; the unsolicited kind can be turned off. On a loop network and a virtual
 * clock, through the real location service's new-binding news.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMwiHarness, DOMAIN } from "./harness.js";

describe("MessageWaiting.changed()", () => {
  it("sends an unsolicited NOTIFY to each registered device without subscription", async () => {
    const h = createMwiHarness();
    const phone = h.device("100");
    const softphone = h.device("100");
    await h.run(100);
    const registered = [phone.notifies.length, softphone.notifies.length];
    h.counts.set("100", { new: 1, old: 0 });
    await h.service.changed(DOMAIN.id, "100");
    await h.run(100);
    for (const [i, device] of [phone, softphone].entries()) {
      assert.equal(device.notifies.length, registered[i]! + 1);
      const notify = device.notifies.at(-1)!;
      assert.equal(notify.uriText, device.contact);
      assert.equal(notify.to?.tag, undefined, "outside any dialog");
      assert.equal(notify.get("to"), "<sip:100@pbx.test>");
      assert.match(notify.get("from") ?? "", /^<sip:100@pbx\.test>;tag=/);
      assert.equal(notify.get("event"), "message-summary");
      assert.equal(notify.get("subscription-state"), "active");
      assert.equal(notify.get("content-type"), "application/simple-message-summary");
      assert.equal(notify.get("contact"), "<sip:parley@127.0.0.1:5060>");
      assert.equal(
        notify.body.toString(),
        "Messages-Waiting: yes\r\nMessage-Account: sip:100@pbx.test\r\nVoice-Message: 1/0 (0/0)\r\n",
      );
    }
  });

  it("tells a subscribed device within its subscription only, the others unsolicited", async () => {
    const h = createMwiHarness();
    const subscriber = h.device("100");
    const other = h.device("100");
    await h.until(subscriber.subscribe());
    await h.run(100);
    const counts = [subscriber.notifies.length, other.notifies.length];
    h.counts.set("100", { new: 2, old: 1 });
    await h.service.changed(DOMAIN.id, "100");
    await h.run(100);
    assert.equal(subscriber.notifies.length, counts[0]! + 1);
    assert.equal(subscriber.notifies.at(-1)!.to?.tag, subscriber.fromTag, "in the subscription's dialog");
    assert.equal(other.notifies.length, counts[1]! + 1);
    assert.equal(other.notifies.at(-1)!.to?.tag, undefined);
    assert.match(other.notifies.at(-1)!.body.toString(), /Voice-Message: 2\/1/);
  });

  it("sends Messages-Waiting: no once the last new message is gone", async () => {
    const h = createMwiHarness();
    h.counts.set("100", { new: 1, old: 0 });
    const phone = h.device("100");
    await h.run(100);
    assert.match(phone.notifies.at(-1)!.body.toString(), /^Messages-Waiting: yes/);
    h.counts.set("100", { new: 0, old: 0 });
    await h.service.changed(DOMAIN.id, "100");
    await h.run(100);
    assert.match(phone.notifies.at(-1)!.body.toString(), /^Messages-Waiting: no\r\n/);
  });

  it("with unsolicited MWI off, notifies subscribers only", async () => {
    const h = createMwiHarness({ unsolicited: false });
    const subscriber = h.device("100");
    const other = h.device("100");
    await h.until(subscriber.subscribe());
    await h.service.changed(DOMAIN.id, "100");
    await h.run(100);
    assert.equal(subscriber.notifies.length, 2);
    assert.equal(other.notifies.length, 0);
  });

  it("never rejects when the counts cannot be read: it logs and sends nothing", async () => {
    const h = createMwiHarness();
    const phone = h.device("100");
    await h.run(100);
    h.store.down = true;
    await h.service.changed(DOMAIN.id, "100");
    await h.run(100);
    assert.equal(phone.notifies.length, 1, "the one sent when it registered");
    assert.ok(h.logs.some((l) => l.msg === "mailbox counts unavailable: no MWI sent"));
  });
});

describe("a device registering", () => {
  it("anew gets an unsolicited NOTIFY with the current state", async () => {
    const h = createMwiHarness();
    h.counts.set("100", { new: 3, old: 2 });
    const phone = h.device("100");
    await h.run(100);
    assert.equal(phone.notifies.length, 1);
    assert.match(phone.notifies[0]!.body.toString(), /^Messages-Waiting: yes\r\n.*\r\nVoice-Message: 3\/2/s);
  });

  it("again with the same Call-ID (a refresh) gets nothing; with a new Call-ID (a restart) it does", async () => {
    const h = createMwiHarness();
    const phone = h.device("100");
    await h.run(100);
    assert.equal(phone.notifies.length, 1);
    h.location.apply(DOMAIN.id, "100", [], [{ ...phone.binding(h.now()), cseq: 2 }]);
    await h.run(100);
    assert.equal(phone.notifies.length, 1, "a refresh");
    h.location.apply(DOMAIN.id, "100", [], [phone.binding(h.now(), "after-reboot")]);
    await h.run(100);
    assert.equal(phone.notifies.length, 2, "a new Call-ID");
  });

  it("with a subscription gets the NOTIFY within it, not an unsolicited one", async () => {
    const h = createMwiHarness();
    const phone = h.device("100", { register: false });
    await h.until(phone.subscribe());
    await h.run(100);
    assert.equal(phone.notifies.length, 1);
    h.location.apply(DOMAIN.id, "100", [], [phone.binding(h.now())]);
    await h.run(100);
    assert.equal(phone.notifies.length, 2);
    assert.equal(phone.notifies[1]!.to?.tag, phone.fromTag);
  });

  it("behind a proxy is reached through the registration's Path (RFC 3327 5)", async () => {
    const h = createMwiHarness();
    const phone = h.device("100", { register: false });
    const path = ["<sip:edge.pbx.test;lr>"];
    h.location.apply(DOMAIN.id, "100", [], [{ ...phone.binding(h.now()), path }]);
    await h.run(100);
    assert.deepEqual(phone.notifies[0]!.getAll("route"), path);
  });

  for (const [what, voicemail] of [
    ["without voicemail", []],
    ["not known to have voicemail (no hasVoicemail)", null],
  ] as const) {
    it(`of a user ${what} gets nothing while the mailbox is empty, the state once it is not`, async () => {
      const h = createMwiHarness({ voicemail });
      const phone = h.device("100");
      await h.run(100);
      assert.equal(phone.notifies.length, 0);
      h.counts.set("100", { new: 0, old: 1 });
      h.location.apply(DOMAIN.id, "100", [], [phone.binding(h.now(), "after-reboot")]);
      await h.run(100);
      assert.equal(phone.notifies.length, 1);
      assert.match(phone.notifies[0]!.body.toString(), /^Messages-Waiting: no\r\n.*Voice-Message: 0\/1/s);
    });
  }

  it("with unsolicited MWI off gets nothing", async () => {
    const h = createMwiHarness({ unsolicited: false });
    const phone = h.device("100");
    await h.run(100);
    assert.equal(phone.notifies.length, 0);
  });
});
