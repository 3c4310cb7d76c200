/**
 * RFC 4475 torture messages against a running `parley start`, over real UDP. Their Via, Contact
 * and Route headers name foreign hosts, so Parley runs in a private network namespace with only
 * loopback (unshare -n): a bug can never send a packet off this machine.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { canUnshare, runInNetns } from "../helpers/netns.js";
import { missingCapability } from "../helpers/run-tool.js";

const skip = missingCapability(canUnshare, "needs root for unshare -n (a private network namespace)");

/** What Parley (an endpoint for these: B2BUA/registrar) must answer, by file. "none" = no response. */
const expected: Record<string, string> = {
  // RFC 4475 3.1.2: invalid messages.
  "badinv01.dat": "400",
  "clerr.dat": "400",
  "ncl.dat": "400",
  "scalar02.dat": "400",
  "quotbal.dat": "400",
  "ltgtruri.dat": "400",
  "lwsruri.dat": "400",
  "lwsstart.dat": "400",
  "trws.dat": "400",
  "escruri.dat": "400",
  "regbadct.dat": "400",
  "badaspec.dat": "400",
  "baddn.dat": "400",
  "badvers.dat": "505",
  "mismatch01.dat": "400",
  "mismatch02.dat": "501",
  "multi01.dat": "400",
  "mcl01.dat": "400",
  // RFC 4475 3.3.1: no Call-ID, From or To, but a Via to answer to (issue 22).
  "insuf.dat": "400",
  // Responses that match nothing, malformed or not, are never answered.
  "scalarlg.dat": "none",
  "bigcode.dat": "none",
  "bcast.dat": "none",
  "unreason.dat": "none",
  "noreason.dat": "none",
  // RFC 4475 3.3: valid syntax, answered by the core's rules.
  "intmeth.dat": "501",
  "esc02.dat": "501",
  "unkscm.dat": "416",
  "novelsc.dat": "416",
  "bext01.dat": "420",
  "zeromf.dat": "200",
  // RFC 4475 3.3.4: a registrar answers an isbn: To with 400 (the AOR must be a SIP or SIPS URI).
  "unksm2.dat": "400",
};

describe("RFC 4475 torture messages over UDP to parley start", { skip }, () => {
  let results: Record<string, string[]> = {};
  /** The final responses Parley sent to one message (a 100 Trying may precede them). */
  const finals = (file: string): string[] | undefined =>
    results[file]?.filter((l) => !/^SIP\/2\.0 1\d\d /.test(l));
  before(() => {
    results = runInNetns<Record<string, string[]>>("test/e2e/torture-netns-runner.ts", {
      timeoutMs: 120_000,
    });
  });

  it("answers each message as RFC 4475 describes (or drops it where it says to)", () => {
    for (const [file, want] of Object.entries(expected)) {
      const got = finals(file);
      assert.ok(got, `${file} was not sent`);
      if (want === "none") assert.deepEqual(got, [], `${file} must not be answered`);
      else
        assert.match(got[0] ?? "(nothing)", new RegExp(`^SIP/2\\.0 ${want} `), `${file}: ${got.join(" | ")}`);
      // An INVITE's final response is retransmitted (Timer G) until an ACK comes: the same
      // status line again, never a different answer.
      assert.ok(new Set(got).size <= 1, `${file}: one answer only, got ${got.join(" | ")}`);
    }
  });

  it("accepts every valid request (a final response other than 400/505)", () => {
    const valid = [
      "wsinv",
      "esc01",
      "escnull",
      "lwsdisp",
      "longreq",
      "dblreq",
      "semiuri",
      "transports",
      "mpart01",
      "inv2543",
      "cparam01",
      "cparam02",
      "regescrt",
      "regaut01",
      "invut",
      "badbranch",
      "baddate",
    ];
    for (const name of valid) {
      const got = finals(`${name}.dat`) ?? [];
      assert.equal(new Set(got).size, 1, `${name}: ${got.join(" | ") || "no response"}`);
      assert.doesNotMatch(got[0]!, /^SIP\/2\.0 (400|505) /, `${name}: ${got[0]}`);
    }
  });

  it("keeps serving after all of them", () => {
    assert.match(results["alive-after"]?.[0] ?? "", /^SIP\/2\.0 200 /);
  });
});
