/**
 * End to end, FEATURES.md section 5's worked examples 1 and 2 on real calls: the number each
 * sipp "provider" receives in its Request-URI is the one the dial plan says. Example 3 (hunt
 * groups) has its own test in hunt-groups.test.ts.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";
import { requests, requestUri, startProvider } from "../trunks/sipp-provider.js";

const noSipp = missingTool("sipp");

describe("FEATURES.md section 5 worked examples 1 and 2, end to end", { skip: noSipp }, () => {
  const started: ParleyProcess[] = [];
  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
  });
  async function parleyWith(rows: Array<[string, object]>): Promise<ParleyProcess> {
    const parley = await startParley();
    started.push(parley);
    for (const [path, body] of rows) {
      const res = await parley.api("POST", `/api/v1/${path}`, body);
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
    }
    return parley;
  }
  const line = (account: string, port: number, fields: object = {}) => ({
    account,
    server: "127.0.0.1",
    serverPort: port,
    doNotRegister: true,
    ...fields,
  });

  it("example 1: users dial 90xxxx; the international line (group 1) receives 0086xxxx", async () => {
    const international = await startProvider("call-uas-answer.xml");
    const parley = await parleyWith([
      ["external-lines", line("intl", international.port, { outgoingGroupId: 1 })],
      ["dialplan/transitions", { id: 1, type: "replace", start: 0, length: 1, text: "0086" }],
      ["dialplan/refine", { outgoingGroupId: 1, prefix: "0", transitionId: 1 }],
    ]);
    passed(await uac(parley, "100", "9012345", "call-uac-bye.xml"), "100 dialing 9012345", parley);
    passed(await international.done, "international provider", parley);
    assert.equal(
      requestUri(requests(international, "INVITE")[0] ?? ""),
      `sip:008612345@127.0.0.1:${international.port}`,
    );
  });

  it("example 2: 91234567 leaves on line 1234 and 81234567 on line 5678, both as 1234567", async () => {
    const p1234 = await startProvider("call-uas-answer.xml");
    const p5678 = await startProvider("call-uas-answer.xml");
    const record = (prefix: string, externalLine: string) => ({
      prefix,
      routeType: "external-line",
      externalLine,
      changeNumber: true,
      transitionId: 1,
    });
    const parley = await parleyWith([
      ["external-lines", line("1234", p1234.port)],
      ["external-lines", line("5678", p5678.port)],
      ["dialplan/transitions", { id: 1, type: "delete", start: 0, length: 1 }],
      ["dialplan/analyze", record("9", "1234")],
      ["dialplan/analyze", record("8", "5678")],
    ]);
    passed(await uac(parley, "100", "91234567", "call-uac-bye.xml"), "100 dialing 91234567", parley);
    passed(await uac(parley, "101", "81234567", "call-uac-bye.xml"), "101 dialing 81234567", parley);
    passed(await p1234.done, "provider of line 1234", parley);
    passed(await p5678.done, "provider of line 5678", parley);
    assert.equal(requestUri(requests(p1234, "INVITE")[0] ?? ""), `sip:1234567@127.0.0.1:${p1234.port}`);
    assert.equal(requestUri(requests(p5678, "INVITE")[0] ?? ""), `sip:1234567@127.0.0.1:${p5678.port}`);
  });
});
