import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { warnPlainHttp } from "../../src/admin-https.js";
import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/util/logger.js";

function warnings(over: Partial<Settings>): string[] {
  const said: string[] = [];
  const logger = { warn: (_o: unknown, msg: string) => said.push(msg) } as unknown as Logger;
  warnPlainHttp({ httpPort: 8080, httpsPort: 0, httpBind: "0.0.0.0", ...over } as Settings, logger);
  return said;
}

describe("the plain HTTP warning (issue 22)", () => {
  it("warns when the admin answers plain HTTP beyond this machine", () => {
    assert.match(warnings({})[0] ?? "", /plain HTTP beyond this machine .*set --https-port/);
    assert.match(warnings({ httpBind: "::", httpsPort: 8443 })[0] ?? "", /use the HTTPS port/);
  });
  it("is quiet on loopback or with HTTP off", () => {
    assert.deepEqual(warnings({ httpBind: "127.0.0.1" }), []);
    assert.deepEqual(warnings({ httpBind: "::1" }), []);
    assert.deepEqual(warnings({ httpPort: 0 }), []);
  });
});
