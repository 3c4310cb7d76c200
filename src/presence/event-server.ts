/**
 * SIP events for phones in one piece, as the composition root builds them: the SUBSCRIBE handler
 * with message-summary (message-waiting.ts), presence and dialog state with the operator's
 * resource list (presence-events.ts), and the PUBLISH handler (publish-handler.ts), wired so that
 * every change reaches its subscribers. The root then only tells it what changed.
 */
import {
  createMessageWaiting,
  type MessageWaitingService,
  type MessageWaitingSetup,
} from "./message-waiting.js";
import { type PresenceEvents, type PresenceEventsOptions, presenceEvents } from "./presence-events.js";
import { publishHandler } from "./publish-handler.js";

/** What both need: the message-waiting setup (host and clock shared) and the presence sources. */
export type EventServerSetup = MessageWaitingSetup & Omit<PresenceEventsOptions, "host" | "clock">;

export interface EventServer {
  readonly messageWaiting: MessageWaitingService;
  readonly presence: PresenceEvents;
}

export function createEventServer(s: EventServerSetup): EventServer {
  const presence = presenceEvents(s);
  s.core.handle(
    "PUBLISH",
    publishHandler({
      authenticator: s.authenticator,
      domain: s.domain,
      publications: presence.publications,
      response: (request, status, reason, headers) => s.core.response(request, status, reason, headers),
      logger: s.logger,
    }),
  );
  const messageWaiting = createMessageWaiting({ ...s, packages: presence.packages });
  presence.attach(messageWaiting.notify, messageWaiting.notifyWhere);
  return { messageWaiting, presence };
}
