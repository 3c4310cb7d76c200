/**
 * End to end with sipp (issue 6): with `--media-relay always`, the SDP crossing legs is rewritten
 * to the relay on every message that carries it: the INVITE's offer to the callee, the callee's
 * early media (183) and its answer (200) to the caller. Each scenario fails unless the body it
 * receives names the relay's address and a port of the configured range. The CDR tells the call
 * was relayed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

describe("media relay rewrites SDP on every crossing (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--media-relay", "always", "--rtp-ports", "30500-30599"]);
  });
  after(() => parley.stop());

  it("offer, 183 early media and 200 answer all point at the relay; the CDR says relayed", async () => {
    const callee = await registeredUas(parley, "101", "media-uas-early.xml");
    const caller = await uac(parley, "100", "101", "media-uac-early.xml");
    passed(caller, "caller (183 and 200 rewritten)", parley);
    passed(await callee.done, "callee (offer rewritten)", parley);
    let media: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && media === undefined; i++) {
      media = (await parley.api("GET", "/api/v1/cdrs?number=101&limit=1")).body.items[0]?.media;
      if (media === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(media?.relayed, true, JSON.stringify(media));
    assert.equal(media?.reason, "setting");
  });
});
