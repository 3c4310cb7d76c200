/**
 * End to end (issue 14): linphonec, a second real softphone (belle-sip and mediastreamer2, which
 * offer many codecs), reaches Parley's media endpoints: the prompt test (*44) is answered with a
 * G.711 law from linphone's offer, and Parley hangs up when the prompt has played; the call
 * record says answered, lasting the prompt.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startLinphonec } from "../helpers/linphonec.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";

describe("linphonec and Parley's media endpoints", { skip: missingTool("linphonec") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--rtp-ports", "31400-31499", "--sip-trace"]);
  });
  after(() => parley.stop());

  it("calls the prompt test: answered with G.711, Parley hangs up after the prompt", {
    timeout: 60000,
  }, async () => {
    const phone = startLinphonec(-1, "26400-26449");
    try {
      phone.command(`register sip:100@127.0.0.1:${parley.sipPort} sip:127.0.0.1:${parley.sipPort} 100`);
      let online = false;
      for (let i = 0; i < 100 && !online; i++) {
        await new Promise((r) => setTimeout(r, 100));
        online = (await parley.api("GET", "/api/v1/users/100")).body.state === "online";
      }
      assert.ok(online, `not registered; linphonec said:\n${phone.output()}`);
      phone.command(`call sip:*44@127.0.0.1:${parley.sipPort}`);
      // Parley's 200 answers with one G.711 law, and its BYE ends the call after the prompt.
      const ok = await parley.waitForLog(
        (l) =>
          l.direction === "out" &&
          typeof l.msg === "string" &&
          /SIP\/2\.0 200 OK[\s\S]*m=audio \d+ RTP\/AVP (0|8) 101\b/.test(l.msg),
        15000,
      );
      assert.ok(ok);
      await parley.waitForLog(
        (l) => l.direction === "out" && typeof l.msg === "string" && /\nBYE sip:100@/.test(l.msg),
        20000,
      );
      let cdr: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && cdr === undefined; i++) {
        cdr = (await parley.api("GET", "/api/v1/cdrs?number=*44&limit=1")).body.items?.[0];
        if (cdr === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(cdr?.disposition, "answered", JSON.stringify(cdr));
      const talkTime = Number(cdr?.talkTime);
      assert.ok(talkTime >= 5 && talkTime <= 9, `the call lasted the prompt (${talkTime} s)`);
    } finally {
      await phone.quit();
    }
  });
});
