/**
 * The route explainer end to end (issue 23): with an external line that is offline (its provider
 * never answers its REGISTER), POST /api/v1/dialplan/test and `parley route` (asking the running
 * server) give one answer: the line listed with the reason "offline (not registered)" and the
 * outcome 503 No External Line Available, "no line available: line 5550001 offline (not
 * registered)"; and the real call (sipp, dialing the same number) gets exactly that 503, with the
 * explanation in its Warning header. Before: the API listed no attempt and no reason, the CLI
 * listed the line as tried, and the call's 503 said nothing of why.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parleyCli } from "../helpers/parley-cli.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

const noSipp = missingTool("sipp");
const DETAIL = "no line available: line 5550001 offline (not registered)";

describe("the route explainer: dry run (API, CLI) and the real call agree", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--rtp-ports", "41200-41299"]);
    // A provider that never answers: nothing listens on this loopback port.
    const silent = await freePort();
    const created = await parley.api("POST", "/api/v1/external-lines", {
      account: "5550001",
      server: "127.0.0.1",
      serverPort: silent,
      password: "secret",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await parley.stop();
  });

  it("POST /api/v1/dialplan/test and parley route list the offline line with its reason, and 503", async () => {
    const api = await parley.api("POST", "/api/v1/dialplan/test", { caller: "100", number: "9555" });
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.equal(api.body.live, true);
    assert.deepEqual(
      api.body.candidates.find((c: { kind: string }) => c.kind === "line"),
      {
        kind: "line",
        id: "5550001",
        via: "pool",
        tried: false,
        skip: "line-offline",
        reason: "offline (not registered)",
      },
    );
    assert.deepEqual(api.body.outcome, {
      kind: "refuse",
      status: 503,
      reason: "No External Line Available",
      detail: DETAIL,
    });
    const target = ["--url", `http://127.0.0.1:${parley.httpPort}`, "--token", parley.apiToken];
    const json = await parleyCli(parley.dataDir, ["route", "100", "9555", ...target, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), api.body);
    const text = await parleyCli(parley.dataDir, ["route", "100", "9555", ...target]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /line 5550001 \(pool\): skipped, offline \(not registered\)/);
    assert.match(
      text.stdout,
      new RegExp(`outcome: 503 No External Line Available: ${DETAIL.replace(/[()]/g, "\\$&")}`),
    );
    assert.doesNotMatch(text.stdout, /note: no running server/);
  });

  it("a line pointing at this Parley's own SIP port is refused, the field named (the server's listeners)", async () => {
    const res = await parley.api("POST", "/api/v1/external-lines", {
      account: "5550002",
      server: "127.0.0.1",
      serverPort: parley.sipPort,
      password: "secret",
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(res.body.errors, [
      {
        field: "server",
        message: `points at this Parley (it listens for SIP over UDP on 127.0.0.1:${parley.sipPort}): calls would loop back into it`,
      },
    ]);
  });

  it("the real call gets the predicted 503, the explanation in its Warning header", async () => {
    const log = join(parley.dataDir, "route-explainer-messages.log");
    const r = await uac(parley, "100", "9555", "call-uac-503.xml", ["-trace_msg", "-message_file", log]);
    passed(r, "100 dialing 9555", parley);
    const messages = readFileSync(log, "utf8");
    const response = messages.split(/\n(?=SIP\/2\.0 )/).find((m) => m.startsWith("SIP/2.0 503"));
    assert.ok(response, messages.slice(-2000));
    assert.match(response, /^SIP\/2\.0 503 No External Line Available\r?\n/);
    assert.match(response, new RegExp(`\\nWarning: 399 parley "${DETAIL.replace(/[()]/g, "\\$&")}"\\r?\\n`));
  });
});
