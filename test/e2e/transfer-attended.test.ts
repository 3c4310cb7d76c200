/**
 * End to end: attended transfer (issue 4, RFC 5589 7, Replaces RFC 3891) through a real
 * `parley start`. 100 (sipp) calls 101; 101 (a scripted phone holding two dialogs, which sipp
 * cannot) calls 102 (sipp), then REFERs 100 with Refer-To naming 102 and Replaces naming its own
 * dialog of the second call. Parley joins 100 and 102 (an offerless re-INVITE to 102, its offer
 * to 100, 100's answer in the ACK), ends the replaced dialog with BYE, reports NOTIFY 100 then
 * 200 to 101; 100 talks to 102 and hangs up.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { ScriptedPhone } from "../helpers/scripted-phone.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";
import { passed, registeredUas, uac } from "../helpers/sipp-phones.js";

const noSipp = missingTool("sipp");

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON
async function cdrFor(parley: ParleyProcess, caller: string, dialed: string): Promise<any> {
  for (let i = 0; i < 30; i++) {
    const res = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=5`);
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON
    const item = res.body.items.find((c: any) => c.caller === caller && c.dialed === dialed);
    if (item !== undefined) return item;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no CDR for ${caller} -> ${dialed}`);
}

describe("attended transfer, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  let b: ScriptedPhone;
  before(async () => {
    parley = await startParley();
    b = await ScriptedPhone.open("101", parley.sipPort);
  });
  after(async () => {
    b.close();
    await parley.stop();
  });

  it("101 joins 100 to 102 with Replaces: NOTIFY 200, the replaced dialog gets BYE, 100 talks to 102", async () => {
    assert.equal((await b.register()).status, 200);
    const target = await registeredUas(parley, "102", "xfer-uas-attended-target.xml");
    const transferee = uac(parley, "100", "101", "xfer-uac-transferee.xml");
    const fromA = await b.waitFor((m) => m.method === "INVITE");
    await b.waitFor((m) => m.method === "ACK" && m.callId === fromA.callId);
    const first = b.dialogs.find((d) => d.callId === fromA.callId)!;
    const second = await b.call("102");
    const replaces = encodeURIComponent(
      `${second.callId};to-tag=${second.remoteTag};from-tag=${second.localTag}`,
    );
    const refer = await b.inDialog(first, "REFER", [
      `Refer-To: <sip:102@127.0.0.1:${parley.sipPort}?Replaces=${replaces}>`,
      "Referred-By: <sip:101@127.0.0.1>",
    ]);
    assert.equal(refer.status, 202, refer.reason);
    const final = await b.waitFor(
      (m) =>
        m.method === "NOTIFY" && m.callId === first.callId && m.body.toString().startsWith("SIP/2.0 200"),
    );
    assert.match(final.get("subscription-state") ?? "", /^terminated/);
    assert.match(final.get("content-type") ?? "", /^message\/sipfrag/);
    const trying = b.received.find(
      (m) => m.method === "NOTIFY" && m.body.toString().startsWith("SIP/2.0 100"),
    );
    assert.ok(trying, "the first NOTIFY says 100 Trying (RFC 3515 2.4.4)");
    assert.equal(trying.get("event"), "refer");
    // RFC 3891 3: the replaced dialog is ended by Parley.
    await b.waitFor((m) => m.method === "BYE" && m.callId === second.callId);
    assert.equal((await b.inDialog(first, "BYE")).status, 200);
    passed(await transferee, "transferee 100", parley);
    passed(await target.done, "target 102", parley);
    const joined = await cdrFor(parley, "100", "101");
    assert.equal(joined.disposition, "answered");
    assert.equal(joined.callee, "102", "the final callee is the transfer target");
    const consult = await cdrFor(parley, "101", "102");
    assert.equal(consult.disposition, "answered");
    assert.equal(consult.sipReason, "Transferred");
    const calls = await parley.api("GET", "/api/v1/calls");
    assert.deepEqual(calls.body.items, [], "no call is left behind");
  });

  it("a Replaces naming no dialog gets NOTIFY 481 and the call goes on", async () => {
    const mark = b.received.length;
    const transferee = uac(parley, "100", "101", "call-uac-wait-bye.xml");
    const invite = await b.waitFor((m) => m.method === "INVITE", mark);
    await b.waitFor((m) => m.method === "ACK" && m.callId === invite.callId, mark);
    const dialog = b.dialogs.find((d) => d.callId === invite.callId)!;
    const refer = await b.inDialog(dialog, "REFER", [
      `Refer-To: <sip:102@127.0.0.1:${parley.sipPort}?Replaces=nosuch%3Bto-tag%3Da%3Bfrom-tag%3Db>`,
    ]);
    assert.equal(refer.status, 202);
    await b.waitFor(
      (m) =>
        m.method === "NOTIFY" && m.callId === dialog.callId && m.body.toString().startsWith("SIP/2.0 481"),
      mark,
    );
    // The call is still 100 <-> 101: 101's BYE reaches 100.
    assert.equal((await b.inDialog(dialog, "BYE")).status, 200);
    passed(await transferee, "caller 100", parley);
  });

  it("a REFER without Refer-To is answered 400 (RFC 3515 2.4.1)", async () => {
    const mark = b.received.length;
    const transferee = uac(parley, "100", "101", "call-uac-wait-bye.xml");
    const invite = await b.waitFor((m) => m.method === "INVITE", mark);
    await b.waitFor((m) => m.method === "ACK" && m.callId === invite.callId, mark);
    const dialog = b.dialogs.find((d) => d.callId === invite.callId)!;
    const refer = await b.inDialog(dialog, "REFER");
    assert.equal(refer.status, 400);
    assert.equal(refer.reason, "Missing Refer-To");
    assert.equal((await b.inDialog(dialog, "BYE")).status, 200);
    passed(await transferee, "caller 100", parley);
  });

  it("a REFER outside any call is refused 403, and REFER is in Allow (RFC 3515 2.4.1)", async () => {
    const client = await SipUdpClient.open(parley.sipPort);
    try {
      const res = await client.send(
        [
          `REFER sip:100@127.0.0.1:${parley.sipPort} SIP/2.0`,
          "Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bKoodrefer1;rport",
          "Max-Forwards: 70",
          "From: <sip:101@127.0.0.1>;tag=ood",
          "To: <sip:100@127.0.0.1>",
          "Call-ID: out-of-dialog-refer@test",
          "CSeq: 1 REFER",
          "Contact: <sip:101@127.0.0.1:LOCALPORT>",
          `Refer-To: <sip:102@127.0.0.1:${parley.sipPort}>`,
          "Content-Length: 0",
          "",
          "",
        ].join("\r\n"),
      );
      assert.equal(res.status, 403);
      assert.equal(res.reason, "REFER Outside A Call Not Allowed");
      const options = await client.send(
        [
          `OPTIONS sip:127.0.0.1:${parley.sipPort} SIP/2.0`,
          "Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bKoodopt1;rport",
          "Max-Forwards: 70",
          "From: <sip:101@127.0.0.1>;tag=opt",
          "To: <sip:127.0.0.1>",
          "Call-ID: options-allow@test",
          "CSeq: 1 OPTIONS",
          "Content-Length: 0",
          "",
          "",
        ].join("\r\n"),
      );
      assert.match(options.getAll("allow").join(", "), /\bREFER\b/);
    } finally {
      client.close();
    }
  });
});
