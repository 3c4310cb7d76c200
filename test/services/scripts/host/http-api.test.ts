/**
 * The `http` namespace of service scripts (issue 18: "HTTP requests to configured hosts only (off
 * by default) for CRM lookups"; src/services/scripts/host/http-api.ts), through real Lua against a
 * real HTTP server on 127.0.0.1: GET and POST (a table goes as JSON) with headers; a host not in
 * script-http-allow (or a port other than the listed one) gets no request and the script an error
 * naming the host; an empty list turns requests off; the list is read at each request; only http
 * and https; redirects followed on the same host only, 303 turning a POST into a GET, at most 5;
 * a timeout and the body cap (declared or streamed) are errors; so is a refused connection.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type HttpApiOptions, httpApi } from "../../../../src/services/scripts/host/http-api.js";
import { lua, luaError } from "./lua.js";

describe("http host API", () => {
  let server: Server;
  let port: number;
  let base: string;
  const seen: string[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    seen.push(`${req.method} ${req.headers.host} ${req.url}`);
    const reply = (status: number, type: string, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, ...extra });
      res.end(text);
    };
    switch (req.url) {
      case "/caller?number=1001":
        reply(200, "application/json", `{"name":"Alice","key":"${req.headers["x-key"] ?? ""}"}`);
        return;
      case "/echo":
        reply(200, "text/plain", `${req.method} ${req.headers["content-type"] ?? "-"} ${body}`);
        return;
      case "/same":
        reply(302, "text/plain", "moved", { location: "/caller?number=1001" });
        return;
      case "/elsewhere":
        reply(302, "text/plain", "moved", { location: `http://localhost:${port}/caller?number=1001` });
        return;
      case "/see-other":
        reply(303, "text/plain", "", { location: "/echo" });
        return;
      case "/loop":
        reply(302, "text/plain", "", { location: "/loop" });
        return;
      case "/slow":
        return; // never answers
      case "/big":
        reply(200, "text/plain", "x".repeat(2000));
        return;
      case "/big-streamed":
        res.writeHead(200, { "content-type": "text/plain" });
        for (let i = 0; i < 20; i++) res.write("y".repeat(100));
        res.end();
        return;
      default:
        reply(404, "text/plain", "no such page");
        return;
    }
  }

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const api = (allow: string, more: Partial<HttpApiOptions> = {}) => ({
    http: httpApi({ allow: () => allow, ...more }),
  });

  it("GET: status, body and content type; the script's headers are sent", async () => {
    const out = await lua(
      `local r = http.get("${base}/caller?number=1001", { headers = { ["X-Key"] = "s3cret" } })
       return { r.status, r.body, r.headers["content-type"] }`,
      api(`crm.example, 127.0.0.1:${port}`),
    );
    assert.deepEqual(out, [200, '{"name":"Alice","key":"s3cret"}', "application/json"]);
    const missing = await lua(`return http.get("${base}/nothing").status`, api(`127.0.0.1:${port}`));
    assert.equal(missing, 404, "an HTTP error status is an answer, not an error");
  });

  it("POST: a table is sent as JSON, a string as it is with the script's content type", async () => {
    const out = await lua(
      `local a = http.post("${base}/echo", { caller = "1001", tries = 2 })
       local b = http.post("${base}/echo", "n=1001", { headers = { ["Content-Type"] = "application/x-www-form-urlencoded" } })
       return { a.body, b.body }`,
      api(`127.0.0.1:${port}`),
    );
    const [a, b] = out as string[];
    assert.match(a!, /^POST application\/json \{/);
    assert.deepEqual(JSON.parse(a!.slice(a!.indexOf("{"))), { caller: "1001", tries: 2 });
    assert.equal(b, "POST application/x-www-form-urlencoded n=1001");
  });

  it("a host not in script-http-allow, or on another port, gets no request", async () => {
    const before = seen.length;
    assert.match(
      await luaError(`http.get("${base}/caller?number=1001")`, api("crm.example,localhost")),
      new RegExp(`^test\\.lua:\\d+: http\\.get: host 127\\.0\\.0\\.1:${port} is not in script-http-allow$`),
    );
    // A host alone stands for port 80 (http) or 443 (https) only.
    assert.match(
      await luaError(`http.post("${base}/echo", "x")`, api("127.0.0.1")),
      /http\.post: host 127\.0\.0\.1:\d+ is not in script-http-allow$/,
    );
    assert.match(
      await luaError(`http.get("${base}/echo")`, api("")),
      /http\.get: HTTP requests are off: script-http-allow is empty$/,
    );
    assert.equal(seen.length, before);
  });

  it("reads the allow list at each request: a change applies to the next one", async () => {
    let allow = `127.0.0.1:${port}`;
    const out = await lua(
      `local first = http.get("${base}/echo").status
       close_list()
       local ok, err = pcall(http.get, "${base}/echo")
       return { first, ok, err }`,
      {
        http: httpApi({ allow: () => allow }),
        close_list: () => {
          allow = "";
        },
      },
    );
    assert.deepEqual(out, [200, false, "http.get: HTTP requests are off: script-http-allow is empty"]);
  });

  it("only http and https URLs", async () => {
    const allowed = api(`127.0.0.1:${port}`);
    assert.match(
      await luaError(`http.get("ftp://127.0.0.1/x")`, allowed),
      /only http and https URLs are allowed, not ftp$/,
    );
    assert.match(await luaError(`http.get("file:///etc/passwd")`, allowed), /not file$/);
    assert.match(await luaError(`http.get("no url")`, allowed), /http\.get: "no url" is not a URL$/);
    assert.match(await luaError(`http.get(42)`, allowed), /the URL must be a string, not number$/);
    assert.match(
      await luaError(`http.post("${base}/echo", true)`, allowed),
      /the body must be a string or a table/,
    );
  });

  it("follows a redirect on the same host; one to another host comes back as it is", async () => {
    const both = api(`127.0.0.1:${port},localhost:${port}`);
    assert.deepEqual(await lua(`local r = http.get("${base}/same") return { r.status, r.body }`, both), [
      200,
      '{"name":"Alice","key":""}',
    ]);
    const before = seen.length;
    const out = await lua(
      `local r = http.get("${base}/elsewhere") return { r.status, r.headers.location }`,
      both,
    );
    assert.deepEqual(out, [302, `http://localhost:${port}/caller?number=1001`]);
    assert.deepEqual(seen.slice(before), [`GET 127.0.0.1:${port} /elsewhere`], "localhost was never asked");
  });

  it("a 303 after a POST becomes a GET without the body; a loop stops after 5 redirects", async () => {
    const allowed = api(`127.0.0.1:${port}`);
    assert.equal(await lua(`return http.post("${base}/see-other", "data").body`, allowed), "GET - ");
    const before = seen.length;
    assert.equal(await lua(`return http.get("${base}/loop").status`, allowed), 302);
    assert.equal(seen.length - before, 6, "the request and 5 redirects");
  });

  it("a server that does not answer in time is an error", async () => {
    const started = Date.now();
    assert.match(
      await luaError(`http.get("${base}/slow")`, api(`127.0.0.1:${port}`, { timeoutMs: 200 })),
      new RegExp(`http\\.get: no answer from 127\\.0\\.0\\.1:${port} within 200 ms$`),
    );
    assert.ok(Date.now() - started < 2000);
  });

  it("a body over the cap is an error, whether its length is declared or streamed", async () => {
    const capped = api(`127.0.0.1:${port}`, { maxBytes: 1000 });
    for (const path of ["/big", "/big-streamed"]) {
      assert.match(
        await luaError(`http.get("${base}${path}")`, capped),
        /http\.get: the response body is over the limit of 1000 bytes$/,
        path,
      );
    }
    assert.equal(
      await lua(`return #http.get("${base}/big").body`, api(`127.0.0.1:${port}`, { maxBytes: 2000 })),
      2000,
    );
  });

  it("a refused connection is an error naming the host", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    assert.match(
      await luaError(`http.get("http://127.0.0.1:${deadPort}/")`, api(`127.0.0.1:${deadPort}`)),
      new RegExp(`http\\.get: 127\\.0\\.0\\.1:${deadPort}: .*ECONNREFUSED`),
    );
  });
});
