/**
 * Covers message-waiting indication over real UDP on 127.0.0.1 with sipp phones, against Parley's
 * layers built in-process (transport, core, transactions, dialogs, digest, registrar, location)
 * with `createMessageWaiting` on top and mailbox counts the test sets:
 * - a phone of user 100 SUBSCRIBEs to message-summary (401, digest), gets 200 and the initial
 *   NOTIFY (Messages-Waiting: no), registers and gets a NOTIFY within its subscription, then
 *   Messages-Waiting: yes with Voice-Message: 1/0 after changed(), and the final NOTIFY
 *   terminated;reason=timeout when it un-subscribes;
 * - a second phone of user 100, registered without subscribing, gets an unsolicited NOTIFY as it
 *   registers (no) and after changed() (yes, 1/0).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Authenticator, type CredentialSource } from "../../src/auth/authenticator.js";
import { BanList } from "../../src/auth/ban-list.js";
import { SipCore } from "../../src/core/sip-core.js";
import { DialogManager } from "../../src/dialog/dialog-manager.js";
import { createMessageWaiting, type MessageWaitingService } from "../../src/presence/message-waiting.js";
import { LocationService } from "../../src/registrar/location-service.js";
import { RegisterHandler } from "../../src/registrar/register-handler.js";
import { computeHa1 } from "../../src/store/digest-ha1.js";
import type { MessageCounts } from "../../src/store/index.js";
import { TransactionLayer } from "../../src/transaction/transaction-layer.js";
import { SipTransportLayer } from "../../src/transport/transport-layer.js";
import type { Clock } from "../../src/util/clock.js";
import { freePort } from "../helpers/ports.js";
import { missingTool, type ToolResult } from "../helpers/run-tool.js";
import { credentialsFile, runSipp, startSipp } from "../helpers/sipp.js";

const DOMAIN = { id: 1, realm: "parley.test" } as const;

/** The system clock with timers that do not keep the test process alive once it is done. */
const clock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface Server {
  readonly port: number;
  readonly service: MessageWaitingService;
  readonly location: LocationService;
  readonly counts: Map<string, MessageCounts>;
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const users = new Map(["100", "101"].map((n) => [n, { auth: computeHa1(n, DOMAIN.realm, n) }]));
  const find = (domainId: number, name: string) => (domainId === DOMAIN.id ? users.get(name) : undefined);
  const credentials: CredentialSource = {
    lookup: (d, n) => Promise.resolve(find(d, n)),
    cached: (d, n) => ({ entry: find(d, n) }),
    byIp: () => Promise.resolve([]),
    cachedByIp: () => [],
  };
  let core: SipCore | undefined;
  const transport = new SipTransportLayer({
    listeners: [{ protocol: "UDP", address: "127.0.0.1", port }],
    clock,
    onBadMessage: (ctx) => core?.onBadMessage(ctx),
  });
  core = new SipCore({ transport, logger, serverName: "Parley/test" });
  const sipCore = core;
  const transactions = new TransactionLayer({ transport, clock, user: core });
  const bans = new BanList(clock, {
    threshold: 50,
    userThreshold: 500,
    windowMs: 60_000,
    banMs: 60_000,
    allow: [],
  });
  const authenticator = new Authenticator({ clock, credentials, bans });
  const location = new LocationService(clock, Date.now, undefined);
  const policy = { user: { multiDevice: true, maxDevices: 5 } };
  const registrar = new RegisterHandler({
    location,
    authenticator,
    users: {
      lookup: async (d, n) => (find(d, n) ? policy : undefined),
      cached: (d, n) => ({ entry: find(d, n) ? policy : undefined }),
    },
    domainFor: () => DOMAIN,
    respond: (request, status, reason, headers) => sipCore.response(request, status, reason, headers),
    now: Date.now,
    logger,
  });
  const dialogs = new DialogManager({ transactions, contact: `sip:parley@127.0.0.1:${port}` });
  core.useDialogs(dialogs);
  core.handle("REGISTER", registrar.handle);
  const counts = new Map<string, MessageCounts>();
  const service = createMessageWaiting({
    core,
    dialogs,
    transactions,
    authenticator,
    location,
    domain: DOMAIN,
    host: DOMAIN.realm,
    counts: async (_domainId, user) => counts.get(user) ?? { new: 0, old: 0 },
    hasVoicemail: async () => true,
    clock,
    logger,
  });
  await location.start();
  await transport.start();
  return {
    port,
    service,
    location,
    counts,
    logs,
    stop: async () => {
      service.close();
      dialogs.close();
      await location.stop();
      await transport.stop();
    },
  };
}

/** Polls `condition` every 20 ms, failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function passed(r: ToolResult, what: string, server: Server): void {
  assert.equal(
    r.code,
    0,
    `${what}:\n${r.stdout.slice(-2000)}\n${r.stderr}\nparley:\n${JSON.stringify(server.logs.slice(-20), null, 1)}`,
  );
}

describe("MWI with sipp phones over UDP", { skip: missingTool("sipp") }, () => {
  let server: Server;
  let dir: string;
  before(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), "parley-mwi-"));
  });
  after(async () => {
    await server?.stop();
  });

  it("a subscriber and an unsolicited device of user 100 hear no, then yes 1/0 after changed()", async () => {
    const credentials = credentialsFile(dir, [["100", "100"]]);
    // The subscriber: SUBSCRIBE, initial NOTIFY, REGISTER, ... (mwi-subscriber.xml).
    const subscriberPort = await freePort();
    const subscriber = runSipp({
      scenario: "mwi-subscriber.xml",
      port: subscriberPort,
      remotePort: server.port,
      extra: ["-inf", credentials],
      timeoutSeconds: 40,
    });
    // The second device registers, then waits as a UAS on the same port: first for the NOTIFY
    // its registration brought (Parley retransmits it until the UAS is up), then for the next.
    const devicePort = await freePort();
    const registered = await runSipp({
      scenario: "call-register.xml",
      port: devicePort,
      remotePort: server.port,
      extra: ["-inf", credentials],
    });
    passed(registered, "device REGISTER", server);
    passed(
      await runSipp({ scenario: "mwi-unsolicited-no.xml", port: devicePort }),
      "device, as it registered",
      server,
    );
    // The device's UAS is bound before anything changes (not left to the NOTIFY's retransmission).
    const yes = await startSipp({
      scenario: "mwi-unsolicited-yes.xml",
      port: devicePort,
      timeoutSeconds: 40,
    });
    assert.ok(yes.bound, "the device's sipp listens");

    // The subscriber has registered: the NOTIFY that brought read the counts (still 0/0).
    await until(
      () => server.location.lookup(DOMAIN.id, "100").some((b) => b.sourcePort === subscriberPort),
      "the subscriber's registration",
    );
    assert.equal(server.service.list().length, 1);
    assert.equal(server.service.list()[0]!.sourcePort, subscriberPort);
    server.counts.set("100", { new: 1, old: 0 });
    await server.service.changed(DOMAIN.id, "100");

    passed(await subscriber, "subscriber", server);
    passed(await yes.done, "device, after changed()", server);
    await until(() => server.service.list().length === 0, "the subscription to end");
  });
});
