/**
 * End to end (issue 15): call forwarding against a real `parley start` with sipp phones, each
 * kind set through the REST API: the caller gets 181 with Call-Info purpose=forwarding (checked
 * by its scenario), the new callee's INVITE carries Diversion with the kind's reason and
 * History-Info (read from Parley's SIP trace), and a loop ends in 482 without a storm.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

const off = { enabled: false, number: "" };
const none = { unconditional: off, busy: off, noAnswer: off, unreachable: off };

describe("call forwarding (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--sip-trace"]);
  });
  after(() => parley.stop());

  async function forward(
    user: string,
    forwarding: Record<string, unknown>,
    more: Record<string, unknown> = {},
  ) {
    const r = await parley.api("PATCH", `/api/v1/users/${user}`, {
      forwarding: { ...none, ...forwarding },
      ...more,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  async function unregister(user: string): Promise<void> {
    const list = await parley.api("GET", `/api/v1/registrations?user=${user}`);
    for (const b of list.body.items) await parley.api("DELETE", `/api/v1/registrations/${b.id}`);
  }

  /** The INVITE Parley sent to `to` after `since` (the SIP trace), for its headers. */
  async function inviteTo(to: string, since: number): Promise<string> {
    const line = await parley.waitForLog(
      (l) =>
        (l.time as number) >= since &&
        l.direction === "out" &&
        typeof l.msg === "string" &&
        new RegExp(`\\nINVITE sip:${to}@`).test(l.msg),
      10000,
    );
    return String(line.msg);
  }

  for (const kind of [
    { name: "unconditional", rule: "unconditional", reason: "unconditional", cause: 302, callee: undefined },
    { name: "busy", rule: "busy", reason: "user-busy", cause: 486, callee: "call-uas-busy.xml" },
    { name: "unreachable", rule: "unreachable", reason: "unavailable", cause: 480, callee: undefined },
  ] as const) {
    it(`${kind.name}: 181 to the caller, Diversion reason=${kind.reason} to the new callee`, {
      timeout: 60000,
    }, async () => {
      await forward("101", { [kind.rule]: { enabled: true, number: "102" } });
      // 101 is unreachable when no device of it is registered (an earlier step registered one).
      if (kind.rule === "unreachable") await unregister("101");
      const since = Date.now();
      const first = kind.callee === undefined ? undefined : await registeredUas(parley, "101", kind.callee);
      const target = await registeredUas(parley, "102", "call-uas-answer.xml");
      passed(
        await uac(parley, "100", "101", "call-uac-forwarded.xml"),
        "caller got 181 and the target's 200",
        parley,
      );
      passed(await target.done, "forward target answered", parley);
      if (first !== undefined) passed(await first.done, "first callee", parley);
      const invite = await inviteTo("102", since);
      assert.match(invite, new RegExp(`\\nDiversion: <sip:101@[^>]+>;reason=${kind.reason};counter=1`));
      assert.match(
        invite,
        new RegExp(
          `\\nHistory-Info: <sip:101@[^>]+>;index=1, <sip:102@[^;>]+;cause=${kind.cause}>;index=1\\.1;mp=1`,
        ),
      );
      // The call record names the forwarding user (on the leg it led to) and the final callee.
      let cdr: { callee?: string; legs: Array<{ forwardedBy?: string[] }> } | undefined;
      for (let i = 0; i < 50 && cdr?.callee !== "102"; i++) {
        cdr = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items[0];
        if (cdr?.callee !== "102") await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(cdr?.callee, "102", JSON.stringify(cdr));
      assert.ok(
        cdr?.legs.some((l) => l.forwardedBy?.[0] === "101"),
        JSON.stringify(cdr?.legs),
      );
    });
  }

  it("no answer: after the user's no-answer time the target rings, with reason no-answer", {
    timeout: 60000,
  }, async () => {
    await forward("101", { noAnswer: { enabled: true, number: "102" } }, { noAnswerTime: 2 });
    const since = Date.now();
    const first = await registeredUas(parley, "101", "call-uas-cancelled.xml");
    const target = await registeredUas(parley, "102", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "call-uac-forwarded.xml"), "caller", parley);
    passed(await first.done, "the unanswered callee was cancelled", parley);
    passed(await target.done, "forward target answered", parley);
    assert.match(await inviteTo("102", since), /\nDiversion: <sip:101@[^>]+>;reason=no-answer/);
    await parley.api("PATCH", "/api/v1/users/101", { noAnswerTime: 0 });
  });

  it("a forwarding loop ends in 482 Loop Detected", { timeout: 60000 }, async () => {
    await forward("101", { unconditional: { enabled: true, number: "102" } });
    await forward("102", { unconditional: { enabled: true, number: "101" } });
    passed(await uac(parley, "100", "101", "call-uac-482.xml"), "caller got 482", parley);
    await forward("102", {});
    await forward("101", {});
  });
});
