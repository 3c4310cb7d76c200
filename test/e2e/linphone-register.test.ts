/**
 * End to end: linphonec (belle-sip), a real softphone that implements RFC 8760, registers with
 * SHA-256 digest when Parley offers SHA-256 first (sipp 3.6.1 only does MD5: "authentication must
 * use MD5 or AKAv1-MD5").
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startLinphonec } from "../helpers/linphonec.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";

const noLinphone = missingTool("linphonec");

describe("linphonec registers with SHA-256 digest", { skip: noLinphone }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--digest-algorithms", "SHA-256,MD5", "--sip-trace"]);
  });
  after(async () => {
    await parley.stop();
  });

  it("answers the SHA-256 challenge, is registered, and Parley verified a SHA-256 response", async () => {
    const phone = startLinphonec(-1);
    try {
      phone.command(`register sip:100@127.0.0.1:${parley.sipPort} sip:127.0.0.1:${parley.sipPort} 100`);
      let online = false;
      for (let i = 0; i < 100 && !online; i++) {
        await new Promise((r) => setTimeout(r, 100));
        online = (await parley.api("GET", "/api/v1/users/100")).body.state === "online";
      }
      assert.ok(online, `not registered; linphonec said:\n${phone.output()}`);
      const list = await parley.api("GET", "/api/v1/registrations?user=100");
      assert.match(list.body.items[0].userAgent, /Linphonec/);
      // The REGISTER that got 200 carried SHA-256 credentials.
      await parley.waitForLog(
        (l) =>
          l.direction === "in" &&
          typeof l.msg === "string" &&
          /Authorization:[^\r\n]*algorithm=SHA-256/.test(l.msg),
      );
    } finally {
      await phone.quit();
    }
  });
});
