/**
 * The SIP password policy (issue 23; src/store/password-policy.ts), pure: a new or changed
 * password has at least the minimum length (8 by default) and does not equal the extension
 * number; each broken rule is an error on `password` in words the API, CLI and UI show; a body
 * with no password is not checked; a rename is checked against the new name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { passwordPolicyErrors, passwordPolicyErrorsOf } from "../../src/store/password-policy.js";

const messages = (errors: { field: string; message: string }[]) =>
  errors.map((e) => `${e.field}: ${e.message}`);

describe("passwordPolicyErrors()", () => {
  it("accepts 8 characters that are not the extension number", () => {
    assert.deepEqual(passwordPolicyErrors("100", "12345678"), []);
  });
  it("refuses 7 characters, naming the rule", () => {
    assert.deepEqual(messages(passwordPolicyErrors("100", "1234567")), [
      "password: must be at least 8 characters",
    ]);
  });
  it("refuses the extension number, even when long enough", () => {
    assert.deepEqual(messages(passwordPolicyErrors("10012345", "10012345")), [
      "password: must not equal the extension number",
    ]);
  });
  it("names both rules when both are broken (the preset users' passwords)", () => {
    assert.deepEqual(messages(passwordPolicyErrors("100", "100")), [
      "password: must be at least 8 characters",
      "password: must not equal the extension number",
    ]);
  });
  it("follows the configured minimum length", () => {
    assert.deepEqual(messages(passwordPolicyErrors("100", "123456789", 12)), [
      "password: must be at least 12 characters",
    ]);
    assert.deepEqual(passwordPolicyErrors("100", "abcd", 4), []);
  });
});

describe("passwordPolicyErrorsOf()", () => {
  it("checks a create body's password against its name", () => {
    assert.equal(passwordPolicyErrorsOf({ name: "alice123", password: "alice123" }, undefined, 8).length, 1);
  });
  it("checks an update's password against the current name, or the new one on a rename", () => {
    assert.equal(passwordPolicyErrorsOf({ password: "20020000" }, "20020000", 8).length, 1);
    assert.equal(passwordPolicyErrorsOf({ name: "30030000", password: "30030000" }, "200", 8).length, 1);
    assert.equal(passwordPolicyErrorsOf({ name: "300", password: "20020000" }, "20020000", 8).length, 0);
  });
  it("leaves a body with no password alone", () => {
    assert.deepEqual(passwordPolicyErrorsOf({ displayName: "x" }, "100", 8), []);
  });
});
