/**
 * Builds message-waiting indication on Parley's layers: the SUBSCRIBE handler (the subscription
 * core with the message-summary package) and the notifier that tells every device of a user
 * (mwi.ts), told of new registrations by the location service. The composition root calls
 * `createMessageWaiting` once and `changed()` whenever a mailbox changes.
 */
import type { Authenticator } from "../auth/authenticator.js";
import type { MethodHandler } from "../core/sip-core.js";
import type { Dialog } from "../dialog/index.js";
import type { LiveBinding } from "../registrar/location-service.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { MessageCounts } from "../store/index.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { EventPackage } from "./event-package.js";
import { messageSummaryPackage } from "./message-summary.js";
import { MessageWaiting, type MessageWaitingOptions } from "./mwi.js";
import { SubscriptionServer, type SubscriptionView } from "./subscription-server.js";

export interface MessageWaitingSetup {
  /** The SIP core: SUBSCRIBE is registered with it; its responses carry Parley's To tag. */
  readonly core: {
    handle(method: string, handler: MethodHandler): void;
    response(
      request: SipRequest,
      status: number,
      reason?: string,
      headers?: ReadonlyArray<readonly [string, string]>,
    ): SipResponse;
  };
  /** The dialog layer (DialogManager): subscription dialogs, and Parley's Contact. */
  readonly dialogs: { createUasDialog(rx: ReceivedMessage): Dialog; readonly contact: string };
  readonly transactions: MessageWaitingOptions["transactions"];
  readonly authenticator: Authenticator;
  /** The location service: the user's bindings, and news of a device registering anew. */
  readonly location: MessageWaitingOptions["location"] & {
    onNewBinding(listener: (binding: LiveBinding) => void): () => void;
  };
  readonly domain: { readonly id: number; readonly realm: string };
  /** The host of the mailbox URIs (Parley's domain name or address). */
  readonly host: string;
  /** A mailbox's message counts (the voicemail store). */
  readonly counts: (domainId: number, user: string) => Promise<MessageCounts>;
  /**
   * Whether a user has voicemail: a device of a user without it (and with an empty mailbox) gets
   * no unsolicited NOTIFY when it registers. Without it, only a non-empty mailbox earns one.
   */
  readonly hasVoicemail?: (domainId: number, user: string) => Promise<boolean>;
  readonly clock: Clock;
  /** Epoch milliseconds now; Date.now by default. */
  readonly now?: () => number;
  readonly logger: Logger;
  /** NOTIFY devices that did not subscribe (default true). */
  readonly unsolicited?: boolean;
  /** Subscription durations accepted, seconds (defaults 60 and 3600). */
  readonly minExpires?: number;
  readonly maxExpires?: number;
  /** Subscriptions at once, in all and per user (subscription-server.ts). */
  readonly maxSubscriptions?: number;
  readonly maxPerUser?: number;
  /** Other event packages served by the same SUBSCRIBE handler (presence, dialog: presence-events.ts). */
  readonly packages?: readonly EventPackage[];
}

export interface MessageWaitingService {
  /** A mailbox changed: NOTIFY its subscribers and the user's other devices. Never rejects. */
  changed(domainId: number, user: string): Promise<void>;
  /** The live subscriptions (for the API). */
  list(): SubscriptionView[];
  /** A resource of another package changed: NOTIFY its subscribers. */
  notify(packageName: string, domainId: number, resource: string): void;
  /** Resources of a package that `test` picks changed (park slots, named several ways). */
  notifyWhere(packageName: string, domainId: number, test: (resource: string) => boolean): void;
  /** Ends every subscription without signalling and stops listening to registrations. */
  close(): void;
}

export function createMessageWaiting(s: MessageWaitingSetup): MessageWaitingService {
  const subscriptions = new SubscriptionServer({
    dialogs: s.dialogs,
    authenticator: s.authenticator,
    domain: s.domain,
    packages: [messageSummaryPackage({ counts: s.counts, host: s.host }), ...(s.packages ?? [])],
    response: (request, status, reason, headers) => s.core.response(request, status, reason, headers),
    clock: s.clock,
    logger: s.logger,
    ...(s.now === undefined ? {} : { now: s.now }),
    ...(s.minExpires === undefined ? {} : { minExpires: s.minExpires }),
    ...(s.maxExpires === undefined ? {} : { maxExpires: s.maxExpires }),
    ...(s.maxSubscriptions === undefined ? {} : { maxSubscriptions: s.maxSubscriptions }),
    ...(s.maxPerUser === undefined ? {} : { maxPerUser: s.maxPerUser }),
  });
  const mwi = new MessageWaiting({
    subscriptions,
    location: s.location,
    transactions: s.transactions,
    counts: s.counts,
    ...(s.hasVoicemail === undefined ? {} : { hasVoicemail: s.hasVoicemail }),
    host: s.host,
    contact: s.dialogs.contact,
    logger: s.logger,
    ...(s.unsolicited === undefined ? {} : { unsolicited: s.unsolicited }),
  });
  // An MWI bug must never reach the registrar or the voicemail service: logged, not thrown.
  const failed = (err: unknown) => s.logger.error({ err }, "MWI failed");
  s.core.handle("SUBSCRIBE", subscriptions.handle);
  const unlisten = s.location.onNewBinding((binding) => {
    mwi.registered(binding).catch(failed);
  });
  return {
    changed: (domainId, user) => mwi.changed(domainId, user).catch(failed),
    list: () => subscriptions.list(),
    notify: (packageName, domainId, resource) => subscriptions.notify(packageName, domainId, resource),
    notifyWhere: (packageName, domainId, test) => subscriptions.notifyWhere(packageName, domainId, test),
    close: () => {
      unlisten();
      subscriptions.close();
    },
  };
}
