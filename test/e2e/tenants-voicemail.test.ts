/**
 * End to end (issue 21 acceptance: "voicemail of A is mailed with A's SMTP settings"; "MWI never
 * leaks across tenants"): two tenants in one `parley start`, each administrator pointing its own
 * SMTP settings (PUT /api/v1/smtp with its token) at its own test SMTP server. In each tenant 101
 * has voicemail and an e-mail address and no phone registered, and watches its mailbox
 * (SUBSCRIBE message-summary); 100 (baresip on the shared port) leaves it a message of its tone
 * (a 440 Hz, b 600 Hz). Each message is mailed to its tenant's server only, with the tenant's
 * sender and its tone in the attachment; each 101's lamp lights for its own message only.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SHIPPED_PROMPTS_DIR } from "../../src/media/prompts/prompt-library.js";
import { toneShare, wavSamples } from "../helpers/audio-measure.js";
import { BaresipPhone, toneWav } from "../helpers/baresip-phone.js";
import { freePorts } from "../helpers/ports.js";
import { missingTool } from "../helpers/run-tool.js";
import { type Inbox, smtpInbox } from "../helpers/smtp-inbox.js";
import type { TenantPhone } from "../helpers/tenant-phone.js";
import {
  sleep,
  type TenantHandle,
  tenantAccount,
  until,
  useTenantBaresip,
  useTwoTenants,
} from "../helpers/tenants.js";

const skip = missingTool("baresip") || missingTool("sox");
const TONE: Record<string, number> = { a: 440, b: 600 };

/** Seconds of the system greeting for mailbox 101 and the beep, as Parley plays them. */
function greetingSeconds(): number {
  const names = [
    "vm-person-at-extension",
    "digit-1",
    "digit-0",
    "digit-1",
    "vm-is-unavailable",
    "leave-message",
  ];
  const samples = names.reduce(
    (n, name) => n + wavSamples(join(SHIPPED_PROMPTS_DIR, "en", `${name}.wav`)).length,
    0,
  );
  return samples / 8000 + 0.4;
}

