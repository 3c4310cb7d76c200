/**
 * Emergency numbers end to end (issue 23): a real `parley start`, sipp phones and sipp providers
 * behind external lines. Proven, each with its control on the same server:
 * - user 100, whose call right (0) bars outside calls (9555 gets 403), dials 112 and the call
 *   reaches the provider of 112's configured line as 112 (a line not open to all users);
 * - 9999 with the out-group prefix 9 leaves as 999 (never stripped to 99), on the normal lines;
 * - the black list that declines 100's calls (101 gets 603) does not block 112;
 * - a user 112 is refused, naming the emergency numbers table.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";
import { requests, requestUri, startProvider } from "../trunks/sipp-provider.js";

describe("emergency numbers, end to end", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;

  async function ok(method: string, path: string, body?: object): Promise<void> {
    const res = await parley.api(method, `/api/v1/${path}`, body);
    assert.ok(
      res.status >= 200 && res.status < 300,
      `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  /** A line that needs no registration, to a provider on `port`. */
  const line = (account: string, port: number, fields: object = {}) => ({
    account,
    server: "127.0.0.1",
    serverPort: port,
    doNotRegister: true,
    ...fields,
  });

  before(async () => {
    parley = await startParley(["--rtp-ports", "38700-38799", "--no-answer-time", "10"]);
    // Outside calls need call right 5; user 100 has 0.
    await ok("POST", "dialplan/analyze", { prefix: "9", routeType: "external-line", callRight: 5 });
  });
  after(async () => {
    await parley.stop();
  });

  it("a user with no right to call out reaches 112's line, which receives 112 (control: 9555 is refused)", async () => {
    passed(
      await uac(parley, "100", "9555", "call-uac-403.xml"),
      "9555 refused for want of a call right",
      parley,
    );
    const provider = await startProvider("call-uas-answer.xml");
    await ok("POST", "external-lines", line("sos-line", provider.port, { allUsers: false }));
    await ok("PATCH", "emergency-numbers/112", { line: "sos-line" });
    passed(await uac(parley, "100", "112", "call-uac-bye.xml"), "100 dials 112", parley);
    passed(await provider.done, "the emergency line's provider", parley);
    const invite = requests(provider, "INVITE")[0] ?? "";
    assert.equal(requestUri(invite), `sip:112@127.0.0.1:${provider.port}`);
    const cdrs = await parley.api("GET", "/api/v1/cdrs?number=112&limit=1");
    assert.equal(cdrs.body.items[0]?.disposition, "answered", JSON.stringify(cdrs.body));
  });

  it("9999 with the out-group prefix 9 leaves as 999, on the lines open to all users", async () => {
    const provider = await startProvider("call-uas-answer.xml");
    await ok("POST", "external-lines", line("office", provider.port));
    passed(await uac(parley, "100", "9999", "call-uac-bye.xml"), "100 dials 9999", parley);
    passed(await provider.done, "the office line's provider", parley);
    assert.equal(requestUri(requests(provider, "INVITE")[0] ?? ""), `sip:999@127.0.0.1:${provider.port}`);
    await ok("DELETE", "external-lines/office");
  });

  it("the black list that declines user 100's calls does not block 112 (control: 101 gets 603)", async () => {
    await ok("POST", "call-lists", { callerPrefix: "100", calledPrefix: "*", kind: "black", rate: 100 });
    passed(await uac(parley, "100", "101", "call-uac-603.xml"), "100 → 101 declined by the list", parley);
    const provider = await startProvider("call-uas-answer.xml");
    await ok("PATCH", "external-lines/sos-line", { serverPort: provider.port });
    passed(await uac(parley, "100", "112", "call-uac-bye.xml"), "100 dials 112 through the list", parley);
    passed(await provider.done, "the emergency line's provider", parley);
    assert.equal(requestUri(requests(provider, "INVITE")[0] ?? ""), `sip:112@127.0.0.1:${provider.port}`);
  });

  it("creating user 112 is refused, naming the emergency numbers table", async () => {
    const res = await parley.api("POST", "/api/v1/users", { name: "112", password: "a-good-password" });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [
      { field: "name", message: "112 is an emergency number (emergency numbers table)" },
    ]);
  });
});
