/**
 * /api/v1/calling-cards and /api/v1/calling-card-rates over a real SQLite store (issue 18): cards
 * created, listed, changed (expiry set and cleared), credited atomically and deleted, money as
 * decimals; rates by id; errors name the field (400), a taken number is 409, a missing one 404;
 * CSV export, and import as text/csv or JSON {csv}, all rows or none, errors naming row and
 * field; a CDR shows its card and charge (JSON and CSV); every response matches the OpenAPI
 * document's schema.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { createApi } from "../../src/api/index.js";
import { type Store, storeFromUrl } from "../../src/store/index.js";
import { auth, baseApiDeps, NOW } from "./fixtures.js";

type Doc = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>
  >;
};

describe("/api/v1 calling cards and rates", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let doc: Doc;
  const strict = new Ajv2020({ strict: true });
  formats.default(strict);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-cards-api-"));
    store = await storeFromUrl(undefined, dir);
    await store.migrate();
    app = await createApi({ ...baseApiDeps(store), callingCards: true, now: () => NOW });
    await app.ready();
    doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends a request and checks a JSON answer against the document's schema for its status. */
  async function api(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    template: string,
    payload?: object | string,
    type?: string,
  ): Promise<LightMyRequestResponse> {
    const res = await app.inject({
      method,
      url: `/api/v1${path}`,
      headers: { ...auth, ...(type ? { "content-type": type } : {}) },
      ...(payload === undefined ? {} : { payload }),
    });
    const op = doc.paths[`/api/v1${template}`]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is documented`);
    const response = op.responses?.[String(res.statusCode)];
    assert.ok(response, `${method} ${template} ${res.statusCode} is documented: ${res.body}`);
    const schema = response.content?.["application/json"]?.schema;
    if (schema && /json/.test(String(res.headers["content-type"]))) {
      const validate = strict.compile(schema);
      assert.ok(validate(res.json()), `${method} ${template}: ${strict.errorsText(validate.errors)}`);
    }
    return res;
  }
  const fields = (res: LightMyRequestResponse) => res.json().errors.map((e: { field: string }) => e.field);

  it("creates, gets, lists, changes, credits and deletes a card", async () => {
    const created = await api("POST", "/calling-cards", "/calling-cards", {
      number: "5001",
      pin: "1234",
      balance: 4.25,
      expiresAt: "2026-01-01T00:00:00Z",
    });
    assert.equal(created.statusCode, 201, created.body);
    const card = created.json();
    assert.deepEqual(
      [card.number, card.pin, card.balance, card.currency, card.enabled, card.expired, card.expiresAt],
      ["5001", "1234", 4.25, "USD", true, true, "2026-01-01T00:00:00.000Z"],
    );
    const changed = await api("PATCH", "/calling-cards/5001", "/calling-cards/{number}", {
      expiresAt: null,
      currency: "EUR",
    });
    assert.deepEqual(
      [changed.json().expiresAt, changed.json().expired, changed.json().currency],
      [null, false, "EUR"],
    );
    const credited = await api("POST", "/calling-cards/5001/credit", "/calling-cards/{number}/credit", {
      amount: 0.75,
    });
    assert.equal(credited.json().balance, 5);
    assert.equal((await api("GET", "/calling-cards/5001", "/calling-cards/{number}")).json().balance, 5);
    await api("POST", "/calling-cards", "/calling-cards", { number: "5002", pin: "1" });
    assert.deepEqual(
      (await api("GET", "/calling-cards", "/calling-cards"))
        .json()
        .items.map((c: { number: string }) => c.number),
      ["5001", "5002"],
    );
    assert.equal((await api("DELETE", "/calling-cards/5002", "/calling-cards/{number}")).statusCode, 204);
    assert.equal((await api("DELETE", "/calling-cards/5002", "/calling-cards/{number}")).statusCode, 404);
  });

  it("names each bad field (400), refuses a taken number (409), 404s a missing card", async () => {
    const bad = await api("POST", "/calling-cards", "/calling-cards", {
      number: "50x",
      pin: "",
      balance: 1.00001,
      currency: "eur",
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fields(bad).sort(), ["balance", "currency", "number", "pin"]);
    const badTime = await api("PATCH", "/calling-cards/5001", "/calling-cards/{number}", {
      expiresAt: "tomorrow",
    });
    assert.deepEqual(fields(badTime), ["expiresAt"]);
    assert.equal(
      (await api("POST", "/calling-cards", "/calling-cards", { number: "5001", pin: "9" })).statusCode,
      409,
    );
    assert.equal((await api("GET", "/calling-cards/9", "/calling-cards/{number}")).statusCode, 404);
    const credit = await api("POST", "/calling-cards/5001/credit", "/calling-cards/{number}/credit", {
      amount: 0.00001,
    });
    assert.deepEqual(fields(credit), ["amount"]);
    assert.equal(
      (await api("POST", "/calling-cards/9/credit", "/calling-cards/{number}/credit", { amount: 1 }))
        .statusCode,
      404,
    );
  });

  it("creates, changes and deletes rates by id", async () => {
    const any = await api("POST", "/calling-card-rates", "/calling-card-rates", {
      prefix: "",
      perMinute: 0.1,
    });
    assert.equal(any.statusCode, 201, any.body);
    assert.deepEqual(
      [any.json().prefix, any.json().connectCharge, any.json().firstIncrement, any.json().increment],
      ["", 0, 60, 6],
    );
    const id = String(any.json().id);
    const changed = await api("PATCH", `/calling-card-rates/${id}`, "/calling-card-rates/{id}", {
      connectCharge: 0.05,
      description: "anywhere",
    });
    assert.equal(changed.json().connectCharge, 0.05);
    assert.equal(
      (await api("GET", `/calling-card-rates/${id}`, "/calling-card-rates/{id}")).json().description,
      "anywhere",
    );
    const bad = await api("POST", "/calling-card-rates", "/calling-card-rates", {
      prefix: "1x",
      perMinute: 1,
      increment: 0,
    });
    assert.deepEqual(fields(bad).sort(), ["increment", "prefix"]);
    assert.equal(
      (await api("POST", "/calling-card-rates", "/calling-card-rates", { prefix: "", perMinute: 1 }))
        .statusCode,
      409,
    );
    assert.equal(
      (await api("DELETE", "/calling-card-rates/999", "/calling-card-rates/{id}")).statusCode,
      404,
    );
    assert.equal(
      (await api("DELETE", `/calling-card-rates/${id}`, "/calling-card-rates/{id}")).statusCode,
      204,
    );
  });

  it("exports cards and rates as CSV", async () => {
    const cards = await api("GET", "/calling-cards.csv", "/calling-cards.csv");
    assert.match(String(cards.headers["content-type"]), /^text\/csv/);
    assert.equal(cards.headers["content-disposition"], 'attachment; filename="calling-cards-2027-01-15.csv"');
    assert.equal(cards.body, "number,pin,balance,currency,expires_at,enabled\r\n5001,1234,5,EUR,,yes\r\n");
    await api("POST", "/calling-card-rates", "/calling-card-rates", { prefix: "00", perMinute: 0.0125 });
    const rates = await api("GET", "/calling-card-rates.csv", "/calling-card-rates.csv");
    assert.equal(
      rates.body,
      "prefix,connect_charge,per_minute,first_increment,increment,description\r\n00,0,0.0125,60,6,\r\n",
    );
  });

  it("imports CSV all or nothing, as text/csv or JSON, errors naming row and field", async () => {
    const bad = await api(
      "POST",
      "/calling-cards.csv",
      "/calling-cards.csv",
      "number,pin,balance\n6001,11,1\n6002,,2\n6003,33,abc\n",
      "text/csv",
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fields(bad), ["row 4.balance"]);
    const missingPin = await api(
      "POST",
      "/calling-cards.csv",
      "/calling-cards.csv",
      "number,pin,balance\n6001,11,1\n6002,,2\n",
      "text/csv",
    );
    assert.deepEqual(fields(missingPin), ["row 3.pin"]);
    assert.equal(
      (await api("GET", "/calling-cards/6001", "/calling-cards/{number}")).statusCode,
      404,
      "nothing imported",
    );
    const good = await api(
      "POST",
      "/calling-cards.csv",
      "/calling-cards.csv",
      "number,pin,balance\r\n6001,11,1\r\n5001,1234,7.5\r\n",
      "text/csv",
    );
    assert.deepEqual(good.json(), { created: 1, updated: 1 });
    assert.equal((await api("GET", "/calling-cards/5001", "/calling-cards/{number}")).json().balance, 7.5);
    const json = await api("POST", "/calling-card-rates.csv", "/calling-card-rates.csv", {
      csv: "prefix,per_minute\n0044,0.02\n",
    });
    assert.deepEqual(json.json(), { created: 1, updated: 0 });
    const badRate = await api("POST", "/calling-card-rates.csv", "/calling-card-rates.csv", {
      csv: "prefix,per_minute,colour\n",
    });
    assert.deepEqual(fields(badRate), ["row 1.colour"]);
  });

  it("shows a CDR's card and charge, in JSON and in CSV", async () => {
    await store.cdrs.insert({
      domainId: (await store.domains.getDefault()).id,
      callId: "c-card",
      caller: "100",
      callerName: "",
      dialed: "*300*",
      callee: "0044123",
      startedAt: NOW - 70_000,
      answeredAt: NOW - 60_000,
      endedAt: NOW,
      disposition: "answered",
      hangupCause: "caller-bye",
      sipStatus: 200,
      sipReason: "OK",
      legs: [],
      card: "5001",
      charge: 0.0213,
    });
    const listed = await app.inject({ method: "GET", url: "/api/v1/cdrs", headers: auth });
    const record = listed.json().items.find((r: { callId: string }) => r.callId === "c-card");
    assert.deepEqual([record.card, record.charge], ["5001", 0.0213]);
    const csv = await app.inject({ method: "GET", url: "/api/v1/cdrs.csv", headers: auth });
    const [header, row] = csv.body.split("\r\n");
    assert.ok(header!.endsWith(",hangup_cause,card,charge"), header);
    assert.ok(row!.endsWith(",caller-bye,5001,0.0213"), row);
  });

  it("serves none of these routes unless asked to", async () => {
    const plain = await createApi(baseApiDeps(store));
    try {
      const res = await plain.inject({ method: "GET", url: "/api/v1/calling-cards", headers: auth });
      assert.equal(res.statusCode, 404);
    } finally {
      await plain.close();
    }
  });
});
