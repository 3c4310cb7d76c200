/**
 * End to end: SIPVicious, the scanner every exposed PBX meets, against a real `parley start`.
 * svwar must enumerate no extension while Parley answers each of its requests (controls: svwar does
 * list the users of a server that tells them apart, and Parley neither ignores nor bans the scan);
 * svcrack must be stopped by a ban before it finds a password.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool, runTool } from "../helpers/run-tool.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";
import { startLeakyRegistrar } from "./leaky-registrar.js";

const noSvwar = missingTool("svwar");
const noSvcrack = missingTool("svcrack");
// sipvicious keeps its session state in $HOME/.sipvicious: a private HOME per run.
const home = mkdtempSync(join(tmpdir(), "parley-sipvicious-"));

describe("SIPVicious against parley start", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley([
      // Every SIP message in and out is logged: the svwar tests read what Parley answered.
      "--sip-trace",
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

  /** svwar over `method` against 127.0.0.1:`port`, extensions 95-110, from a port the OS picks. */
  const svwar = (method: string, port: number) =>
    runTool(
      "svwar",
      [
        "-b",
        "127.0.0.1",
        "-x",
        "127.0.0.1",
        "-P",
        "0",
        "-p",
        String(port),
        "-e",
        "95-110",
        "-m",
        method,
        "127.0.0.1",
      ],
      60000,
      { HOME: home },
    );
  /** What Parley answers a scanner's request of each method (no user is revealed by these). */
  const answer: Record<string, RegExp> = { REGISTER: /^401$/, OPTIONS: /^200$/, INVITE: /^(100|407)$/ };

  for (const method of ["REGISTER", "OPTIONS", "INVITE"]) {
    it(`control: svwar -m ${method} lists users 100-102 of a server that tells them apart (the check below can fail)`, {
      skip: noSvwar,
    }, async () => {
      const leaky = await startLeakyRegistrar(["100", "101", "102"]);
      try {
        const out = await svwar(method, leaky.port);
        for (const user of ["100", "101", "102"]) {
          assert.match(out.stdout + out.stderr, new RegExp(`\\| *${user} *\\|`), `svwar missed ${user}`);
        }
      } finally {
        await leaky.close();
      }
    });

    it(`svwar -m ${method} enumerates no extension (users 100-102 exist), each of its requests answered`, {
      skip: noSvwar,
    }, async () => {
      const since = parley.logs.length;
      const r = await svwar(method, parley.sipPort);
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /\| *10[0-2] *\|/, `svwar listed an extension:\n${out}`);
      assert.match(out, /found nothing|authentication request for an unknown extension/, out);
      // Control: Parley answered the scan (it is neither silent nor already banning the scanner):
      // every request svwar sent got the answer any caller gets, from the SIP trace.
      const traced = parley.logs.slice(since).filter((l) => l.direction !== undefined);
      const requests = traced.filter(
        (l) => l.direction === "in" && String(l.msg).includes(`\n${method} sip:`),
      );
      assert.ok(requests.length > 0, `svwar sent no ${method} that Parley received:\n${out}`);
      for (const request of requests) {
        const callId = /^Call-ID:\s*(\S+)/im.exec(String(request.msg))?.[1];
        const statuses = traced
          .filter((l) => l.direction === "out" && l.remote === request.remote)
          .filter((l) => /^Call-ID:\s*(\S+)/im.exec(String(l.msg))?.[1] === callId)
          .map((l) => /\nSIP\/2\.0 (\d{3})/.exec(String(l.msg))?.[1] ?? "");
        assert.ok(statuses.length > 0, `no answer to svwar's ${method} ${callId}`);
        for (const status of statuses)
          assert.match(status, answer[method] ?? /^$/, `answer to svwar's ${method}`);
      }
      // And the scan left the scanner's address free to register (no ban).
      const c = await SipUdpClient.open(parley.sipPort);
      try {
        assert.equal((await c.register({ user: "101", password: "101", expires: 0 })).status, 200);
      } finally {
        c.close();
      }
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
          "0", // a port the OS picks (sipvicious binds it as given)
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
        "0", // a port the OS picks (sipvicious binds it as given)
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
