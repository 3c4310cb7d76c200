/**
 * Issue 23, GET /metrics: the exposition of src/metrics/parley-metrics.ts over fake sources. Every
 * metric the issue names is there with the `parley_` prefix, its type and help; counters copy the
 * layers' plain counters at scrape time and never go down; the body passes `promtool check
 * metrics` (Debian package prometheus; under CI=true a missing promtool fails the test).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WorkerLoad } from "../../src/media/media-engine.js";
import { createParleyMetrics, type MetricsSources } from "../../src/metrics/parley-metrics.js";
import { methodSlot, responseSlot, SipMessageCounts } from "../../src/transport/message-counts.js";
import { missingTool } from "../helpers/run-tool.js";
import { promtoolCheck } from "./promtool.js";

interface Fake extends MetricsSources {
  state: {
    registrations: number;
    calls: string[];
    created: number;
    retransmissions: number;
    failures: number;
    bans: { active: number; total: number };
    relay: { sessions: number; packetsIn: number; packetsOut: number; lost: number };
    workers: WorkerLoad[];
  };
  cdrWrite(seconds: number): void;
}

function fakeSources(): Fake {
  const messages = new SipMessageCounts();
  const listeners: Array<(s: number) => void> = [];
  const state: Fake["state"] = {
    registrations: 0,
    calls: [],
    created: 0,
    retransmissions: 0,
    failures: 0,
    bans: { active: 0, total: 0 },
    relay: { sessions: 0, packetsIn: 0, packetsOut: 0, lost: 0 },
    workers: [{ worker: 0, sessions: 0, activeMs: 0 }],
  };
  return {
    state,
    messages,
    registrations: () => state.registrations,
    callStates: () => state.calls,
    callsCreated: () => state.created,
    transactions: () => ({ client: 2, server: 3 }),
    retransmissions: () => state.retransmissions,
    authFailures: () => state.failures,
    bans: () => state.bans,
    relay: () => state.relay,
    workers: () => state.workers,
    onCdrWrite: (l) => listeners.push(l),
    cdrWrite: (s) => {
      for (const l of listeners) l(s);
    },
  };
}

/** The value of one series, e.g. `parley_calls{state="ringing"}`; undefined when absent. */
function value(body: string, series: string): number | undefined {
  for (const line of body.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe("createParleyMetrics()", () => {
  it("exposes every metric of issue 23 with the parley_ prefix, its type and help", async () => {
    const m = createParleyMetrics(fakeSources());
    const body = await m.text();
    assert.match(m.contentType, /^text\/plain; version=0\.0\.4/);
    const types: Record<string, string> = {
      parley_registrations: "gauge",
      parley_calls: "gauge",
      parley_calls_total: "counter",
      parley_sip_requests_total: "counter",
      parley_sip_responses_total: "counter",
      parley_sip_transactions: "gauge",
      parley_sip_retransmissions_total: "counter",
      parley_auth_failures_total: "counter",
      parley_bans: "gauge",
      parley_bans_total: "counter",
      parley_relay_sessions: "gauge",
      parley_relay_packets_total: "counter",
      parley_relay_packets_lost_total: "counter",
      parley_media_worker_sessions: "gauge",
      parley_media_worker_busy_seconds_total: "counter",
      parley_cdr_write_duration_seconds: "histogram",
      parley_nodejs_eventloop_lag_seconds: "gauge",
      parley_process_cpu_seconds_total: "counter",
    };
    for (const [name, type] of Object.entries(types)) {
      assert.match(body, new RegExp(`^# TYPE ${name} ${type}$`, "m"), name);
      assert.match(body, new RegExp(`^# HELP ${name} \\S`, "m"), name);
    }
    for (const line of body.split("\n")) {
      if (line !== "" && !line.startsWith("#")) assert.match(line, /^parley_/, line);
    }
    assert.match(
      body,
      /rate\(parley_calls_total\[1m\]\)/,
      "the calls counter's help says how to get calls per second",
    );
  });

  it("copies the sources' values at scrape time", async () => {
    const s = fakeSources();
    const m = createParleyMetrics(s, false);
    s.state.registrations = 4;
    s.state.calls = ["ringing", "answered", "answered"];
    s.state.created = 7;
    s.state.retransmissions = 5;
    s.state.failures = 12;
    s.state.bans = { active: 1, total: 2 };
    s.state.relay = { sessions: 1, packetsIn: 500, packetsOut: 498, lost: 3 };
    s.state.workers = [
      { worker: 0, sessions: 2, activeMs: 1500 },
      { worker: 1, sessions: 0, activeMs: 250 },
    ];
    s.messages.in.requests[methodSlot("INVITE")] = 3;
    s.messages.in.request("FOO");
    s.messages.out.response(responseSlot("INVITE", 180));
    s.messages.out.response(responseSlot("INVITE", 200));
    s.messages.out.response(responseSlot("INVITE", 200));
    s.messages.out.response(responseSlot("INVITE", 800));
    s.cdrWrite(0.002);
    const body = await m.text();
    const expected: Record<string, number> = {
      parley_registrations: 4,
      'parley_calls{state="ringing"}': 1,
      'parley_calls{state="answered"}': 2,
      'parley_calls{state="ending"}': 0,
      parley_calls_total: 7,
      'parley_sip_requests_total{direction="in",method="INVITE"}': 3,
      'parley_sip_requests_total{direction="in",method="other"}': 1,
      'parley_sip_responses_total{direction="out",method="INVITE",status="180"}': 1,
      'parley_sip_responses_total{direction="out",method="INVITE",status="200"}': 2,
      'parley_sip_transactions{kind="client"}': 2,
      'parley_sip_transactions{kind="server"}': 3,
      parley_sip_retransmissions_total: 5,
      parley_auth_failures_total: 12,
      parley_bans: 1,
      parley_bans_total: 2,
      parley_relay_sessions: 1,
      'parley_relay_packets_total{direction="in"}': 500,
      'parley_relay_packets_total{direction="out"}': 498,
      parley_relay_packets_lost_total: 3,
      'parley_media_worker_sessions{worker="0"}': 2,
      'parley_media_worker_sessions{worker="1"}': 0,
      'parley_media_worker_busy_seconds_total{worker="0"}': 1.5,
      'parley_media_worker_busy_seconds_total{worker="1"}': 0.25,
      parley_cdr_write_duration_seconds_count: 1,
      'parley_cdr_write_duration_seconds_bucket{le="0.0025"}': 1,
      'parley_cdr_write_duration_seconds_bucket{le="0.001"}': 0,
    };
    for (const [series, v] of Object.entries(expected)) assert.equal(value(body, series), v, series);
    assert.doesNotMatch(body, /status="800"|status="100",method/, "a status outside 100..699 is not counted");
    assert.doesNotMatch(body, /parley_nodejs_/, "defaults left out when asked");
  });

  it("never lets a counter go down when its source dips (a relay session being released)", async () => {
    const s = fakeSources();
    const m = createParleyMetrics(s, false);
    s.state.relay = { sessions: 1, packetsIn: 900, packetsOut: 900, lost: 4 };
    await m.text();
    s.state.relay = { sessions: 0, packetsIn: 100, packetsOut: 100, lost: 1 };
    const body = await m.text();
    assert.equal(value(body, 'parley_relay_packets_total{direction="in"}'), 900);
    assert.equal(value(body, "parley_relay_packets_lost_total"), 4);
    assert.equal(value(body, "parley_relay_sessions"), 0, "a gauge follows its source down");
  });

  it("passes promtool check metrics with no problem printed", async (t) => {
    const skip = missingTool("promtool");
    if (skip) return t.skip(skip);
    const s = fakeSources();
    const m = createParleyMetrics(s);
    s.messages.in.request("REGISTER");
    s.messages.out.response(responseSlot("REGISTER", 401));
    s.cdrWrite(0.01);
    const check = promtoolCheck(await m.text());
    assert.equal(check.output, "", check.output);
    assert.equal(check.code, 0);
  });
});
