/**
 * End to end (issue 6): a phone registered from behind NAT (its Contact names a port it does not
 * send from) receives Parley's keep-alive OPTIONS at the address and port it registered from,
 * every --nat-keepalive seconds; one registered without NAT receives none.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { credentials, passed, sipp } from "../helpers/sipp-phones.js";

describe("NAT keep-alives to registered phones", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--nat-keepalive", "1"]);
  });
  after(() => parley.stop());

  it("a NATed binding gets an OPTIONS at its observed port each interval", async () => {
    const port = await freePort();
    passed(
      await sipp(parley, "call-register-natted.xml", port, ["-inf", credentials(parley, "102")]),
      "NATed registration",
      parley,
    );
    // Two keep-alives in a row, each answered: sipp's scenario runs twice (-m 2) at that port.
    const started = Date.now();
    const r = await sipp(parley, "nat-keepalive-uas.xml", port, ["-m", "2"]);
    passed(r, "two keep-alive OPTIONS received", parley);
    assert.ok(Date.now() - started < 10000, "they came about a second apart");
  });

  it("a binding registered without NAT gets none", async () => {
    const port = await freePort();
    passed(
      await sipp(parley, "call-register.xml", port, ["-inf", credentials(parley, "101")]),
      "registration",
      parley,
    );
    const sock = createSocket("udp4");
    const got: string[] = [];
    sock.on("message", (m) => got.push(m.toString("latin1").split("\r\n")[0] ?? ""));
    await new Promise<void>((r) => sock.bind(port, "127.0.0.1", () => r()));
    await new Promise((r) => setTimeout(r, 2500));
    sock.close();
    assert.deepEqual(got, [], "no OPTIONS to a phone that is not behind NAT");
  });
});
