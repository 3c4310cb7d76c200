/** resolveApiToken: configured wins, else the data dir file, else generated once into it (0600). */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { bearerToken } from "../../src/api/auth.js";
import { pointerToField } from "../../src/api/errors.js";
import { resolveApiToken, TOKEN_FILE_NAME } from "../../src/api/index.js";

describe("resolveApiToken()", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "parley-token-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("returns the configured token and writes nothing", () => {
    const dataDir = join(root, "configured");
    const result = resolveApiToken({ configured: "configured-token-123456", dataDir });
    assert.deepEqual(result, { token: "configured-token-123456", source: "configured", generated: false });
    assert.throws(() => statSync(join(dataDir, TOKEN_FILE_NAME)), { code: "ENOENT" });
  });

  it("without one, generates 32 random bytes (base64url) into <dataDir>/api-token with mode 0600", () => {
    const dataDir = join(root, "fresh", "nested");
    const result = resolveApiToken({ configured: undefined, dataDir });
    assert.equal(result.generated, true);
    assert.equal(result.source, "generated");
    assert.match(result.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(result.token, "base64url").length, 32);
    const file = join(dataDir, TOKEN_FILE_NAME);
    assert.equal(result.file, file);
    assert.equal(readFileSync(file, "utf8").trim(), result.token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it("on the next start reads the stored token back, not generated again", () => {
    const dataDir = join(root, "fresh", "nested");
    const first = readFileSync(join(dataDir, TOKEN_FILE_NAME), "utf8").trim();
    const result = resolveApiToken({ configured: undefined, dataDir });
    assert.deepEqual(result, {
      token: first,
      source: "file",
      generated: false,
      file: join(dataDir, TOKEN_FILE_NAME),
    });
  });

  it("an empty configured value counts as unset", () => {
    const dataDir = join(root, "fresh", "nested");
    assert.equal(resolveApiToken({ configured: "", dataDir }).source, "file");
  });

  it("a too-short stored token is replaced by a generated one", () => {
    const dataDir = join(root, "short");
    resolveApiToken({ configured: undefined, dataDir });
    writeFileSync(join(dataDir, TOKEN_FILE_NAME), "abc\n");
    const result = resolveApiToken({ configured: undefined, dataDir });
    assert.equal(result.generated, true);
    assert.notEqual(result.token, "abc");
  });
});

describe("bearerToken()", () => {
  it("reads the token of a Bearer header, scheme case-insensitive", () => {
    assert.equal(bearerToken("Bearer abc.def"), "abc.def");
    assert.equal(bearerToken("bearer  abc"), "abc");
  });
  it("is undefined for anything else", () => {
    for (const header of [undefined, "", "Bearer", "Bearer ", "Basic abc", "abc", "Bearer a b"]) {
      assert.equal(bearerToken(header), undefined, String(header));
    }
  });
});

describe("pointerToField()", () => {
  it("turns ajv's JSON pointers into the store's field paths", () => {
    assert.equal(pointerToField("/forwarding/busy/number"), "forwarding.busy.number");
    assert.equal(pointerToField("/ipAuthorization/1"), "ipAuthorization[1]");
    assert.equal(pointerToField("/followMe", "strategy"), "followMe.strategy");
    assert.equal(pointerToField("", "name"), "name");
    assert.equal(pointerToField("/a~1b/c~0d"), "a/b.c~d");
  });
});
