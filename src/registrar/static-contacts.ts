/**
 * Devices that never REGISTER (issue 23; FEATURES.md section 2, "IP address authorization"): a
 * user's static contact (`staticContact`, a SIP URI) is probed with OPTIONS (RFC 3261 11) every
 * interval. While it answers, with any final response but a timeout or 503 (RFC 3261 8.1.3.1:
 * what a transport failure stands for), the location service holds a binding for it, so calls,
 * ringing and hunt groups, pick-up and presence treat the device like a registered one; when it
 * stops answering, the binding goes and the user is offline. A change of the user's static
 * contact is probed at once.
 */
import { createRequest, generateBranch, generateCallId, generateTag, parseUri } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { Binding } from "../store/binding-model.js";
import type { Destination, TransportProtocol } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";

/** A user whose device is reached at a static contact. */
export interface StaticContactUser {
  readonly domainId: number;
  readonly name: string;
  readonly staticContact: string;
}

export interface StaticContactsOptions {
  /** Every user with a static contact (the store). */
  readonly users: () => Promise<readonly StaticContactUser[]>;
  readonly location: {
    apply(domainId: number, user: string, remove: readonly string[], upsert: readonly Binding[]): void;
  };
  readonly transactions: {
    sendRequest(
      request: SipRequest,
      destination: Destination,
      handler: { onResponse(response: SipResponse): void },
    ): unknown;
  };
  /** Seconds between probes; the binding lives three of them. */
  readonly intervalSeconds: number;
  readonly clock: Clock;
  /** Wall-clock epoch ms (bindings' expiry). */
  readonly now: () => number;
  /** Host of the From URI. */
  readonly host: string;
  readonly logger: Logger;
}

/** The users of a domain with a static contact (the store's users; the first 1,000). */
export async function staticContactUsers(
  users: {
    list(query: {
      domainId: number;
      limit: number;
      offset?: number;
    }): Promise<{ items: readonly StaticContactUser[] }>;
  },
  domainId: number,
): Promise<StaticContactUser[]> {
  const page = await users.list({ domainId, limit: 1000 });
  return page.items.filter((u) => u.staticContact !== "");
}

/** The Call-ID every static binding carries: not a REGISTER's, so nobody mistakes one for it. */
const STATIC_CALL_ID = "parley-static-contact";

export class StaticContacts {
  private timer: TimerHandle | undefined;
  /** The contact each user is bound at now (to remove it when it changes or stops answering). */
  private readonly bound = new Map<string, string>();
  private running = false;

  constructor(private readonly o: StaticContactsOptions) {}

  start(): void {
    if (this.running || this.o.intervalSeconds <= 0) return;
    this.running = true;
    this.round();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }

  /** A user changed: probe its static contact now (and forget an old one). */
  changed(domainId: number, name: string): void {
    if (!this.running) return;
    this.o.users().then(
      (users) => {
        const user = users.find((u) => u.domainId === domainId && u.name === name);
        if (user === undefined) this.unbind(domainId, name);
        else this.probe(user);
      },
      (err: unknown) => this.o.logger.warn({ err }, "static contacts: users not read"),
    );
  }

  private round(): void {
    this.o.users().then(
      (users) => {
        const seen = new Set(users.map((u) => key(u.domainId, u.name)));
        for (const k of [...this.bound.keys()]) if (!seen.has(k)) this.unbindKey(k);
        for (const user of users) this.probe(user);
      },
      (err: unknown) => this.o.logger.warn({ err }, "static contacts: users not read"),
    );
    this.timer = this.o.clock.setTimer(this.o.intervalSeconds * 1000, () => {
      if (this.running) this.round();
    });
  }

  /** One OPTIONS to the user's static contact; the answer decides the binding. */
  private probe(user: StaticContactUser): void {
    const destination = destinationOf(user.staticContact);
    if (destination === undefined) {
      this.unbind(user.domainId, user.name);
      return;
    }
    const request = createRequest({
      method: "OPTIONS",
      uri: user.staticContact,
      headers: [
        ["Via", `SIP/2.0/${destination.protocol} 0.0.0.0;branch=${generateBranch()};rport`],
        ["Max-Forwards", "70"],
        ["From", `<sip:parley@${this.o.host}>;tag=${generateTag()}`],
        ["To", `<${user.staticContact}>`],
        ["Call-ID", generateCallId()],
        ["CSeq", "1 OPTIONS"],
      ],
    });
    this.o.transactions.sendRequest(request, destination, {
      onResponse: (response) => {
        if (response.status < 200) return;
        if (response.status === 408 || response.status === 503) this.unbind(user.domainId, user.name);
        else this.bind(user, destination);
      },
    });
  }

  private bind(user: StaticContactUser, destination: Destination): void {
    const k = key(user.domainId, user.name);
    const old = this.bound.get(k);
    const now = this.o.now();
    const binding: Binding = {
      domainId: user.domainId,
      user: user.name,
      contactUri: user.staticContact,
      expiresAt: now + this.o.intervalSeconds * 3000,
      callId: STATIC_CALL_ID,
      cseq: 1,
      path: [],
      sourceAddress: destination.address,
      sourcePort: destination.port,
      transport: destination.protocol.toLowerCase(),
      userAgent: "static contact",
      updatedAt: now,
    };
    this.bound.set(k, user.staticContact);
    this.o.location.apply(
      user.domainId,
      user.name,
      old !== undefined && old !== user.staticContact ? [old] : [],
      [binding],
    );
  }

  private unbind(domainId: number, name: string): void {
    this.unbindKey(key(domainId, name));
  }

  private unbindKey(k: string): void {
    const contact = this.bound.get(k);
    if (contact === undefined) return;
    this.bound.delete(k);
    const [domainId, name] = k.split("\u0000") as [string, string];
    this.o.logger.info({ user: name, contact }, "static contact not answering: offline");
    this.o.location.apply(Number(domainId), name, [contact], []);
  }
}

/** Where a static contact is sent: its host (an IP address) and port, over its transport. */
function destinationOf(uri: string): Destination | undefined {
  const parsed = parseUri(uri);
  if (parsed === undefined) return undefined;
  const transport = (parsed.params.get("transport") ?? "udp").toUpperCase();
  const protocol: TransportProtocol = transport === "TCP" ? "TCP" : transport === "TLS" ? "TLS" : "UDP";
  const port = parsed.port ?? (parsed.scheme === "sips" || protocol === "TLS" ? 5061 : 5060);
  return { protocol, address: parsed.host.replace(/^\[|\]$/g, ""), port };
}

function key(domainId: number, name: string): string {
  return `${domainId}\u0000${name}`;
}
