/**
 * End to end (issue 15): follow-me with sipp phones against a real `parley start`, set through
 * the REST API. Strategy 0 rings destinations B and C at once (C answers); strategy 1 rings C when
 * B is busy; strategy 2 rings C when B has rung the interval out (B is cancelled); when every
 * destination fails, voicemail of the follow-me user answers (MSS V3.1.6).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";
import { addUser } from "../helpers/user-passwords.js";

describe("follow-me (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
    // The embedded defaults are 100, 101 and 102: a third destination needs a user of its own.
    const created = await addUser(parley, "103");
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(() => parley.stop());

  async function followMe(strategy: number, interval = 20): Promise<void> {
    const r = await parley.api("PATCH", "/api/v1/users/101", {
      followMe: { strategy, interval, destinations: ["102", "103", ""] },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  it("strategy 0: both destinations ring at once, the one that answers gets the call", {
    timeout: 60000,
  }, async () => {
    await followMe(0);
    const b = await registeredUas(parley, "102", "call-uas-cancelled.xml");
    const c = await registeredUas(parley, "103", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "caller", parley);
    passed(await c.done, "C answered", parley);
    passed(await b.done, "B rang and was cancelled", parley);
  });

  it("strategy 1: C rings when B is busy", { timeout: 60000 }, async () => {
    await followMe(1);
    const b = await registeredUas(parley, "102", "call-uas-busy.xml");
    const c = await registeredUas(parley, "103", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "caller", parley);
    passed(await b.done, "B was busy", parley);
    passed(await c.done, "C answered", parley);
  });

  it("strategy 2: C rings when B has rung the interval out", { timeout: 60000 }, async () => {
    await followMe(2, 2);
    const b = await registeredUas(parley, "102", "call-uas-cancelled.xml");
    const c = await registeredUas(parley, "103", "call-uas-answer.xml");
    const started = Date.now();
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "caller", parley);
    passed(await b.done, "B was cancelled after the interval", parley);
    passed(await c.done, "C answered", parley);
    assert.ok(Date.now() - started >= 2000, "C only after the 2 s interval");
    await parley.api("PATCH", "/api/v1/users/101", {
      followMe: { strategy: 0, interval: 20, destinations: ["", "", ""] },
    });
  });

  it("voicemail of the user answers when every destination failed", { timeout: 60000 }, async () => {
    await followMe(1);
    await parley.api("PATCH", "/api/v1/users/101", { voicemailOnUnreachableOrNoAnswer: true });
    const b = await registeredUas(parley, "102", "call-uas-busy.xml");
    const c = await registeredUas(parley, "103", "call-uas-busy.xml");
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "voicemail answered the caller", parley);
    passed(await b.done, "B was busy", parley);
    passed(await c.done, "C was busy", parley);
    let record: { legs: Array<{ peer: string }> } | undefined;
    for (let i = 0; i < 30 && record === undefined; i++) {
      record = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items?.[0];
      if (record === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      record?.legs.some((l) => l.peer === "parley:voicemail"),
      `answered by voicemail: ${JSON.stringify(record)}`,
    );
    await parley.api("PATCH", "/api/v1/users/101", {
      voicemailOnUnreachableOrNoAnswer: false,
      followMe: { strategy: 0, interval: 20, destinations: ["", "", ""] },
    });
  });
});
