/**
 * End to end (issue 22): the admin web UI and REST API are also served over HTTPS on their own
 * port (`--https-port`), with the certificate generated under the data dir, the same routes and
 * the same token as plain HTTP.
 */
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { type ParleyProcess, startParley } from "../helpers/parley-process.js";
import { freePort } from "../helpers/ports.js";

function get(port: number, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        // The certificate is self-signed (generated on first start): its name is not checked here.
        rejectUnauthorized: false,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("the admin over HTTPS", () => {
  let parley: ParleyProcess;
  let httpsPort: number;
  before(async () => {
    httpsPort = await freePort();
    parley = await startParley(["--https-port", String(httpsPort), "--rtp-ports", "47500-47599"]);
  });
  after(async () => {
    await parley?.stop();
  });

  it("answers the API and the web UI on the HTTPS port", { timeout: 20000 }, async () => {
    assert.equal((await get(httpsPort, "/health")).status, 200);
    assert.equal((await get(httpsPort, "/api/v1/users")).status, 401, "the token is needed as over HTTP");
    const users = await get(httpsPort, "/api/v1/users", parley.apiToken);
    assert.equal(users.status, 200);
    assert.ok(
      (JSON.parse(users.body) as { items: Array<{ name: string }> }).items.some((u) => u.name === "100"),
    );
    const page = await get(httpsPort, "/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
    assert.equal((await parley.api("GET", "/health")).status, 200, "plain HTTP still answers");
  });
});
