/**
 * End to end: phones register to a real `parley start` (default users 100, 101, 102).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";
import { credentialsFile, runSipp } from "../helpers/sipp.js";

const noSipp = missingTool("sipp");

async function sipp(parley: ParleyProcess, scenario: string, users: Array<[string, string]>) {
  return runSipp({
    scenario,
    port: await freePort(),
    remotePort: parley.sipPort,
    calls: users.length,
    extra: ["-inf", credentialsFile(parley.dataDir, users)],
    killAfterMs: 40_000,
  });
}

describe("registrar, end to end", () => {
  let parley: ParleyProcess;
  before(async () => {
    // Both challenges: sipp answers the first (MD5), the SHA-256 client picks its own.
    parley = await startParley([
      "--min-expires",
      "60",
      "--max-expires",
      "3600",
      "--digest-algorithms",
      "MD5,SHA-256",
    ]);
  });
  after(async () => {
    await parley.stop();
  });

  it("creates the default users on first start and warns they must be changed", async () => {
    const warn = await parley.waitForLog((l) => typeof l.msg === "string" && l.msg.includes("default users"));
    assert.equal(warn.level, 40);
  });

  describe("with sipp", { skip: noSipp }, () => {
    it("registers with MD5 digest, refreshes and unregisters", async () => {
      const r = await sipp(parley, "register-refresh-unregister.xml", [["100", "100"]]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
    it("refuses a wrong password with 403", async () => {
      const r = await sipp(parley, "register-wrong-password.xml", [["101", "not-the-password"]]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
    it("answers a too-short Expires with 423 and Min-Expires", async () => {
      const r = await sipp(parley, "register-too-brief.xml", [["102", "102"]]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });
  });

  describe("digest algorithms", () => {
    for (const algorithm of ["MD5", "SHA-256"] as const) {
      it(`accepts ${algorithm} credentials (RFC 7616 / RFC 8760)`, async () => {
        const c = await SipUdpClient.open(parley.sipPort);
        try {
          const res = await c.register({ user: "102", password: "102", expires: 120, algorithm });
          assert.equal(res.status, 200);
          assert.match(res.get("contact") ?? "", /expires=120/);
          const gone = await c.register({ user: "102", password: "102", expires: 0, algorithm });
          assert.equal(gone.status, 200);
          assert.equal(gone.get("contact"), undefined);
        } finally {
          c.close();
        }
      });
    }
  });

  describe("bindings", () => {
    it("lets a new device replace the old binding of a user without the multi-device right", async () => {
      const a = await SipUdpClient.open(parley.sipPort);
      const b = await SipUdpClient.open(parley.sipPort);
      try {
        assert.equal((await a.register({ user: "101", password: "101", expires: 300 })).status, 200);
        const res = await b.register({ user: "101", password: "101", expires: 300 });
        assert.equal(res.status, 200);
        const contacts = res.getAll("contact");
        assert.equal(contacts.length, 1, "the new device replaced the old binding");
        assert.match(contacts[0]!, new RegExp(`:${b.localPort}>`));
      } finally {
        await a.register({ user: "101", password: "101", expires: 0 });
        await b.register({ user: "101", password: "101", expires: 0 });
        a.close();
        b.close();
      }
    });

    it("removes all bindings with Contact: * and Expires: 0", async () => {
      const c = await SipUdpClient.open(parley.sipPort);
      try {
        assert.equal((await c.register({ user: "100", password: "100", expires: 300 })).status, 200);
        const res = await c.register({ user: "100", password: "100", contact: "*", expires: 0 });
        assert.equal(res.status, 200);
        assert.equal(res.get("contact"), undefined);
      } finally {
        c.close();
      }
    });

    it("rejects Contact: * with a non-zero Expires (RFC 3261 10.3 step 6)", async () => {
      const c = await SipUdpClient.open(parley.sipPort);
      try {
        const res = await c.register({ user: "100", password: "100", contact: "*", expires: 60 });
        assert.equal(res.status, 400);
      } finally {
        c.close();
      }
    });

    it("challenges an unknown user exactly like a known one, and refuses both alike", async () => {
      const c = await SipUdpClient.open(parley.sipPort);
      try {
        const unknown = await c.register({ user: "4711", password: "x", expires: 60 });
        const wrong = await c.register({ user: "100", password: "x", expires: 60 });
        assert.equal(unknown.status, 403);
        assert.equal(wrong.status, 403);
        assert.equal(unknown.reason, wrong.reason);
      } finally {
        c.close();
      }
    });
  });
});
