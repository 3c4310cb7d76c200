/**
 * End to end (issue 15): forwarding set by feature code from a real phone, and the toll-fraud
 * guard, against a real `parley start`.
 * - baresip 100 dials `*93*102#`: Parley confirms and hangs up, the API shows the number; a call
 *   from baresip 101 to 100 then rings baresip 102, whose INVITE carries Diversion and
 *   History-Info (Parley's SIP trace); `*93#` clears it.
 * - A forwarding to a number that needs a higher call right than the forwarding user has is
 *   refused (403), even though the caller has that right: the forwarding user's right counts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PresetPhones, toneWav } from "../helpers/baresip-phone.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

const skip = missingTool("baresip") || missingTool("sipp") || missingTool("sox");

describe("forwarding from real phones, and the forwarding user's call right", { skip }, () => {
  let parley: ParleyProcess;
  let work: string;
  const phones = new PresetPhones(() => `127.0.0.1:${parley.sipPort}`, 25000);

  before(async () => {
    parley = await startParley(["--sip-trace", "--rtp-ports", "34000-34199"]);
    work = mkdtempSync(join(tmpdir(), "parley-fwd-phones-"));
    await toneWav(join(work, "silence.wav"), 0, 60);
  });

  after(async () => {
    await phones.stopAll();
    await parley.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function unconditional(): Promise<{ enabled: boolean; number: string }> {
    return (await parley.api("GET", "/api/v1/users/100")).body.forwarding.unconditional;
  }

  it("*93*102# from baresip sets the forwarding, a call to 100 rings 102 with Diversion, *93# clears", {
    timeout: 90000,
  }, async () => {
    const silence = join(work, "silence.wav");
    await parley.api("PATCH", "/api/v1/users/100", { forwarding: { unconditional: { enabled: true } } });
    const a = await phones.phone("100", silence);
    a.command("dial", `sip:*93*102#@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 20000), `Parley confirms and hangs up\n${a.output()}`);
    assert.deepEqual(await unconditional(), { enabled: true, number: "102" });

    const c = await phones.phone("102", silence, { autoAnswer: true });
    const b = await phones.phone("101", silence);
    const since = Date.now();
    b.command("dial", `sip:100@127.0.0.1:${parley.sipPort}`);
    assert.ok(
      await c.waitForEvent("CALL_ESTABLISHED", 15000),
      `102 answered the forwarded call\n${c.output()}`,
    );
    const invite = await parley.waitForLog(
      (l) =>
        (l.time as number) >= since &&
        l.direction === "out" &&
        typeof l.msg === "string" &&
        /\nINVITE sip:102-/.test(l.msg),
      5000,
    );
    assert.match(String(invite.msg), /\r\nDiversion: [^\r]*sip:100@[^\r]*reason=unconditional/i);
    assert.match(String(invite.msg), /\r\nHistory-Info: /i);
    b.command("hangup");
    assert.ok(await c.waitForEvent("CALL_CLOSED", 10000));

    a.events.length = 0;
    a.command("dial", `sip:*93#@127.0.0.1:${parley.sipPort}`);
    assert.ok(await a.waitForEvent("CALL_CLOSED", 20000), "Parley confirms the clearing");
    assert.deepEqual(await unconditional(), { enabled: true, number: "" });
  });

  it("a forwarding to a number beyond the forwarding user's call right is refused", {
    timeout: 60000,
  }, async () => {
    // "00" + extension reaches that extension, for call right 2 and up (an "outside" number).
    await parley.api("POST", "/api/v1/dialplan/transitions", { id: 7, type: "delete", start: 0, length: 2 });
    const record = await parley.api("POST", "/api/v1/dialplan/analyze", {
      prefix: "00",
      routeType: "local-user",
      callRight: 2,
      changeNumber: true,
      transitionId: 7,
      reanalyze: true,
    });
    assert.equal(record.status, 201, JSON.stringify(record.body));
    // The caller 102 may dial 00...; the forwarding user 101 may not.
    await parley.api("PATCH", "/api/v1/users/102", { callRight: 5 });
    await parley.api("PATCH", "/api/v1/users/101", {
      forwarding: { unconditional: { enabled: true, number: "00100" } },
    });
    passed(await uac(parley, "102", "101", "call-uac-403.xml"), "refused: 101's call right is 1", parley);

    await parley.api("PATCH", "/api/v1/users/101", { callRight: 2 });
    const callee = await registeredUas(parley, "100", "call-uas-answer.xml");
    passed(
      await uac(parley, "102", "101", "call-uac-forwarded.xml"),
      "forwarded once 101 has the right",
      parley,
    );
    passed(await callee.done, "100 answered the forwarded call", parley);
  });
});
