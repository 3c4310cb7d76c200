/** End to end: baresip, a real softphone, registers to `parley start` and un-registers on quit. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runBaresip } from "../helpers/baresip.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePortPair } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";

const noBaresip = missingTool("baresip");

describe("baresip registers as a real phone", { skip: noBaresip }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    await parley.stop();
  });

  it("gets 200 OK with its binding, shows in the API while registered, and is gone after quitting", async () => {
    const port = await freePortPair();
    const run = runBaresip({
      account: `<sip:101@127.0.0.1:${parley.sipPort}>;auth_pass=101;regint=60`,
      sipPort: port,
      seconds: 4,
    });
    // While it runs, the registration is live.
    let seen = false;
    for (let i = 0; i < 30 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const list = await parley.api("GET", "/api/v1/registrations?user=101");
      seen = list.body.items.some((b: { userAgent?: string }) => /baresip/.test(b.userAgent ?? ""));
    }
    const r = await run;
    assert.match(
      r.stdout + r.stderr,
      /101@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK \(Parley\/[^)]*\) \[1 binding\]/,
    );
    assert.ok(seen, "the registration was listed by the API while baresip ran");
    const after = await parley.api("GET", "/api/v1/registrations?user=101");
    assert.equal(after.body.items.length, 0, "baresip un-registered on quit");
  });
});
