/**
 * End to end (issue 19): a SUBSCRIBE storm from one address at ten times Parley's capacity. With
 * `--max-subscriptions 100 --max-subscriptions-per-user 20`, 102 sends 1,000 authenticated
 * SUBSCRIBEs (each a new dialog) from one socket: 20 are accepted, the rest refused 403; the
 * subscriptions Parley holds stay at the limit (GET /api/v1/subscriptions), and a legitimate
 * watcher (101) is still accepted and served its NOTIFY.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";

describe("a SUBSCRIBE storm is bounded", () => {
  let parley: ParleyProcess;
  const phones: ScriptedPhone[] = [];
  before(async () => {
    parley = await startParley(["--max-subscriptions", "100", "--max-subscriptions-per-user", "20"]);
  });
  after(async () => {
    for (const p of phones) p.close();
    await parley.stop();
  });

  it("1,000 SUBSCRIBEs from one address: 20 held, the rest 403, a legitimate watcher served", {
    timeout: 120000,
  }, async () => {
    const storm = await ScriptedPhone.open("102", parley.sipPort);
    phones.push(storm);
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => storm.subscribe("100", "presence")));
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 200: 20, 403: 980 });
    const held = (await parley.api("GET", "/api/v1/subscriptions")).body.items as Array<{ user: string }>;
    assert.equal(held.filter((s) => s.user === "102").length, 20);

    const watcher = await ScriptedPhone.open("101", parley.sipPort);
    phones.push(watcher);
    assert.equal((await watcher.subscribe("100", "presence")).status, 200);
    await watcher.waitFor((m) => m.method === "NOTIFY");
    assert.equal((await parley.api("GET", "/api/v1/subscriptions")).body.items.length, 21);
  });
});
