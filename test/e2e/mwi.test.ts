/**
 * End to end: message-waiting indication (RFC 3842) through a real `parley start`, with mailbox
 * counts from its store (empty mailboxes here; the counts after a deposit or a deletion are the
 * voicemail tests' part, and test/presence/mwi-sipp.test.ts drives changes in-process):
 * - baresip with its mwi module registers, SUBSCRIBEs to message-summary, shows the summary of
 *   the NOTIFY (Messages-Waiting: no) and un-subscribes on quit;
 * - a sipp phone registered without subscribing gets an unsolicited NOTIFY as it registers when
 *   its user has voicemail, none when not (the mailbox being empty);
 * - SUBSCRIBE refusals: another user's mailbox (401, then 403), an unknown package (489).
 */
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { baresipConfigDir } from "../helpers/baresip.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePortPair } from "../helpers/ports.js";
import { missingTool, runTool } from "../helpers/run-tool.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

describe("MWI (RFC 3842), end to end", { skip: missingTool("sipp") || missingTool("baresip") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
    const patched = await parley.api("PATCH", "/api/v1/users/102", {
      voicemailOnUnreachableOrNoAnswer: true,
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });
  after(async () => {
    await parley.stop();
  });

  it("baresip's mwi module subscribes, shows Messages-Waiting: no, and un-subscribes on quit", async () => {
    const port = await freePortPair();
    const dir = baresipConfigDir({
      account: `<sip:101@127.0.0.1:${parley.sipPort}>;auth_pass=101;regint=60`,
      sipPort: port,
      seconds: 4,
    });
    appendFileSync(join(dir, "config"), "module_app mwi.so\n");
    const r = await runTool("baresip", ["-f", dir, "-t", "4"], 45_000);
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
    assert.match(out, /mwi: subscribing to messages for sip:101@/);
    assert.match(
      out,
      /----- MWI for sip:101@[^\n]*\r?\nMessages-Waiting: no\r?\nMessage-Account: sip:101@[^\r\n]*\r?\nVoice-Message: 0\/0 \(0\/0\)/,
    );
    const created = await parley.waitForLog((l) => l.msg === "subscription created" && l.user === "101");
    assert.equal(created.package, "message-summary");
    await parley.waitForLog((l) => l.msg === "subscription ended" && l.subscription === created.subscription);
  });

  it("a phone of a user with voicemail, registered without subscribing, gets an unsolicited NOTIFY", async () => {
    const device = await registeredUas(parley, "102", "mwi-unsolicited-no.xml");
    passed(await device.done, "device", parley);
  });

  it("a phone of a user without voicemail and with an empty mailbox gets no NOTIFY as it registers", async () => {
    // The MESSAGE is the first request the phone gets: a NOTIFY before it would fail the scenario.
    const named = await parley.api("PATCH", "/api/v1/users/100", { displayName: "Alice Pager" });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    const recipient = await registeredUas(parley, "101", "message-uas.xml");
    passed(await uac(parley, "100", "101", "message-uac-200.xml"), "sender", parley);
    passed(await recipient.done, "recipient", parley);
  });

  it("a SUBSCRIBE to another user's mailbox gets 403 after the 401 challenge", async () => {
    passed(await uac(parley, "100", "101", "mwi-subscribe-403.xml"), "subscriber", parley);
  });

  it("a SUBSCRIBE for an unknown event package gets 489 Bad Event with Allow-Events", async () => {
    passed(await uac(parley, "100", "100", "mwi-subscribe-489.xml"), "subscriber", parley);
  });
});