describe("each tenant's voicemail is mailed with its own SMTP settings; MWI stays in the tenant", {
  skip,
}, () => {
  const env = useTwoTenants(["--rtp-ports", "43600-43799"]);
  const baresip = useTenantBaresip(env, "vm");
  const inbox: Record<string, Inbox> = {};
  const watchers: Record<string, TenantPhone> = {};

  before(async () => {
    const ports = await freePorts(2);
    for (const [i, x] of [env.a, env.b].entries()) {
      inbox[x.name] = await smtpInbox(ports[i]!);
      const smtp = await x.api("PUT", "/api/v1/smtp", {
        host: "127.0.0.1",
        port: ports[i],
        security: "none",
        from: `PBX ${x.name} <pbx@${x.domain}>`,
      });
      assert.equal(smtp.status, 200, JSON.stringify(smtp.body));
      const user = await x.api("PATCH", "/api/v1/users/101", {
        voicemailOnUnreachableOrNoAnswer: true,
        email: `u101@${x.domain}`,
      });
      assert.equal(user.status, 200, JSON.stringify(user.body));
      await toneWav(join(baresip.work, `${TONE[x.name]}.wav`), TONE[x.name]!, 60);
    }
  });
  after(async () => {
    for (const i of Object.values(inbox)) await i.close();
  });

  const waiting = (x: TenantHandle) =>
    watchers[x.name]!.notifies("message-summary").filter((b) => /Messages-Waiting:\s*yes/i.test(b));

  it("each administrator sees its own SMTP settings; the provider's are untouched", async () => {
    for (const x of [env.a, env.b]) {
      const smtp = await x.api("GET", "/api/v1/smtp");
      assert.equal(smtp.body.from, `PBX ${x.name} <pbx@${x.domain}>`);
      assert.equal(smtp.body.source, "saved");
    }
    const provider = await env.provider("GET", "/api/v1/smtp");
    assert.notEqual(provider.body.source, "saved", JSON.stringify(provider.body));
  });

  it("each 101 watching its mailbox is told it is empty", async () => {
    for (const x of [env.a, env.b]) {
      const w = await env.phone(x, "101");
      watchers[x.name] = w;
      const res = await w.subscribe("101", "message-summary");
      assert.equal(res.status, 200, `${x.name}: ${res.status} ${res.reason}`);
      const first = await until(`${x.name}'s first NOTIFY`, () => w.notifies("message-summary")[0]);
      assert.match(first, /Messages-Waiting:\s*no/i);
    }
  });

  for (const name of ["a", "b"] as const)
    it(`${name}'s 100 leaves ${name}'s 101 a message: mailed by ${name}'s SMTP server only, ${name}'s lamp only`, {
      timeout: 90_000,
    }, async (t) => {
      const x = env[name];
      const other = env.other(x);
      const mailsBefore = {
        [x.name]: inbox[x.name]!.mails.length,
        [other.name]: inbox[other.name]!.mails.length,
      };
      const otherNotifies = watchers[other.name]!.notifies("message-summary").length;
      const caller = await BaresipPhone.start({
        account: tenantAccount(x, "100", env.parley.sipPort),
        source: join(baresip.work, `${TONE[name]}.wav`),
        rtpPorts: name === "a" ? "45200-45249" : "45250-45299",
      });
      baresip.track(caller);
      assert.ok(await caller.waitForOutput(/200 OK \(Parley/, 10_000), caller.output());
      caller.command("dial", `sip:101@${x.domain}`);
      assert.ok(
        await caller.waitForEvent("CALL_ESTABLISHED", 15_000),
        `voicemail answers\n${caller.output()}`,
      );
      // The greeting and the beep, then about 4 s of the tone, then #.
      await sleep((greetingSeconds() + 4) * 1000);
      caller.command("sndcode", "#");
      assert.ok(await caller.waitForEvent("CALL_CLOSED", 15_000), "Parley says goodbye and hangs up");
      await caller.stop();

      const list = await x.api("GET", "/api/v1/voicemail?user=101");
      assert.equal(list.body.items.length, 1, JSON.stringify(list.body));
      assert.equal(list.body.items[0].caller, "100");
      const mail = await until(
        `the mail at ${name}'s server`,
        () => inbox[x.name]!.mails[mailsBefore[x.name]!],
        30_000,
      );
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : "", `u101@${x.domain}`);
      assert.match(mail.from?.text ?? "", new RegExp(`pbx@${x.domain}`));
      const wav = mail.attachments.find((a) => a.filename?.endsWith(".wav"));
      assert.ok(wav, "a WAV attachment");
      const file = join(baresip.work, `mailed-${name}.wav`);
      writeFileSync(file, wav.content);
      const samples = wavSamples(file);
      const share = toneShare(samples.subarray(2000, samples.length - 2000), TONE[name]!);
      t.diagnostic(
        `${name}'s message: ${(samples.length / 8000).toFixed(2)} s, ${TONE[name]} Hz share ${share.toFixed(2)}`,
      );
      assert.ok(
        share > 0.8,
        `${name}'s message is its caller's ${TONE[name]} Hz (share ${share.toFixed(2)})`,
      );

      const lit = await until(`${name}'s lamp`, () => waiting(x)[0]);
      assert.match(lit, /Voice-Message:\s*1\/0/);
      // Two seconds more, on purpose: a leak would have mailed or notified by now.
      await sleep(2000);
      assert.equal(
        inbox[other.name]!.mails.length,
        mailsBefore[other.name],
        `nothing mailed by ${other.name}'s server`,
      );
      assert.equal(inbox[x.name]!.mails.length, mailsBefore[x.name]! + 1, "one mail");
      assert.equal(
        watchers[other.name]!.notifies("message-summary").length,
        otherNotifies,
        `${other.name}'s 101 got no NOTIFY for ${name}'s message`,
      );
      const otherList = await other.api("GET", "/api/v1/voicemail?user=101");
      assert.equal(
        otherList.body.items.length,
        name === "a" ? 0 : 1,
        `${other.name}'s mailbox holds only its own messages`,
      );
      // The other tenant's lamp shows only its own count.
      const otherLast = watchers[other.name]!.notifies("message-summary").at(-1) ?? "";
      assert.match(otherLast, name === "a" ? /Messages-Waiting:\s*no/i : /Voice-Message:\s*1\/0/);
    });
});
