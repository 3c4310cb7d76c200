/**
 * End to end (issue 14 acceptance) with sipp against a real `parley start`: digits reach Parley's
 * media endpoint (the echo test, *43) once each and in order, for every key 0-9, * and #, sent as
 * RFC 4733 telephone-events (play_pcap_audio of the pcaps Debian's sip-tester ships) and as SIP
 * INFO (application/dtmf-relay and application/dtmf alternately). The # ends the echo test, so
 * Parley's BYE closes each scenario. re-INVITEs (hold, a move to PCMA) get the right answers, and an
 * offer with no G.711 is refused with 488 and a Warning.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { passed, uac } from "../helpers/sipp-phones.js";

const KEYS = "0123456789*#";
const pcaps = existsSync("/usr/share/sip-tester/dtmf_2833_0.pcap");

describe("digits reach Parley's media endpoints (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--rtp-ports", "31200-31299"]);
  });
  after(() => parley.stop());

  function digits(user: string): Array<{ digit: string; source: string }> {
    // Each scenario calls as its own user; the log line of a digit names the endpoint's peer only,
    // so scenarios run one after the other and read the lines added by their own call.
    void user;
    return parley.logs
      .filter((l) => l.msg === "digit received" && l.peer === "parley:echo-test")
      .map((l) => ({ digit: String(l.digit), source: String(l.source) }));
  }

  it("RFC 4733 telephone-events from sip-tester's pcaps", { skip: !pcaps, timeout: 60000 }, async () => {
    const before = digits("100").length;
    const r = await uac(parley, "100", "*43", "media-uac-dtmf-pcap.xml", [
      "-mi",
      "127.0.0.1",
      "-mp",
      "31900",
    ]);
    passed(r, "sipp played the 12 DTMF pcaps and got Parley's BYE", parley);
    const got = digits("100").slice(before);
    assert.equal(got.map((d) => d.digit).join(""), KEYS, JSON.stringify(got));
    assert.ok(got.every((d) => d.source === "rfc4733"));
  });

  it("SIP INFO, application/dtmf-relay and application/dtmf", { timeout: 60000 }, async () => {
    const before = digits("101").length;
    const r = await uac(parley, "101", "*43", "media-uac-dtmf-info.xml");
    passed(r, "sipp sent 12 INFOs and got Parley's BYE", parley);
    const got = digits("101").slice(before);
    assert.equal(got.map((d) => d.digit).join(""), KEYS, JSON.stringify(got));
    assert.ok(got.every((d) => d.source === "info"));
  });

  it("re-INVITEs are honoured: hold (recvonly answer), a move to PCMA, new o= versions", {
    timeout: 30000,
  }, async () => {
    const r = await uac(parley, "100", "*43", "media-uac-reinvite.xml");
    passed(r, "sipp got the right answers to its re-INVITEs", parley);
  });

  it("an offer with no G.711 gets 488 with a Warning naming what Parley speaks", {
    timeout: 30000,
  }, async () => {
    const r = await uac(parley, "102", "*43", "media-uac-488.xml");
    passed(r, "sipp got 488 with the Warning", parley);
  });
});
