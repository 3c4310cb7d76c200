/**
 * End to end (issue 19): an operator console watches every user through one resource list
 * subscription (RFC 4662) to `sip:*all@<server>`: each NOTIFY is multipart/related with an RLMI
 * document naming the users and each user's PIDF, re-sent when any user changes. Without
 * `Supported: eventlist` the SUBSCRIBE is 421 with `Require: eventlist`; a user of a presence
 * group sees only its group in the list.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("resource list subscriptions for operator consoles (RFC 4662)", () => {
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

  /** The latest NOTIFY body once it matches `re`. */
  async function sees(p: ScriptedPhone, re: RegExp): Promise<{ body: string; type: string }> {
    let last = { body: "", type: "" };
    for (let i = 0; i < 100; i++) {
      const n = p.received.filter((m) => m.method === "NOTIFY").at(-1);
      if (n !== undefined) last = { body: n.body.toString(), type: n.get("content-type") ?? "" };
      if (re.test(last.body)) return last;
      await sleep(30);
    }
    assert.fail(`never saw ${re}; last: ${last.body}`);
  }

  it("the operator's list holds every user and follows their changes", { timeout: 30000 }, async () => {
    await parley.api("PATCH", "/api/v1/users/100", { subscribeAllPresence: true, presenceGroup: 9 });
    const operator = await phone("100");
    const refused = await operator.subscribe("*all", "presence");
    assert.equal(refused.status, 421);
    assert.equal(refused.get("require"), "eventlist");
    const ok = await operator.subscribe("*all", "presence", 600, ["Supported: eventlist"]);
    assert.equal(ok.status, 200);
    assert.equal(ok.get("require"), "eventlist");
    const first = await sees(operator, /urn:ietf:params:xml:ns:rlmi/);
    assert.match(
      first.type,
      /^multipart\/related;type="application\/rlmi\+xml";start="<[^>]+>";boundary="[^"]+"$/,
    );
    for (const user of ["100", "101", "102"])
      assert.match(first.body, new RegExp(`<resource uri="sip:${user}@`));
    assert.match(first.body, /version="0" fullState="true"/);
    assert.equal(first.body.match(/Content-Type: application\/pidf\+xml/g)?.length, 3);

    const colleague = await phone("101");
    assert.equal((await colleague.register()).status, 200);
    const after = await sees(operator, /entity="sip:101@[^"]*">\s*<tuple id="t1"><status><basic>open/);
    assert.match(after.body, /version="[1-9]\d*"/);
  });

  it("a user of a presence group sees only its group; the dialog package lists too", {
    timeout: 30000,
  }, async () => {
    await parley.api("PATCH", "/api/v1/users/101", { presenceGroup: 2 });
    await parley.api("PATCH", "/api/v1/users/102", { presenceGroup: 2 });
    const member = await phone("102");
    assert.equal((await member.subscribe("*all", "dialog", 600, ["Supported: eventlist"])).status, 200);
    const list = await sees(member, /urn:ietf:params:xml:ns:rlmi/);
    assert.match(list.body, /<resource uri="sip:101@/);
    assert.match(list.body, /<resource uri="sip:102@/);
    assert.doesNotMatch(list.body, /<resource uri="sip:100@/, "100 is in group 9");
    assert.equal(list.body.match(/Content-Type: application\/dialog-info\+xml/g)?.length, 2);
  });
});
