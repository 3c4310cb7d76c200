/**
 * The `log` namespace of service scripts (issue 18: "logging"; src/services/scripts/host/log-api.ts),
 * through real Lua: info, warn and error reach the structured logger at their level with the
 * script's name; the parts are joined by spaces (tables as JSON, nil as "nil"); a line is cut at
 * 2000 characters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logApi, MAX_LOG_LINE } from "../../../../src/services/scripts/host/log-api.js";
import { lua } from "./lua.js";

function recorder() {
  const lines: Array<[string, unknown, string]> = [];
  const at = (level: string) => (fields: unknown, text: string) => void lines.push([level, fields, text]);
  // pino's overloaded methods, recorded by plain functions.
  const logger = { info: at("info"), warn: at("warn"), error: at("error") } as unknown as Parameters<
    typeof logApi
  >[0];
  return { lines, logger };
}

describe("log host API", () => {
  it("writes each level with the script's name, the parts joined by spaces", async () => {
    const { lines, logger } = recorder();
    await lua(
      `log.info("caller", 1001, "routed to", "2002")
      log.warn({ card = "77" }, { 0.5, "x" }) -- one key: pairs() has no order
      log.error("failed:", true, nil, 2.5)`,
      { log: logApi(logger, "router") },
    );
    assert.deepEqual(lines, [
      ["info", { script: "router" }, "caller 1001 routed to 2002"],
      ["warn", { script: "router" }, '{"card":"77"} [0.5,"x"]'],
      ["error", { script: "router" }, "failed: true nil 2.5"],
    ]);
  });

  it("cuts a line at 2000 characters", async () => {
    const { lines, logger } = recorder();
    await lua(`log.info(string.rep("x", 5000))`, { log: logApi(logger, "chatty") });
    const text = lines[0]![2];
    assert.equal(text, `${"x".repeat(MAX_LOG_LINE)}… (cut)`);
  });
});
