/**
 * End to end (issue 6 acceptance): two baresip phones behind NAT (network namespaces and an
 * iptables NAT this test creates, see media-nat-netns.ts) call through Parley with the media relay:
 * audio both ways at the right pitch, through hold and resume; the media timeout cuts off a phone
 * that stops sending; stun-client behind the NAT learns its public address. The scenario runs in a
 * private network namespace (unshare -n), so no packet can leave this machine.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { missingCapability, missingTool } from "../helpers/run-tool.js";

const root = new URL("../../", import.meta.url).pathname;
const canUnshare = spawnSync("unshare", ["-n", "true"]).status === 0;
const skip =
  missingCapability(canUnshare, "needs root for unshare -n (a private network namespace)") ||
  missingTool("baresip") ||
  missingTool("sox") ||
  missingTool("iptables") ||
  missingTool("stun");

describe("phones behind NAT, media relayed by Parley (in private network namespaces)", { skip }, () => {
  it("passes the NAT scenario (media-nat-netns.ts)", { timeout: 240_000 }, (t) => {
    const r = spawnSync(
      "unshare",
      [
        "-n",
        "--",
        "bash",
        "-c",
        `ip link set lo up && exec "${process.execPath}" --import tsx --test --test-reporter=spec test/e2e/media-nat-netns.ts`,
      ],
      // Without NODE_TEST_CONTEXT the inner runner reports for itself (and fails by its exit code).
      {
        cwd: root,
        encoding: "utf8",
        timeout: 230_000,
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      },
    );
    for (const line of r.stdout.split("\n")) if (/^\s*(✔|✖|ℹ)/.test(line)) t.diagnostic(line.trim());
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    // The scenario really ran: four tests, none skipped.
    assert.match(r.stdout, /ℹ pass 4\b/, r.stdout);
  });
});
