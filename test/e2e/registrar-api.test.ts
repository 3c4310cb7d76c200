/**
 * End to end: registrations seen and managed through the REST API of a running `parley start`,
 * multi-device policy, IP address authorization, bans, and a restart that keeps registrations.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { SipUdpClient } from "../helpers/sip-udp-client.js";

describe("registrar and REST API, end to end", () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley(["--auth-fail-threshold", "3"]);
  });
  after(async () => {
    await parley.stop();
  });

  it("lists a live registration with its source and user agent, and DELETE removes it", async () => {
    const c = await SipUdpClient.open(parley.sipPort);
    try {
      const res = await c.register({
        user: "100",
        password: "100",
        expires: 600,
        extraHeaders: ["User-Agent: e2e-phone/1.0"],
      });
      assert.equal(res.status, 200);
      const list = await parley.api("GET", "/api/v1/registrations?user=100");
      assert.equal(list.status, 200);
      assert.equal(list.body.items.length, 1);
      const reg = list.body.items[0];
      assert.equal(reg.user, "100");
      assert.equal(reg.sourceAddress, "127.0.0.1");
      assert.equal(reg.sourcePort, c.localPort);
      assert.equal(reg.transport, "udp");
      assert.equal(reg.userAgent, "e2e-phone/1.0");
      assert.ok(reg.expiresIn > 590 && reg.expiresIn <= 600);
      assert.equal((await parley.api("GET", "/api/v1/users/100")).body.state, "online");
      assert.equal((await parley.api("DELETE", `/api/v1/registrations/${reg.id}`)).status, 204);
      assert.equal((await parley.api("GET", "/api/v1/registrations?user=100")).body.items.length, 0);
      assert.equal((await parley.api("GET", "/api/v1/users/100")).body.state, "offline");
      assert.equal((await parley.api("DELETE", `/api/v1/registrations/${reg.id}`)).status, 404);
    } finally {
      c.close();
    }
  });

  it("one number, multi-devices: with the right, devices up to the limit register; the next gets 403", async () => {
    const patch = await parley.api("PATCH", "/api/v1/users/102", { multiDevice: true, maxDevices: 2 });
    assert.equal(patch.status, 200);
    const phones = await Promise.all([1, 2, 3].map(() => SipUdpClient.open(parley.sipPort)));
    try {
      assert.equal((await phones[0]!.register({ user: "102", password: "102", expires: 300 })).status, 200);
      const second = await phones[1]!.register({ user: "102", password: "102", expires: 300 });
      assert.equal(second.status, 200);
      assert.equal(second.getAll("contact").length, 2, "both devices stay registered");
      const third = await phones[2]!.register({ user: "102", password: "102", expires: 300 });
      assert.equal(third.status, 403);
      assert.match(third.reason, /Too many devices.*limit 2/);
      assert.equal((await parley.api("GET", "/api/v1/registrations?user=102")).body.items.length, 2);
    } finally {
      for (const p of phones) {
        await p.register({ user: "102", password: "102", expires: 0 }).catch(() => undefined);
        p.close();
      }
      await parley.api("PATCH", "/api/v1/users/102", { multiDevice: false });
    }
  });

  it("IP address authorization: a user's configured address registers without digest", async () => {
    const created = await parley.api("POST", "/api/v1/users", {
      name: "150",
      password: "a-long-unused-password",
      ipAuthorization: ["127.0.0.0/8"],
      staticContact: "sip:150@127.0.0.1:5999",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const c = await SipUdpClient.open(parley.sipPort);
    try {
      // No credentials at all: the address is the credential.
      const res = await c.send(
        [
          `REGISTER sip:127.0.0.1:${parley.sipPort} SIP/2.0`,
          "Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bKipauth1",
          "Max-Forwards: 70",
          "From: <sip:150@127.0.0.1>;tag=ip1",
          "To: <sip:150@127.0.0.1>",
          "Call-ID: ipauth-1@test",
          "CSeq: 1 REGISTER",
          "Contact: <sip:150@127.0.0.1:LOCALPORT>",
          "Expires: 120",
          "Content-Length: 0",
          "",
          "",
        ].join("\r\n"),
      );
      assert.equal(res.status, 200);
      // Another user from the same address still needs its password.
      const other = await c.register({ user: "101", password: "wrong", expires: 60 });
      assert.equal(other.status, 403);
    } finally {
      c.close();
      await parley.api("DELETE", "/api/v1/users/150");
    }
  });

  it("validation errors from the API name the field", async () => {
    const bad = await parley.api("PATCH", "/api/v1/users/100", {
      forwarding: { busy: { enabled: true, number: "abc" } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, "forwarding.busy.number");
  });

  it("bans show in the API and can be lifted", async () => {
    const c = await SipUdpClient.open(parley.sipPort);
    try {
      // Earlier tests left one failure; the threshold is 3.
      for (let i = 0; i < 3; i++) await c.register({ user: "100", password: `nope${i}`, expires: 60 });
      const bans = await parley.api("GET", "/api/v1/bans");
      assert.equal(bans.body.items.length, 1);
      assert.equal(bans.body.items[0].address, "127.0.0.1");
      assert.equal((await c.register({ user: "100", password: "100", expires: 60 })).status, 403, "banned");
      assert.equal((await parley.api("DELETE", "/api/v1/bans/127.0.0.1")).status, 204);
      assert.equal((await c.register({ user: "100", password: "100", expires: 0 })).status, 200, "lifted");
    } finally {
      c.close();
    }
  });
});

describe("a restart keeps phones registered until their expiry", () => {
  it("a binding made before a restart is there after it", async () => {
    const first = await startParley();
    const dataDir = first.dataDir;
    const ports = { sip: first.sipPort, tls: first.tlsPort, http: first.httpPort };
    const c = await SipUdpClient.open(first.sipPort);
    try {
      assert.equal((await c.register({ user: "101", password: "101", expires: 900 })).status, 200);
    } finally {
      c.close();
    }
    // Stop without cleaning the data dir, then start on the same state.
    first.proc.kill("SIGTERM");
    await new Promise((r) => first.proc.once("exit", r));
    const second = await startParley([], {}, { dataDir, ports });
    try {
      const list = await second.api("GET", "/api/v1/registrations?user=101");
      assert.equal(list.body.items.length, 1);
      assert.ok(list.body.items[0].expiresIn > 880);
      assert.equal(list.body.items[0].sourceAddress, "127.0.0.1");
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
