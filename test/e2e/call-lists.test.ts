/**
 * End to end (issue 16): the black and white list and the IP black and white list against a real
 * `parley start`, changed through the REST API while it runs, with sipp phones.
 * Proven: a black record gets 603 Decline and a CDR (failed, 603); a white record with a longer
 * caller prefix lets the call through; `anonymous` blocks a caller whose From is anonymous
 * (RFC 3323); rate 50 blocks roughly half of 200 calls; a rejected address (127.0.0.2) gets no
 * answer at all, and is answered again once the entry is removed; an accepted address (127.0.0.3)
 * keeps getting 401 challenges after more failed digest attempts than the ban threshold, where a
 * source not accepted (127.0.0.4) is banned (403 at once).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { credentialsFile, runSipp } from "../helpers/sipp.js";
import { credentials, passed, registeredUas, sipp, uac } from "../helpers/sipp-phones.js";

interface Cdr {
  dialed: string;
  disposition: string;
  sipStatus: number;
  startedAt: string;
}

describe("black and white lists (sipp)", { skip: missingTool("sipp") }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--auth-fail-threshold", "3"]);
  });
  after(() => parley.stop());

  async function add(path: string, body: Record<string, unknown>): Promise<number> {
    const r = await parley.api("POST", path, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as number;
  }

  async function remove(path: string, id: number): Promise<void> {
    assert.equal((await parley.api("DELETE", `${path}/${id}`)).status, 204);
  }

  /** The CDRs of calls dialled to `dialed` since `since` (epoch ms), waiting for `count` of them. */
  async function cdrs(dialed: string, since: number, count: number): Promise<Cdr[]> {
    let items: Cdr[] = [];
    for (let i = 0; i < 50; i++) {
      const page = await parley.api("GET", `/api/v1/cdrs?number=${dialed}&limit=1000`);
      items = (page.body.items as Cdr[]).filter(
        (c) => c.dialed === dialed && Date.parse(c.startedAt) >= since - 1000,
      );
      if (items.length >= count) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return items;
  }

  it("a black record gets 603 Decline and a CDR; a white record with a longer caller prefix lets the call through", {
    timeout: 60000,
  }, async () => {
    const black = await add("/api/v1/call-lists", { callerPrefix: "10", calledPrefix: "*", kind: "black" });
    const since = Date.now();
    passed(await uac(parley, "100", "101", "call-uac-603.xml"), "caller got 603", parley);
    const [cdr] = await cdrs("101", since, 1);
    assert.equal(cdr?.sipStatus, 603, JSON.stringify(cdr));
    assert.equal(cdr?.disposition, "failed");

    const white = await add("/api/v1/call-lists", { callerPrefix: "100", calledPrefix: "*", kind: "white" });
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(
      await uac(parley, "100", "101", "call-uac-bye.xml"),
      "the white-listed caller was answered",
      parley,
    );
    passed(await callee.done, "callee", parley);
    await remove("/api/v1/call-lists", white);
    await remove("/api/v1/call-lists", black);
  });

  it("`anonymous` blocks a caller whose From is anonymous (behind a SIP trunk), not one who shows its number", {
    timeout: 60000,
  }, async () => {
    const anonymous = await add("/api/v1/call-lists", {
      callerPrefix: "anonymous",
      calledPrefix: "*",
      kind: "black",
    });
    // A carrier's peer trusted by address: its callers are not local users and need no digest.
    const port = await freePort();
    const trunk = await parley.api("POST", "/api/v1/sip-trunks", {
      trunkId: "carrier",
      address: "127.0.0.5",
      port,
    });
    assert.equal(trunk.status, 201, JSON.stringify(trunk.body));
    const since = Date.now();
    passed(
      await sipp(parley, "call-uac-anonymous-603.xml", port, ["-i", "127.0.0.5", "-s", "101"]),
      "anonymous caller got 603",
      parley,
    );
    const [cdr] = await cdrs("101", since, 1);
    assert.equal(cdr?.sipStatus, 603, JSON.stringify(cdr));
    const callee = await registeredUas(parley, "101", "call-uas-answer.xml");
    passed(
      await uac(parley, "100", "101", "call-uac-bye.xml"),
      "a caller with its number got through",
      parley,
    );
    passed(await callee.done, "callee", parley);
    await remove("/api/v1/call-lists", anonymous);
  });

  it("rate 50 blocks roughly half of 200 calls", { timeout: 90000 }, async () => {
    const half = await add("/api/v1/call-lists", {
      callerPrefix: "*",
      // Not 999 (the out-group prefix and 99 before issue 23): an emergency number is never blocked.
      calledPrefix: "9555",
      kind: "black",
      rate: 50,
    });
    const since = Date.now();
    const r = await runSipp({
      scenario: "call-uac-603-or-503.xml",
      port: await freePort(),
      remotePort: parley.sipPort,
      calls: 200,
      rate: 50,
      timeoutSeconds: 60,
      killAfterMs: 80_000,
      extra: ["-inf", credentials(parley, "100"), "-s", "9555"],
    });
    passed(r, "200 calls, each 603 or 503", parley);
    const items = await cdrs("9555", since, 200);
    assert.equal(items.length, 200);
    const blocked = items.filter((c) => c.sipStatus === 603).length;
    // Binomial n = 200, p = 0.5: standard deviation ~7.07; 4 of them either side.
    assert.ok(Math.abs(blocked - 100) <= 28, `${blocked} of 200 blocked`);
    await remove("/api/v1/call-lists", half);
  });

  it("a rejected address gets no answer at all, and is answered again once the entry is removed", {
    timeout: 60000,
  }, async () => {
    const reject = await add("/api/v1/ip-lists", { address: "127.0.0.2/32", kind: "reject" });
    const port = await freePort();
    const silent = await sipp(parley, "options-uac.xml", port, ["-i", "127.0.0.2", "-timeout", "3s"]);
    assert.notEqual(silent.code, 0, "the rejected address got an answer");
    assert.doesNotMatch(parley.output(), /127\.0\.0\.2/, "Parley logged the rejected address's message");
    await remove("/api/v1/ip-lists", reject);
    passed(
      await sipp(parley, "options-uac.xml", port, ["-i", "127.0.0.2"]),
      "answered after removal",
      parley,
    );
  });

  it("an accepted address is never banned: 401 after more failures than the threshold", {
    timeout: 60000,
  }, async () => {
    await add("/api/v1/ip-lists", { address: "127.0.0.3", kind: "accept" });
    const wrong = credentialsFile(parley.dataDir, [["100", "wrong"]]);
    for (let i = 0; i < 6; i++) {
      const r = await sipp(parley, "register-wrong-password.xml", await freePort(), [
        "-inf",
        wrong,
        "-i",
        "127.0.0.3",
      ]);
      passed(
        r,
        `failed attempt ${i + 1} from the accepted address was challenged (401), then refused`,
        parley,
      );
    }
    // Control: a source not accepted is banned after 3 failures, then refused at once (no 401).
    const results: Array<number | null> = [];
    for (let i = 0; i < 5; i++) {
      const r = await sipp(parley, "register-wrong-password.xml", await freePort(), [
        "-inf",
        wrong,
        "-i",
        "127.0.0.4",
        "-timeout",
        "5s",
      ]);
      results.push(r.code);
    }
    assert.ok(
      results.slice(3).every((code) => code !== 0),
      `banned source still challenged: ${results}`,
    );
    const bans = await parley.api("GET", "/api/v1/bans");
    const addresses = (bans.body.items as Array<{ address: string }>).map((b) => b.address);
    assert.ok(addresses.includes("127.0.0.4"), JSON.stringify(addresses));
    assert.ok(!addresses.includes("127.0.0.3"), JSON.stringify(addresses));
  });
});
