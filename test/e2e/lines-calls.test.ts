/**
 * End to end: calls out through external lines to sipp "providers" and in from them (issue 5).
 * A local user (sipp, authenticated with 407 by Parley) dials out; the provider challenges the
 * INVITE (407) and checks the digest (verifyauth); its message trace shows what Parley sent.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, registeredUas, sipp, uac } from "../helpers/sipp-phones.js";
import { header, requests, requestUri, startProvider } from "../trunks/sipp-provider.js";

const noSipp = missingTool("sipp");

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** A digest answer checked the way a provider would (RFC 2617 3.2.2 without qop), independently of Parley's code. */
function checkDigest(value: string, method: string, user: string, password: string): void {
  const param = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(value)?.[1] ?? "";
  assert.equal(param("username"), user);
  const ha1 = md5(`${user}:${param("realm")}:${password}`);
  const ha2 = md5(`${method}:${param("uri")}`);
  assert.equal(param("response"), md5(`${ha1}:${param("nonce")}:${ha2}`));
}

describe("calls through external lines, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--no-answer-time", "8"]);
  });
  after(async () => {
    await parley.stop();
  });

  async function create(path: string, body: object): Promise<void> {
    const res = await parley.api("POST", `/api/v1/${path}`, body);
    assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
  }
  async function remove(path: string): Promise<void> {
    const res = await parley.api("DELETE", `/api/v1/${path}`);
    assert.equal(res.status, 204, `${path}: ${JSON.stringify(res.body)}`);
  }
  /** A line that needs no registration, to a provider on `port`. */
  const line = (account: string, port: number, fields: object = {}) => ({
    account,
    server: "127.0.0.1",
    serverPort: port,
    doNotRegister: true,
    ...fields,
  });

  it("out-group 9: digest on 407, Request-URI parameter, no 100rel, caller number as display name", async () => {
    const provider = await startProvider("prov-invite-auth.xml", { user: "trunk-user", password: "pw1" });
    await create(
      "external-lines",
      line("5550100", provider.port, {
        password: "pw1",
        authorizationId: "trunk-user",
        requestUriParameter: "user=phone",
        disable100rel: true,
        callerNumberAsDisplayName: true,
      }),
    );
    passed(await uac(parley, "100", "90123456", "call-uac-bye.xml"), "caller", parley);
    passed(await provider.done, "provider", parley);
    const [first, second] = requests(provider, "INVITE");
    assert.ok(first && second, "the INVITE and its authenticated retry");
    const domain = `127.0.0.1:${provider.port}`;
    // The out-group prefix 9 is removed; the line's parameter is appended.
    assert.equal(requestUri(first), `sip:0123456@${domain};user=phone`);
    assert.equal(header(first, "Proxy-Authorization"), undefined);
    checkDigest(header(second, "Proxy-Authorization") ?? "", "INVITE", "trunk-user", "pw1");
    // RFC 3261 22.2: the retry keeps Call-ID and From tag, with the next CSeq.
    assert.equal(header(second, "Call-ID"), header(first, "Call-ID"));
    assert.equal(header(second, "From"), header(first, "From"));
    assert.equal(
      Number(header(second, "CSeq")?.split(" ")[0]),
      Number(header(first, "CSeq")?.split(" ")[0]) + 1,
    );
    assert.doesNotMatch(header(second, "Supported") ?? "", /100rel/);
    assert.match(
      header(second, "From") ?? "",
      new RegExp(`^"100" <sip:5550100@${domain.replace(/\./g, "\\.")}>`),
    );
    assert.equal(header(second, "To"), `<sip:0123456@${domain}>`);
    const bye = requests(provider, "BYE");
    assert.equal(bye.length, 1, "the caller's BYE reached the provider");
    await remove("external-lines/5550100");
  });

  it("a provider's 401 to the INVITE is answered with Authorization (checked by sipp's verifyauth)", async () => {
    const provider = await startProvider("prov-invite-401.xml", {
      user: "5550101@127.0.0.1",
      password: "pw2",
    });
    await create(
      "external-lines",
      line("5550101", provider.port, { password: "pw2", authUserIncludesDomain: true }),
    );
    passed(await uac(parley, "101", "9876", "call-uac-bye.xml"), "caller", parley);
    passed(await provider.done, "provider", parley);
    const invites = requests(provider, "INVITE");
    assert.equal(invites.length, 2);
    // 100rel stays offered on a line that does not disable it.
    assert.match(header(invites[1]!, "Supported") ?? "", /100rel/);
    await remove("external-lines/5550101");
  });

  it("round robin over the lines open to all users", async () => {
    const a = await startProvider("call-uas-answer.xml");
    const b = await startProvider("call-uas-answer.xml");
    await create("external-lines", line("rr-a", a.port));
    await create("external-lines", line("rr-b", b.port));
    passed(await uac(parley, "100", "9111", "call-uac-bye.xml"), "first call", parley);
    passed(await uac(parley, "101", "9222", "call-uac-bye.xml"), "second call", parley);
    passed(await a.done, "provider a", parley);
    passed(await b.done, "provider b", parley);
    const numbers = [...requests(a, "INVITE"), ...requests(b, "INVITE")].map(
      (m) => requestUri(m).split("@")[0],
    );
    assert.deepEqual(numbers.sort(), ["sip:111", "sip:222"]);
    await remove("external-lines/rr-a");
    await remove("external-lines/rr-b");
  });

  it("a failed line chains to the next one (analyze 7 → a specific line)", async () => {
    const failing = await startProvider("prov-reject-503.xml");
    const next = await startProvider("call-uas-answer.xml");
    await create("external-lines", line("ch-b", next.port, { allUsers: false }));
    await create("external-lines", line("ch-a", failing.port, { allUsers: false, chainTo: "ch-b" }));
    await create("dialplan/analyze", { prefix: "7", routeType: "external-line", externalLine: "ch-a" });
    passed(await uac(parley, "100", "7000", "call-uac-bye.xml"), "caller", parley);
    passed(await failing.done, "failing provider", parley);
    passed(await next.done, "next provider", parley);
    assert.equal(requestUri(requests(next, "INVITE")[0] ?? ""), `sip:7000@127.0.0.1:${next.port}`);
  });

  it("the line's no-answer timer releases the attempt and tries the chained line", async () => {
    const silent = await startProvider("prov-ring-no-answer.xml");
    const next = await startProvider("call-uas-answer.xml");
    await create("external-lines", line("na-b", next.port, { allUsers: false }));
    await create(
      "external-lines",
      line("na-a", silent.port, { allUsers: false, chainTo: "na-b", noAnswerTime: 1 }),
    );
    await create("dialplan/analyze", { prefix: "6", routeType: "external-line", externalLine: "na-a" });
    const started = Date.now();
    passed(await uac(parley, "100", "6000", "call-uac-bye.xml"), "caller", parley);
    passed(await silent.done, "silent provider (CANCEL)", parley);
    passed(await next.done, "next provider", parley);
    assert.equal(requests(silent, "CANCEL").length, 1);
    assert.ok(Date.now() - started >= 1000, "the first line rang for its no-answer time");
  });

  it("the line's maximum duration ends an answered call with BYE on both legs, at that duration", async () => {
    const maxDuration = 2;
    const provider = await startProvider("call-uas-answer.xml");
    await create("external-lines", line("short", provider.port, { allUsers: false, maxDuration }));
    await create("dialplan/analyze", { prefix: "4", routeType: "external-line", externalLine: "short" });
    passed(await uac(parley, "100", "4000", "call-uac-wait-bye.xml"), "caller (BYE from Parley)", parley);
    passed(await provider.done, "provider (BYE from Parley)", parley);
    // The call is up from the provider's 200 (the timer starts when Parley receives it) to the BYE
    // the provider receives: the maximum duration, within a tolerance for a loaded machine.
    const trace = provider.trace();
    const answered = trace.find((m) => m.direction === "sent" && /^SIP\/2\.0 200/.test(m.text));
    const bye = trace.find((m) => m.direction === "received" && m.text.startsWith("BYE "));
    assert.ok(answered && bye, "the provider answered and received BYE");
    const up = bye.at - answered.at;
    assert.ok(
      up >= maxDuration * 1000 - 50 && up <= maxDuration * 1000 + 750,
      `the call was up ${up} ms, the line's maximum is ${maxDuration} s`,
    );
    const cdrs = await parley.api("GET", "/api/v1/cdrs?number=4000&limit=1");
    const cdr = cdrs.body.items[0];
    assert.equal(cdr?.disposition, "answered");
    assert.ok(
      cdr.talkTime >= maxDuration && cdr.talkTime <= maxDuration + 1,
      `CDR talk time ${cdr.talkTime}`,
    );
    assert.equal(cdr.hangupCause, "max-duration");
  });

  it("an incoming call on a line set to the auto-attendant is answered by it (issue 17)", async () => {
    const port = await freePort();
    await create("external-lines", line("aa", port, { transferTo: "auto-attendant" }));
    passed(await sipp(parley, "prov-call-in.xml", port, ["-s", "aa"]), "provider calling in", parley);
    const cdrs = await parley.api("GET", "/api/v1/cdrs?number=aa&limit=1");
    assert.match(JSON.stringify(cdrs.body.items[0]?.legs ?? []), /parley:auto-attendant/);
  });

  it("every line busy or unusable: 503 to the caller", async () => {
    await create("external-lines", line("full", 5, { allUsers: false, maxOutgoingCalls: 0 }));
    await create("dialplan/analyze", { prefix: "5", routeType: "external-line", externalLine: "full" });
    passed(await uac(parley, "100", "5000", "call-uac-503.xml"), "caller", parley);
  });

  it("an incoming call on a line goes to its destination number, or to the called number", async () => {
    const port = await freePort();
    const port2 = await freePort();
    await create("external-lines", line("in-dest", port, { destinationNumber: "101" }));
    await create("external-lines", line("in-called", port2));
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await sipp(parley, "prov-call-in.xml", port, ["-s", "in-dest"]), "provider calling in", parley);
    passed(await callee.done, "101", parley);
    const other = await registeredUas(parley, "102", "call-uas-answer.xml");
    passed(await sipp(parley, "prov-call-in.xml", port2, ["-s", "102"]), "provider calling 102", parley);
    passed(await other.done, "102", parley);
    // From another port of the provider's address, addressed to the line's account.
    const again = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(
      await sipp(parley, "prov-call-in.xml", await freePort(), ["-s", "in-dest"]),
      "provider, other port",
      parley,
    );
    passed(await again.done, "101 again", parley);
    const cdrs = await parley.api("GET", "/api/v1/cdrs?number=101&limit=5");
    const inbound = cdrs.body.items.find((c: { caller: string }) => c.caller === "5551234");
    assert.ok(inbound, JSON.stringify(cdrs.body));
    assert.equal(inbound.callee, "101");
    assert.equal(inbound.disposition, "answered");
  });
});
