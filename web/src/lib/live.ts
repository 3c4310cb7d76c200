/**
 * The live view: GET /api/v1/events read as server-sent events through fetch (EventSource cannot
 * send the Authorization header), reconnected with a growing delay after a failure.
 */
import { useEffect, useState } from "react";
import { api } from "./api";
import type { LiveSnapshot } from "./api-types";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export function useLive(): { snapshot: LiveSnapshot | undefined; status: LiveStatus } {
  const [snapshot, setSnapshot] = useState<LiveSnapshot>();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    const controller = new AbortController();
    let delay = 1000;
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          // The tenant acted in (issue 21): named in the query, as an EventSource would, and the header.
          const tenant = api.tenant;
          const query = tenant === undefined ? "" : `?tenant=${encodeURIComponent(tenant)}`;
          const res = await fetch(`/api/v1/events${query}`, {
            headers: { authorization: api.authorization, ...api.tenantHeaders() },
            signal: controller.signal,
          });
          if (res.status === 401) {
            api.forget();
            api.onUnauthorized();
            return;
          }
          if (!res.ok || res.body === null) throw new Error(`events: ${res.status}`);
          setStatus("live");
          delay = 1000;
          await readEvents(res.body, (event, data) => {
            if (event === "snapshot") setSnapshot(JSON.parse(data) as LiveSnapshot);
            if (event === "expired") {
              api.forget();
              api.onUnauthorized();
            }
          });
        } catch {
          if (controller.signal.aborted) return;
        }
        setStatus("reconnecting");
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    };
    void run();
    return () => controller.abort();
  }, []);
  return { snapshot, status };
}

/** WHATWG HTML 9.2.6: events are blocks separated by a blank line; `event:` and `data:` fields. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) onEvent(event, data.join("\n"));
    }
  }
}
