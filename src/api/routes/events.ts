/**
 * GET /api/v1/events: the admin UI's live view as server-sent events (text/event-stream, WHATWG
 * HTML "Server-sent events"). Each `snapshot` event carries every user's live state (and, with
 * presence, what its presence watchers see: do-not-disturb, away, a device's note), the calls in
 * progress, the registration count, the state of lines and trunks and (with the parking lot) the
 * parked calls; a new one follows each change (built once for every stream, admin/live-snapshot.ts). A comment line every 15 s keeps proxies from closing
 * the stream; a session that expires meanwhile gets an `expired` event and the stream ends.
 */

import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Store } from "../../store/index.js";
import type { LiveEvents } from "../admin/live-events.js";
import { LiveSnapshots } from "../admin/live-snapshot.js";
import type { SessionStore } from "../admin/sessions.js";
import { bearerToken } from "../auth.js";
import { errorResponses } from "../errors.js";
import type { CallsView, ParkedView, PresenceView, RegistrationsView, UserState } from "../types.js";
import type { RoutingLive } from "./routing.js";

export interface EventsRoutesOptions {
  store: Store;
  domainId: number;
  events: LiveEvents;
  sessions?: SessionStore;
  calls: CallsView;
  registrations: RegistrationsView;
  userState: (domainId: number, name: string) => UserState;
  /** The state of the external lines and the calls on lines and trunks. */
  routing: RoutingLive;
  /** The parking lot: the snapshot lists the domain's parked calls when given. */
  parked?: ParkedView;
  /** Users' presence: each snapshot user carries `presence` when given. */
  presence?: PresenceView;
  now: () => number;
  keepAliveMs?: number;
}

export const eventsRoutes: FastifyPluginAsyncTypebox<EventsRoutesOptions> = async (app, o) => {
  const open = new Set<ServerResponse>();
  const snapshots = new LiveSnapshots({
    ...o,
    onError: (err) => app.log.error({ err }, "live snapshot failed"),
  });
  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
    snapshots.stop();
  });

  app.get(
    "/events",
    {
      schema: {
        operationId: "events",
        tags: ["session"],
        summary: "Live user, presence, call, registration, line and parked call state as server-sent events",
        description:
          "`event: snapshot` with `{ at, users: [{name, displayName, state, presence?}], calls, registrations, lines, parked? }` at once and after each change (`presence` = `{open, activities, note}`, what a presence watcher of the user sees: do-not-disturb and calls first, then what its devices PUBLISHed, else registration; a PUBLISH, a call or a setting change sends a new snapshot; `calls` items as GET /calls; `parked`, as GET /parked, when the server has a parking lot); `event: expired` when the session expires.",
        response: { 200: Type.String({ description: "text/event-stream" }), ...errorResponses(401) },
      },
    },
    (request, reply) => {
      const presented = bearerToken(request.headers.authorization) ?? "";
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
        // The stream is the connection's last response: ending it (at shutdown) closes the socket
        // instead of leaving it for the keep-alive timeout.
        connection: "close",
      });
      open.add(res);
      const unsubscribe = snapshots.subscribe((data) => {
        if (!res.writableEnded) res.write(`event: snapshot\ndata: ${data}\n\n`);
      });
      const keepAlive = setInterval(() => {
        // A session stream does not renew the session: it ends when the session expires.
        if (o.sessions !== undefined && presented.startsWith("ps_") && !o.sessions.check(presented, false)) {
          res.end("event: expired\ndata: {}\n\n");
          return;
        }
        res.write(": keep-alive\n\n");
      }, o.keepAliveMs ?? 15_000);
      res.on("close", () => {
        open.delete(res);
        unsubscribe();
        clearInterval(keepAlive);
      });
      res.write("retry: 3000\n\n");
    },
  );
};
