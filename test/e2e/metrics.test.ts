/**
 * End to end (issue 23): a running `parley start --metrics-token <t>` serves GET /metrics in the
 * Prometheus text format to `Authorization: Bearer <t>` only. After sipp phones register, fail an
 * authentication and make a relayed call, the metrics moved: one registration, calls total, SIP
 * INVITE in and out with their responses, REGISTER challenged and accepted, an auth failure, the
 * CDR write latency histogram, the relay's session back to 0, the media worker and event-loop
 * metrics present; and `promtool check metrics` (Debian package prometheus) finds no problem in
 * the body. Under CI=true a missing sipp or promtool fails instead of skipping.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { credentialsFile, portWasTaken } from "../helpers/sipp.js";
import { passed, registeredUas, sipp, uac } from "../helpers/sipp-phones.js";
import { promtoolCheck } from "../metrics/promtool.js";

const METRICS_TOKEN = "e2e-metrics-token-0123456789";
const skip = missingTool("sipp") || missingTool("promtool");

/** The value of one series (`name{labels}` exactly as exposed); undefined when absent. */
function value(body: string, series: string): number | undefined {
  for (const line of body.split("\n"))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

describe("GET /metrics on a running server (sipp, promtool)", { skip }, () => {
  let parley: ParleyProcess;
  let url: string;
  before(async () => {
    parley = await startParley([
      "--media-relay",
      "always",
      "--rtp-ports",
      "36800-36849",
      "--metrics-token",
      METRICS_TOKEN,
    ]);
    url = `http://127.0.0.1:${parley.httpPort}/metrics`;
  });
  after(() => parley.stop());

  async function scrape(): Promise<string> {
    const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get("content-type")), /^text\/plain; version=0\.0\.4/);
    return res.text();
  }

  it("answers 401 without the metrics token, and to the API token", async () => {
    assert.equal((await fetch(url)).status, 401);
    const api = await fetch(url, { headers: { authorization: "Bearer e2e-test-token-0123456789" } });
    assert.equal(api.status, 401);
  });

  it("counts a registration, an auth failure and a relayed call, and passes promtool", async () => {
    const before = await scrape();
    assert.equal(value(before, "parley_registrations"), 0);
    assert.equal(value(before, "parley_calls_total"), 0);

    // A wrong password: challenged (401), then refused (403) and counted as a failure.
    const wrong = credentialsFile(parley.dataDir, [["102", "not-the-password"]]);
    for (let attempt = 1; attempt <= 3; attempt++) {
      // A free port taken before sipp bound it: nothing was sent, so run again elsewhere.
      if (!portWasTaken(await sipp(parley, "call-register.xml", await freePort(), ["-inf", wrong]))) break;
    }

    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(await uac(parley, "100", "101", "call-uac-bye.xml"), "caller", parley);
    passed(await callee.done, "callee", parley);

    // The CDR is written (and timed) once the relay released the call's session.
    let body = await scrape();
    for (let i = 0; i < 50 && !(value(body, "parley_cdr_write_duration_seconds_count")! >= 1); i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = await scrape();
    }
    const at = (series: string) => value(body, series);
    assert.equal(at("parley_registrations"), 1, "101's binding");
    assert.ok(at("parley_calls_total")! >= 1, "calls total");
    for (const state of ["ringing", "answered", "ending"])
      assert.equal(at(`parley_calls{state="${state}"}`), 0, `no call ${state} now`);
    assert.ok(
      at('parley_sip_requests_total{direction="in",method="INVITE"}')! >= 2,
      "INVITE in (407, then again)",
    );
    assert.ok(at('parley_sip_requests_total{direction="out",method="INVITE"}')! >= 1, "INVITE out to 101");
    assert.ok(at('parley_sip_responses_total{direction="out",method="INVITE",status="407"}')! >= 1);
    assert.ok(at('parley_sip_responses_total{direction="in",method="INVITE",status="200"}')! >= 1);
    assert.ok(at('parley_sip_responses_total{direction="out",method="INVITE",status="200"}')! >= 1);
    assert.ok(at('parley_sip_requests_total{direction="in",method="BYE"}')! >= 1);
    assert.ok(at('parley_sip_requests_total{direction="in",method="REGISTER"}')! >= 4);
    assert.ok(at('parley_sip_responses_total{direction="out",method="REGISTER",status="401"}')! >= 2);
    assert.ok(at('parley_sip_responses_total{direction="out",method="REGISTER",status="200"}')! >= 1);
    assert.ok(at('parley_sip_responses_total{direction="out",method="REGISTER",status="403"}')! >= 1);
    assert.ok(at("parley_auth_failures_total")! >= 1, "the wrong password");
    assert.equal(at("parley_bans"), 0);
    assert.ok(at('parley_sip_transactions{kind="server"}')! >= 0);
    assert.ok(at('parley_sip_transactions{kind="client"}')! >= 0);
    assert.ok(at("parley_sip_retransmissions_total")! >= 0);
    assert.equal(at("parley_relay_sessions"), 0, "the relayed call's session is released");
    assert.ok(at('parley_relay_packets_total{direction="in"}')! >= 0);
    assert.ok(at("parley_relay_packets_lost_total")! >= 0);
    assert.ok(at('parley_media_worker_sessions{worker="0"}')! >= 0, "the media worker");
    assert.ok(at('parley_media_worker_busy_seconds_total{worker="0"}')! > 0, "the media worker ran");
    assert.ok(at("parley_cdr_write_duration_seconds_count")! >= 1, "the call's CDR write was timed");
    assert.ok(at("parley_nodejs_eventloop_lag_seconds")! >= 0, "event-loop lag");

    const check = promtoolCheck(body);
    assert.equal(check.output, "", check.output);
    assert.equal(check.code, 0);
  });
});
