/**
 * Entry of a media worker thread: the relay (relay-worker-core.ts) driven by messages on the
 * parent port. Nothing but structured-cloneable messages crosses (protocol.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { MediaEvent, MediaReply, MediaRequest, WorkerConfig } from "./protocol.js";
import { RelayWorkerCore } from "./relay-worker-core.js";

const port = parentPort;
if (port === null) throw new Error("media-worker.ts runs as a worker thread");
const core = new RelayWorkerCore(workerData as WorkerConfig, (event: MediaEvent) => port.postMessage(event));
port.on("message", (request: MediaRequest) => {
  core.handle(request).then(
    (reply) => port.postMessage(reply),
    (error: unknown) =>
      port.postMessage({
        type: "reply",
        id: request.id,
        ok: false,
        code: "bad_request",
        error: error instanceof Error ? error.message : String(error),
      } satisfies MediaReply),
  );
});
port.postMessage({ type: "ready" } satisfies MediaEvent);
