/**
 * End to end: Parley registers external lines (type 0) at a sipp "provider" that challenges
 * (401) and checks the credentials with sipp's verifyauth: the account, user@domain and an
 * explicit authorization ID as digest user name, the outbound proxy (a logical domain that does
 * not resolve), and the fresh Call-ID option; the line's live state turns online.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectedResponse, ha1, parseCredentials } from "../../src/auth/digest.js";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { missingTool } from "../helpers/run-tool.js";
import { header, requests, requestUri, startProvider } from "../trunks/sipp-provider.js";

const noSipp = missingTool("sipp");

describe("external line registration, end to end", { skip: noSipp }, () => {
  let parley: ParleyProcess;
  before(async () => {
    parley = await startParley();
  });
  after(async () => {
    await parley.stop();
  });

  async function waitOnline(account: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const res = await parley.api("GET", `/api/v1/external-lines/${account}`);
      if (res.body?.state === "online") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`line ${account} never came online:\n${parley.output().slice(-3000)}`);
  }

  const cases: Array<{
    what: string;
    line: Record<string, unknown>;
    user: (port: number) => string;
    fresh?: boolean;
    proxy?: boolean;
  }> = [
    { what: "the account as digest user name", line: { account: "alice" }, user: () => "alice" },
    {
      what: "user@domain when the line says the authorization user name includes the domain",
      line: { account: "bob", authUserIncludesDomain: true },
      user: () => "bob@127.0.0.1",
    },
    {
      what: "the explicit authorization ID",
      line: { account: "carol", authorizationId: "auth-carol" },
      user: () => "auth-carol",
    },
    {
      what: "an outbound proxy for a logical domain that does not resolve",
      line: { account: "dave", server: "ims.provider.invalid" },
      user: () => "dave",
      proxy: true,
    },
    {
      what: "a fresh Call-ID for the authenticated REGISTER (the 400 Invalid CSeq quirk)",
      line: { account: "erin", freshCallIdOnAuth: true },
      user: () => "erin",
      fresh: true,
    },
  ];

  for (const c of cases) {
    it(`registers with ${c.what}`, async () => {
      const provider = await startProvider(c.fresh ? "prov-register-fresh.xml" : "prov-register.xml", {
        user: c.user(0),
        password: "s3cret",
        calls: c.fresh ? 2 : 1,
      });
      const line = {
        server: "127.0.0.1",
        serverPort: provider.port,
        password: "s3cret",
        ...c.line,
        ...(c.proxy
          ? { serverPort: 5060, outboundProxy: { enabled: true, address: "127.0.0.1", port: provider.port } }
          : {}),
      };
      const created = await parley.api("POST", "/api/v1/external-lines", line);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const result = await provider.done;
      assert.equal(result.code, 0, `${result.stdout.slice(-1500)}\n${parley.output().slice(-3000)}`);
      await waitOnline(String(c.line.account));

      const [first, second] = requests(provider, "REGISTER");
      assert.ok(first && second, "two REGISTERs");
      assert.equal(header(first, "Authorization"), undefined);
      assert.match(header(second, "Authorization") ?? "", new RegExp(`username="${c.user(0)}"`));
      const domain = c.proxy ? "ims.provider.invalid" : `127.0.0.1:${provider.port}`;
      assert.equal(requestUri(first), `sip:${domain}`);
      assert.match(
        header(first, "To") ?? "",
        new RegExp(`<sip:${c.line.account}@${domain.replace(/\./g, "\\.")}>`),
      );
      // The digest, recomputed as the provider would (sipp's verifyauth checked it too, except
      // on the fresh Call-ID's first REGISTER of a new call).
      const auth = parseCredentials(header(second, "Authorization") ?? "");
      assert.ok(auth);
      const expected = expectedResponse({
        algorithm: "MD5",
        ha1: ha1("MD5", c.user(0), "provider", "s3cret"),
        method: "REGISTER",
        uri: auth.uri ?? "",
        nonce: auth.nonce ?? "",
        qop: undefined,
        nc: undefined,
        cnonce: undefined,
      });
      assert.equal(auth.response, expected);
      const cseq = (m: string) => Number((header(m, "CSeq") ?? "").split(" ")[0]);
      if (c.fresh) {
        assert.notEqual(header(second, "Call-ID"), header(first, "Call-ID"));
      } else {
        // RFC 3261 10.2: the same Call-ID, CSeq one higher.
        assert.equal(header(second, "Call-ID"), header(first, "Call-ID"));
        assert.equal(cseq(second), cseq(first) + 1);
      }
      assert.equal((await parley.api("DELETE", `/api/v1/external-lines/${c.line.account}`)).status, 204);
    });
  }

  it("refreshes before the granted expiry in the same Call-ID, answering the provider's kept nonce again", async () => {
    const provider = await startProvider("prov-register-refresh.xml", { user: "gina", password: "s3cret" });
    const created = await parley.api("POST", "/api/v1/external-lines", {
      account: "gina",
      password: "s3cret",
      server: "127.0.0.1",
      serverPort: provider.port,
    });
    assert.equal(created.status, 201);
    // The provider grants 6 s: the refresh goes out before they run out.
    const result = await provider.done;
    assert.equal(result.code, 0, `${result.stdout.slice(-1500)}\n${parley.output().slice(-3000)}`);
    const registers = requests(provider, "REGISTER");
    assert.equal(registers.length, 4);
    assert.equal(new Set(registers.map((m) => header(m, "Call-ID"))).size, 1);
    const seqs = registers.map((m) => Number(header(m, "CSeq")?.split(" ")[0]));
    assert.deepEqual(
      seqs.map((n) => n - seqs[0]!),
      [0, 1, 2, 3],
    );
    await waitOnline("gina");
    assert.equal((await parley.api("DELETE", "/api/v1/external-lines/gina")).status, 204);
  });

  it("a wrong password leaves the line offline", async () => {
    const provider = await startProvider("prov-register.xml", { user: "frank", password: "right" });
    const created = await parley.api("POST", "/api/v1/external-lines", {
      account: "frank",
      password: "wrong",
      server: "127.0.0.1",
      serverPort: provider.port,
    });
    assert.equal(created.status, 201);
    const result = await provider.done;
    assert.notEqual(result.code, 0, "the provider refused the credentials");
    const line = await parley.api("GET", "/api/v1/external-lines/frank");
    assert.equal(line.body.state, "offline");
    await parley.api("DELETE", "/api/v1/external-lines/frank");
  });
});
