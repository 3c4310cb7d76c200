/**
 * End to end: SIPVicious, the scanner every exposed PBX meets, against a real `parley start`.
 * svwar must enumerate no extension; svcrack must be stopped by a ban before it finds a password.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool, runTool } from "../helpers/run-tool.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";

const noSvwar = missingTool("svwar");
const noSvcrack = missingTool("svcrack");
// sipvicious keeps its session state in $HOME/.sipvicious: a private HOME per run.
const home = mkdtempSync(join(tmpdir(), "parley-sipvicious-"));

describe("SIPVicious against parley start", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley([
      "--auth-fail-threshold",
      "5",
      "--auth-fail-window",
      "60",
      "--ban-time",
      "300",
    ]);
  });
  after(async () => {
    await parley.stop();
  });

  for (const method of ["REGISTER", "OPTIONS", "INVITE"]) {
    it(`svwar -m ${method} enumerates no extension (users 100-102 exist)`, { skip: noSvwar }, async () => {
      const r = await runTool(
        "svwar",
        [
          "-b",
          "127.0.0.1",
          "-x",
          "127.0.0.1",
          "-P",
          String(await freePort()),
          "-p",
          String(parley.sipPort),
          "-e",
          "95-110",
          "-m",
          method,
          "127.0.0.1",
        ],
        60000,
        { HOME: home },
      );
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /\| *10[0-2] *\|/, `svwar listed an extension:\n${out}`);
      assert.match(out, /found nothing|authentication request for an unknown extension/, out);
    });
  }

  it("svcrack finds a password where no ban stops it (control: the check below can fail)", {
    skip: noSvcrack,
  }, async () => {
    const open = await startParley(["--auth-fail-threshold", "100000"]);
    try {
      const dict = join(home, "control.txt");
      writeFileSync(dict, ["guess1", "guess2", "100"].join("\n") + "\n");
      const r = await runTool(
        "svcrack",
        [
          "-b",
          "127.0.0.1",
          "-x",
          "127.0.0.1",
          "-P",
          String(await freePort()),
          "-p",
          String(open.sipPort),
          "-u",
          "100",
          "-d",
          dict,
          "127.0.0.1",
        ],
        60000,
        { HOME: home },
      );
      assert.match(r.stdout + r.stderr, /\|\s*100\s*\|\s*100\s*\|/);
    } finally {
      await open.stop();
    }
  });

  it("svcrack is banned before it reaches the right password, and the ban is logged", {
    skip: noSvcrack,
  }, async () => {
    const dict = join(home, "passwords.txt");
    const guesses = Array.from({ length: 12 }, (_, i) => `guess${i}`);
    writeFileSync(dict, [...guesses, "100"].join("\n") + "\n");
    const r = await runTool(
      "svcrack",
      [
        "-b",
        "127.0.0.1",
        "-x",
        "127.0.0.1",
        "-P",
        String(await freePort()),
        "-p",
        String(parley.sipPort),
        "-u",
        "100",
        "-d",
        dict,
        "127.0.0.1",
      ],
      60000,
      { HOME: home },
    );
    const out = r.stdout + r.stderr;
    assert.doesNotMatch(out, /\|\s*100\s*\|\s*100\s*\|/, `svcrack found the password:\n${out}`);
    const ban = await parley.waitForLog((l) => l.msg === "address banned");
    assert.equal(ban.address, "127.0.0.1");
    // A banned address is refused even with the right password.
    const c = await SipUdpClient.open(parley.sipPort);
    try {
      const res = await c.register({ user: "100", password: "100", expires: 60 });
      assert.equal(res.status, 403);
    } finally {
      c.close();
    }
  });
});
