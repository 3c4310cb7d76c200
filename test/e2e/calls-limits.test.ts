/**
 * End to end: what the call engine does beyond the basic flows (issue 4), with sipp phones and a
 * real `parley start`: live calls in the API and ending one there, the callee's user state,
 * maximum duration, the concurrency limits, and reliable provisionals (RFC 3262) on both legs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool, type ToolResult } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON
type Json = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("call limits, live calls and 100rel, end to end", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  const seen = new Set<number>();

  async function lastCdr(dialed: string): Promise<Json> {
    for (let i = 0; i < 30; i++) {
      const res = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=1`);
      assert.equal(res.status, 200);
      const item = res.body.items[0];
      if (item !== undefined && !seen.has(item.id)) {
        seen.add(item.id);
        return item;
      }
      await sleep(100);
    }
    assert.fail(`no new CDR for ${dialed}`);
  }

  async function patchUser(name: string, patch: Record<string, unknown>): Promise<void> {
    const res = await parley.api("PATCH", `/api/v1/users/${name}`, patch);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /** Polls GET /api/v1/calls until `accept` holds for some call; returns that call. */
  async function waitForCall(accept: (call: Json) => boolean): Promise<Json> {
    for (let i = 0; i < 100; i++) {
      const res = await parley.api("GET", "/api/v1/calls");
      assert.equal(res.status, 200);
      const found = (res.body.items as Json[]).find(accept);
      if (found !== undefined) return found;
      await sleep(50);
    }
    assert.fail("no such call listed");
  }

  /** Sets up an answered call 100 → 101 that only Parley ends (both sipp phones wait for BYE). */
  async function answeredCall(): Promise<{
    id: string;
    caller: Promise<ToolResult>;
    callee: Promise<ToolResult>;
  }> {
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    const caller = uac(parley, "100", "101", "call-uac-wait-bye.xml");
    const call = await waitForCall((c) => c.caller === "100" && c.state === "answered");
    return { id: call.id, caller, callee: callee.done };
  }

  async function hangUp(id: string): Promise<void> {
    const res = await parley.api("DELETE", `/api/v1/calls/${id}`);
    assert.equal(res.status, 204, JSON.stringify(res.body));
  }

  before(async () => {
    parley = await startParley(["--no-answer-time", "10"]);
  });
  after(async () => {
    await parley.stop();
  });

  describe("GET and DELETE /api/v1/calls", () => {
    it("lists an active call with both legs; DELETE sends BYE on both legs; the callee goes ringing, talking, online", async () => {
      const callee = await registeredUas(parley, "101", "call-uas-slow-answer.xml");
      const caller = uac(parley, "100", "101", "call-uac-wait-bye.xml");
      const states: string[] = [];
      let call: Json;
      for (let i = 0; i < 100 && call?.state !== "answered"; i++) {
        const user = await parley.api("GET", "/api/v1/users/101");
        if (states.at(-1) !== user.body.state) states.push(user.body.state);
        const list = await parley.api("GET", "/api/v1/calls");
        call = (list.body.items as Json[]).find((c) => c.caller === "100");
        await sleep(50);
      }
      assert.equal(call?.state, "answered", JSON.stringify(call));
      const user = await parley.api("GET", "/api/v1/users/101");
      if (states.at(-1) !== user.body.state) states.push(user.body.state);
      assert.equal(call.dialed, "101");
      assert.equal(call.callee, "101");
      assert.deepEqual(
        call.legs.map((l: Json) => l.role),
        ["caller", "callee"],
      );
      assert.notEqual(call.legs[0].callId, call.legs[1].callId);
      await hangUp(call.id);
      passed(await caller, "caller (BYE from Parley)", parley);
      passed(await callee.done, "callee (BYE from Parley)", parley);
      const after = await parley.api("GET", "/api/v1/users/101");
      states.push(after.body.state);
      // Before Parley rings it the callee may still show "online".
      const sequence = states[0] === "online" ? states.slice(1) : states;
      assert.deepEqual(sequence, ["ringing", "talking", "online"], `user 101 went ${states.join(" → ")}`);
      const cdr = await lastCdr("101");
      assert.equal(cdr.disposition, "answered");
      assert.equal((await parley.api("GET", "/api/v1/calls")).body.items.length, 0);
      assert.equal((await parley.api("DELETE", `/api/v1/calls/${call.id}`)).status, 404);
    });
  });

  describe("maximum concurrent calls", () => {
    it("a caller at maxConcurrentCalls gets 403 Maximum Concurrent Calls Reached", async () => {
      await patchUser("100", { maxConcurrentCalls: 1 });
      try {
        const first = await answeredCall();
        passed(await uac(parley, "100", "102", "call-uac-403.xml"), "second call", parley);
        const cdr = await lastCdr("102");
        assert.equal(cdr.sipStatus, 403);
        assert.equal(cdr.sipReason, "Maximum Concurrent Calls Reached");
        assert.equal(cdr.disposition, "failed");
        await hangUp(first.id);
        passed(await first.caller, "first caller", parley);
        passed(await first.callee, "first callee", parley);
      } finally {
        await patchUser("100", { maxConcurrentCalls: 4 });
      }
    });

    it("a caller at maxConcurrentOutgoingCalls gets 403 Maximum Concurrent Outgoing Calls Reached", async () => {
      await patchUser("100", { maxConcurrentOutgoingCalls: 1 });
      try {
        const first = await answeredCall();
        passed(await uac(parley, "100", "102", "call-uac-403.xml"), "second call", parley);
        const cdr = await lastCdr("102");
        assert.equal(cdr.sipStatus, 403);
        assert.equal(cdr.sipReason, "Maximum Concurrent Outgoing Calls Reached");
        await hangUp(first.id);
        passed(await first.caller, "first caller", parley);
        passed(await first.callee, "first callee", parley);
      } finally {
        await patchUser("100", { maxConcurrentOutgoingCalls: 4 });
      }
    });

    it("a callee at maxConcurrentCalls makes a second caller busy (486)", async () => {
      await patchUser("101", { maxConcurrentCalls: 1 });
      try {
        const first = await answeredCall();
        passed(await uac(parley, "102", "101", "call-uac-486.xml"), "second caller", parley);
        const cdr = await lastCdr("101");
        assert.equal(cdr.caller, "102");
        assert.equal(cdr.disposition, "busy");
        assert.equal(cdr.sipStatus, 486);
        await hangUp(first.id);
        passed(await first.caller, "first caller", parley);
        passed(await first.callee, "first callee", parley);
      } finally {
        await patchUser("101", { maxConcurrentCalls: 4 });
      }
    });
  });

  describe("maximum duration", () => {
    it("a caller's maxDuration of 2 s ends the answered call with BYE on both legs", async () => {
      await patchUser("100", { maxDuration: 2 });
      try {
        const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
        const startedAt = Date.now();
        passed(await uac(parley, "100", "101", "call-uac-wait-bye.xml"), "caller (BYE from Parley)", parley);
        const elapsed = Date.now() - startedAt;
        passed(await callee.done, "callee (BYE from Parley)", parley);
        assert.ok(elapsed >= 2000 && elapsed < 5000, `the call lasted ${elapsed} ms`);
        const cdr = await lastCdr("101");
        assert.equal(cdr.disposition, "answered");
        assert.ok(cdr.talkTime >= 2 && cdr.talkTime <= 3, `CDR talk time ${cdr.talkTime}`);
        assert.equal(cdr.hangupCause, "max-duration");
      } finally {
        await patchUser("100", { maxDuration: 0 });
      }
    });
  });

  describe("reliable provisional responses (RFC 3262)", () => {
    it("a callee's reliable 180 is PRACKed by Parley; a caller that requires 100rel gets a reliable 180, its PRACK is answered, the call completes", async () => {
      const callee = await registeredUas(parley, "101", "call-uas-100rel.xml");
      passed(await uac(parley, "100", "101", "call-uac-100rel.xml"), "caller", parley);
      passed(await callee.done, "callee", parley);
      const cdr = await lastCdr("101");
      assert.equal(cdr.disposition, "answered");
    });

    it("a caller that only supports 100rel gets the 180 unreliably (FEATURES.md section 8)", async () => {
      const callee = await registeredUas(parley, "101", "call-uas-100rel.xml");
      passed(await uac(parley, "100", "101", "call-uac-100rel-supported.xml"), "caller", parley);
      passed(await callee.done, "callee", parley);
    });
  });
});
