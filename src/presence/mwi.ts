/**
 * Message-waiting indication (RFC 3842) for every device of a user. When a mailbox changes, its
 * subscribers get an in-dialog NOTIFY, and every other registered device of the user an
 * unsolicited one (RFC 3842 section 4 allows a notifier to send NOTIFYs without subscription, as
 * Asterisk's unsolicited MWI does: many phones never subscribe). A device that registers anew gets
 * the current state the same way.
 */
import { bindingDestination, type LiveBinding } from "../registrar/location-service.js";
import { createRequest, generateCallId, generateTag, parseUri, uriEquals } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { MessageCounts } from "../store/index.js";
import type { Destination } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import {
  MESSAGE_SUMMARY,
  mailboxUri,
  messageSummaryBody,
  SIMPLE_MESSAGE_SUMMARY,
} from "./message-summary.js";
import type { Subscription } from "./subscription.js";

export interface MessageWaitingOptions {
  /** The message-summary subscriptions (SubscriptionServer). */
  readonly subscriptions: {
    notify(packageName: string, domainId: number, resource: string): void;
    subscriptionsOf(packageName: string, domainId: number, resource: string): readonly Subscription[];
  };
  readonly location: { lookup(domainId: number, user: string): readonly LiveBinding[] };
  /** Sends the unsolicited NOTIFYs through non-INVITE client transactions (retransmitted on UDP). */
  readonly transactions: {
    sendRequest(
      request: SipRequest,
      destination: Destination,
      handler: { onResponse(response: SipResponse): void },
    ): unknown;
  };
  readonly counts: (domainId: number, user: string) => Promise<MessageCounts>;
  /**
   * Whether the user has voicemail (as its settings say). Without it, only a non-empty mailbox
   * earns a registering device an unsolicited NOTIFY.
   */
  readonly hasVoicemail?: (domainId: number, user: string) => Promise<boolean>;
  /** The host of the mailbox URIs (From, To, Message-Account). */
  readonly host: string;
  /** Parley's Contact URI. */
  readonly contact: string;
  /** Send unsolicited NOTIFYs to devices without a subscription (default true). */
  readonly unsolicited?: boolean;
  readonly logger: Logger;
}

/** True when `binding` is the device behind `subscription`: same source address or same contact. */
function sameDevice(binding: LiveBinding, subscription: Subscription): boolean {
  const source = subscription.source;
  if (
    source.address === binding.sourceAddress &&
    source.port === binding.sourcePort &&
    source.protocol === binding.transport.toUpperCase()
  ) {
    return true;
  }
  const contact = parseUri(binding.contactUri);
  return contact !== undefined && uriEquals(subscription.dialog.remoteTarget, contact);
}

export class MessageWaiting {
  private readonly unsolicited: boolean;

  constructor(private readonly o: MessageWaitingOptions) {
    this.unsolicited = o.unsolicited ?? true;
  }

  /**
   * A mailbox's counts changed (a message deposited, deleted, or moved to "old"): every device of
   * the user hears of it. Resolves once the NOTIFYs are on their way; never rejects.
   */
  async changed(domainId: number, user: string): Promise<void> {
    this.o.subscriptions.notify(MESSAGE_SUMMARY, domainId, user);
    if (!this.unsolicited) return;
    const subscriptions = this.o.subscriptions.subscriptionsOf(MESSAGE_SUMMARY, domainId, user);
    const bindings = this.o.location
      .lookup(domainId, user)
      .filter((b) => !subscriptions.some((s) => sameDevice(b, s)));
    if (bindings.length === 0) return;
    const counts = await this.fetchCounts(domainId, user);
    if (counts === undefined) return;
    for (const b of bindings) this.send(b, counts);
  }

  /**
   * A device registered anew (a new binding, not a refresh): it learns the current state, through
   * its subscription when it has one, else by an unsolicited NOTIFY. Like Asterisk, which sends
   * unsolicited MWI only to endpoints with a mailbox, Parley sends that NOTIFY only for a user with
   * voicemail or with messages in its mailbox: other devices never hear of a mailbox.
   */
  async registered(binding: LiveBinding): Promise<void> {
    const { domainId, user } = binding;
    const subscriptions = this.o.subscriptions
      .subscriptionsOf(MESSAGE_SUMMARY, domainId, user)
      .filter((s) => sameDevice(binding, s));
    if (subscriptions.length > 0) {
      for (const s of subscriptions) s.notify();
      return;
    }
    if (!this.unsolicited) return;
    const counts = await this.fetchCounts(domainId, user);
    if (counts === undefined) return;
    if (counts.new + counts.old === 0 && !(await this.o.hasVoicemail?.(domainId, user))) return;
    this.send(binding, counts);
  }

  private async fetchCounts(domainId: number, user: string): Promise<MessageCounts | undefined> {
    try {
      return await this.o.counts(domainId, user);
    } catch (err) {
      this.o.logger.error({ err, domainId, user }, "mailbox counts unavailable: no MWI sent");
      return undefined;
    }
  }

  /** One unsolicited NOTIFY to one binding; its outcome is only logged. */
  private send(binding: LiveBinding, counts: MessageCounts): void {
    const request = this.unsolicitedNotify(binding, counts);
    const log = { user: binding.user, contact: binding.contactUri, new: counts.new, old: counts.old };
    try {
      this.o.transactions.sendRequest(request, bindingDestination(binding), {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status < 300)
            this.o.logger.debug({ ...log, status: response.status }, "MWI delivered");
          else this.o.logger.info({ ...log, status: response.status }, "MWI NOTIFY refused");
        },
      });
    } catch (err) {
      this.o.logger.warn({ ...log, err }, "MWI NOTIFY not sent");
    }
  }

  /**
   * An out-of-dialog NOTIFY (RFC 3842 section 4, RFC 6665 4.2.2 for its header fields): to the
   * binding's Contact, From the mailbox and To the user's address-of-record, a fresh Call-ID, the
   * registration's Path as preloaded Route (RFC 3327 5), Event: message-summary and
   * Subscription-State: active (phones that check it find an active state).
   */
  private unsolicitedNotify(binding: LiveBinding, counts: MessageCounts): SipRequest {
    const mailbox = mailboxUri(binding.user, this.o.host);
    const headers: Array<readonly [string, string]> = [
      ["Max-Forwards", "70"],
      ["From", `<${mailbox}>;tag=${generateTag()}`],
      ["To", `<${mailbox}>`],
      ["Call-ID", generateCallId()],
      ["CSeq", "1 NOTIFY"],
    ];
    for (const route of binding.path) headers.push(["Route", route]);
    headers.push(
      ["Contact", `<${this.o.contact}>`],
      ["Event", MESSAGE_SUMMARY],
      ["Subscription-State", "active"],
      ["Content-Type", SIMPLE_MESSAGE_SUMMARY],
    );
    return createRequest({
      method: "NOTIFY",
      uri: binding.contactUri,
      headers,
      body: Buffer.from(messageSummaryBody(mailbox, counts)),
    });
  }
}
