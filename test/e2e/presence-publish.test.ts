/**
 * End to end (issue 19): PUBLISH (RFC 3903) against a real `parley start`, with scripted phones.
 * Two devices of 101 publish (one "away, gone for lunch", then one "back at desk"); 102, watching
 * 101's presence, sees the latest; when the second removes its publication the first shows again.
 * Unconditional forwarding shows as away with its number. Each PUBLISH gets a new SIP-ETag; an unknown one is 412; a malformed PIDF is 400 naming the
 * problem; another user's presence 403; an unknown package 489; a body that is not PIDF 415.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidf(user: string, basic: "open" | "closed", activity: string | undefined, note: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:${user}@127.0.0.1">` +
    `<tuple id="d1"><status><basic>${basic}</basic></status><note>${note}</note></tuple>` +
    `<dm:person id="p1">${activity === undefined ? "" : `<rpid:activities><rpid:${activity}/></rpid:activities>`}</dm:person>` +
    "</presence>"
  );
}

describe("PUBLISH of presence (scripted phones)", () => {
  let parley: ParleyProcess;
  const phones: ScriptedPhone[] = [];
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  async function phone(user: string): Promise<ScriptedPhone> {
    const p = await ScriptedPhone.open(user, parley.sipPort);
    phones.push(p);
    return p;
  }

  /** The latest presence NOTIFY body 102 received, once it matches `re`. */
  async function watcherSees(watcher: ScriptedPhone, re: RegExp): Promise<string> {
    let last = "";
    for (let i = 0; i < 100; i++) {
      const notifies = watcher.received.filter((m) => m.method === "NOTIFY");
      last = notifies.at(-1)?.body.toString() ?? "";
      if (re.test(last)) return last;
      await sleep(30);
    }
    assert.fail(`the watcher never saw ${re}; last: ${last}`);
  }

  it("two devices publish; the latest shows; removing it falls back to the other", {
    timeout: 30000,
  }, async () => {
    const deskPhone = await phone("101");
    const softphone = await phone("101");
    assert.equal((await deskPhone.register()).status, 200);
    const watcher = await phone("102");
    assert.equal((await watcher.subscribe("101", "presence")).status, 200);
    await watcherSees(watcher, /<note>Online<\/note>/);

    const lunch = await deskPhone.publish("101", pidf("101", "open", "away", "Gone for lunch"), {
      expires: 600,
    });
    assert.equal(lunch.status, 200);
    const lunchTag = lunch.get("sip-etag");
    assert.ok(lunchTag, "a SIP-ETag");
    assert.equal(lunch.get("expires"), "600");
    await watcherSees(watcher, /<rpid:away\/>.*Gone for lunch/s);

    const back = await softphone.publish("101", pidf("101", "open", undefined, "Back at desk"), {
      expires: 600,
    });
    assert.equal(back.status, 200);
    const backTag = back.get("sip-etag")!;
    assert.notEqual(backTag, lunchTag);
    const seen = await watcherSees(watcher, /Back at desk/);
    assert.doesNotMatch(seen, /rpid:away/);

    // A refresh (no body) keeps the state and gets a new entity-tag; the old one is then unknown.
    const refreshed = await softphone.publish("101", "", { ifMatch: backTag, expires: 600 });
    assert.equal(refreshed.status, 200);
    const newTag = refreshed.get("sip-etag")!;
    assert.notEqual(newTag, backTag);
    assert.equal((await softphone.publish("101", "", { ifMatch: backTag })).status, 412);

    assert.equal((await softphone.publish("101", "", { ifMatch: newTag, expires: 0 })).status, 200);
    await watcherSees(watcher, /<rpid:away\/>.*Gone for lunch/s);
    assert.equal((await deskPhone.publish("101", "", { ifMatch: lunchTag!, expires: 0 })).status, 200);
    await watcherSees(watcher, /<note>Online<\/note>/);
    // Presence honours unconditional forwarding: away, reachable at the number.
    const forward = (enabled: boolean) =>
      parley.api("PATCH", "/api/v1/users/101", { forwarding: { unconditional: { enabled, number: "102" } } });
    assert.equal((await forward(true)).status, 200);
    await watcherSees(watcher, /<rpid:away\/>.*Calls forwarded to 102/s);
    await forward(false);
    await watcherSees(watcher, /<note>Online<\/note>/);
  });

  it("refuses what it cannot take, each with its reason", { timeout: 30000 }, async () => {
    const device = await phone("101");
    const malformed = await device.publish("101", "<presence><tuple>");
    assert.equal(malformed.status, 400);
    assert.match(malformed.reason, /malformed PIDF/);
    const noEntity = await device.publish("101", '<presence xmlns="urn:ietf:params:xml:ns:pidf"/>');
    assert.equal(noEntity.status, 400);
    assert.match(noEntity.reason, /no entity/);
    assert.equal((await device.publish("102", pidf("102", "open", undefined, "x"))).status, 403);
    const badEvent = await device.publish("101", pidf("101", "open", undefined, "x"), { event: "dialog" });
    assert.equal(badEvent.status, 489);
    assert.equal(badEvent.get("allow-events"), "presence");
    const plain = await device.publish("101", "hello", { contentType: "text/plain" });
    assert.equal(plain.status, 415);
    assert.equal(plain.get("accept"), "application/pidf+xml");
    assert.equal(
      (await device.publish("101", pidf("101", "open", undefined, "x"), { expires: 10 })).status,
      423,
    );
  });
});
