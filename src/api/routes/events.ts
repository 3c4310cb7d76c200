/**
 * GET /api/v1/events: the admin UI's live view as server-sent events (text/event-stream, WHATWG
 * HTML "Server-sent events"). Each `snapshot` event carries every user's live state, the calls in
 * progress, the registration count and the state of lines and trunks; a new one follows each
 * change (coalesced over SNAPSHOT_DELAY_MS). A comment line every 15 s keeps proxies from closing
 * the stream; a session that expires meanwhile gets an `expired` event and the stream ends.
 */

import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Store } from "../../store/index.js";
import type { LiveEvents } from "../admin/live-events.js";
import type { SessionStore } from "../admin/sessions.js";
import { bearerToken } from "../auth.js";
import { errorResponses } from "../errors.js";
import type { CallsView, LineStatus, RegistrationsView, UserState } from "../types.js";
import { toActiveCallItem } from "./calls.js";
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
  now: () => number;
  keepAliveMs?: number;
}

const SNAPSHOT_DELAY_MS = 50;
const PAGE = 1000;

export const eventsRoutes: FastifyPluginAsyncTypebox<EventsRoutesOptions> = async (app, o) => {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  async function snapshot(): Promise<string> {
    const users: Array<{ name: string; displayName: string; state: UserState }> = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await o.store.users.list({ domainId: o.domainId, offset, limit: PAGE });
      for (const u of page.items)
        users.push({ name: u.name, displayName: u.displayName, state: o.userState(o.domainId, u.name) });
      if (page.items.length < PAGE) break;
    }
    const lines: LineStatus[] = [];
    for (const line of await o.store.routing.list(o.domainId, "line")) {
      const { account } = line;
      lines.push({
        kind: "external-line",
        name: account,
        state: o.routing.lineState(account),
        activeCalls: o.routing.lineCalls(account),
      });
    }
    for (const trunk of await o.store.routing.list(o.domainId, "trunk")) {
      const calls = o.routing.trunkCalls(trunk.trunkId);
      lines.push({
        kind: "sip-trunk",
        name: trunk.trunkId,
        state: "unmonitored",
        activeCalls: calls.incoming + calls.outgoing,
      });
    }
    const now = o.now();
    return JSON.stringify({
      at: new Date(now).toISOString(),
      users,
      calls: o.calls.list().map((c) => toActiveCallItem(c, now)),
      registrations: o.registrations.list().length,
      lines,
    });
  }

  app.get(
    "/events",
    {
      schema: {
        operationId: "events",
        tags: ["session"],
        summary: "Live user, call, registration and line state as server-sent events",
        description:
          "`event: snapshot` with `{ at, users: [{name, displayName, state}], calls, registrations, lines }` at once and after each change; `event: expired` when the session expires.",
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
      let timer: NodeJS.Timeout | undefined;
      let sending = false;
      const send = async (): Promise<void> => {
        timer = undefined;
        if (sending) return schedule();
        sending = true;
        try {
          const data = await snapshot();
          if (!res.writableEnded) res.write(`event: snapshot\ndata: ${data}\n\n`);
        } catch (err) {
          request.log.error({ err }, "live snapshot failed");
        } finally {
          sending = false;
        }
      };
      const schedule = (): void => {
        timer ??= setTimeout(() => void send(), SNAPSHOT_DELAY_MS);
      };
      const unsubscribe = o.events.subscribe(schedule);
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
        if (timer) clearTimeout(timer);
      });
      res.write("retry: 3000\n\n");
      void send();
    },
  );
};
