/**
 * `parley parked` run as a child process against a real API on 127.0.0.1 with a fake parking lot
 * (issue 16: parked calls in the CLI). Proven: the parked calls listed as text and as JSON; the
 * server found from the settings (PARLEY_HTTP_PORT, PARLEY_HTTP_BIND) and the token from the data
 * dir's token file when not given; "no parked calls" when the lot is empty; a refused token and no
 * server exit 1 with a message naming the cause.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApi } from "../../src/api/index.js";
import type { ParkedCall } from "../../src/api/types.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { runParleyCli } from "../helpers/parley-cli.js";
import { freePorts } from "../helpers/ports.js";
import { baseApiDeps, NOW, TOKEN } from "./fixtures.js";

describe("parley parked (CLI)", () => {
  let dir: string;
  let dataDir: string;
  let store: Store;
  let app: FastifyInstance;
  let port: number;
  let url: string;
  const parked: ParkedCall[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-cli-parked-api-"));
    dataDir = mkdtempSync(join(tmpdir(), "parley-cli-parked-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    const domainId = (await store.domains.getDefault()).id;
    // 100 (Alice) parked in slot 5 by 101, 75 s ago, rung back once already and again now.
    parked.push({
      domainId,
      slot: 5,
      callId: "call-1",
      parked: { domainId, user: "100", displayName: "Alice" },
      parker: { domainId, user: "101", displayName: "" },
      parkedAt: NOW - 75_000,
      ringingBack: true,
      ringBacks: 1,
    } as ParkedCall);
    app = await createApi({
      ...baseApiDeps(store),
      now: () => NOW,
      parked: { list: () => parked },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    assert.ok(address && typeof address === "object");
    port = address.port;
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists the parked calls by slot as a table", async () => {
    const r = await runParleyCli(["parked", "--url", url, "--token", TOKEN], dataDir);
    assert.equal(r.code, 0, r.stderr);
    const [header, row, extra] = r.stdout.trimEnd().split("\n");
    assert.match(header!, /^SLOT\s+PARKED\s+PARKED BY\s+TIME\s+STATE$/);
    assert.match(row!, /^5\s+100 \(Alice\)\s+101\s+1:15\s+ringing back, ring-backs: 1$/);
    assert.equal(extra, undefined);
  });

  it("prints the API's items with --json", async () => {
    const r = await runParleyCli(["parked", "--url", url, "--token", TOKEN, "--json"], dataDir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      {
        slot: 5,
        callId: "call-1",
        parked: { user: "100", displayName: "Alice" },
        parker: { user: "101", displayName: "" },
        parkedAt: new Date(NOW - 75_000).toISOString(),
        parkedSeconds: 75,
        ringingBack: true,
        ringBacks: 1,
      },
    ]);
  });

  it("finds the server from the settings and the token in the data dir's token file", async () => {
    writeFileSync(join(dataDir, "api-token"), `${TOKEN}\n`);
    try {
      const r = await runParleyCli(["parked", "--json"], dataDir, {
        PARLEY_HTTP_PORT: String(port),
        PARLEY_HTTP_BIND: "0.0.0.0",
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as Array<{ slot: number }>)[0]?.slot, 5);
    } finally {
      rmSync(join(dataDir, "api-token"));
    }
  });

  it('says "no parked calls" when the lot is empty', async () => {
    const saved = parked.splice(0);
    try {
      const r = await runParleyCli(["parked", "--url", url, "--token", TOKEN], dataDir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "no parked calls\n");
    } finally {
      parked.push(...saved);
    }
  });

  it("exits 1 naming the cause when the token is refused", async () => {
    const r = await runParleyCli(["parked", "--url", url, "--token", "not-the-token-at-all"], dataDir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the API token/);
  });

  it("exits 1 when no server answers, 2 without a token to present", async () => {
    const [closed] = await freePorts(1);
    const r = await runParleyCli(
      ["parked", "--url", `http://127.0.0.1:${closed}`, "--token", TOKEN],
      dataDir,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no Parley server answers at .*ECONNREFUSED/);
    const tokenless = await runParleyCli(["parked", "--url", url], dataDir);
    assert.equal(tokenless.code, 2);
    assert.match(tokenless.stderr, /no API token/);
  });
});
