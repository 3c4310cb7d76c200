/**
 * Entry of a media worker thread: the relay (relay-worker-core.ts) and the media endpoints
 * (endpoint/endpoint-worker-core.ts) on one port pool, driven by messages on the parent port.
 * Nothing but structured-cloneable messages crosses (protocol.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { EndpointRequest } from "./endpoint/endpoint-protocol.js";
import { EndpointWorkerCore } from "./endpoint/endpoint-worker-core.js";
import type { MediaEvent, MediaReply, MediaRequest, RelayRequest, WorkerConfig } from "./protocol.js";
import type { RecorderRequest } from "./recorder-protocol.js";
import { RecorderWorkerCore } from "./recorder-worker-core.js";
import { RelayWorkerCore } from "./relay-worker-core.js";

const port = parentPort;
if (port === null) throw new Error("media-worker.ts runs as a worker thread");
const config = workerData as WorkerConfig;
const emit = (event: MediaEvent): void => port.postMessage(event);
const relay = new RelayWorkerCore(config, emit);
const endpoints = new EndpointWorkerCore({
  ports: relay.ports,
  relaySide: (session, side) => relay.relaySide(session, side),
  emit,
  tonePlan: config.tonePlan,
  certificate: relay.certificate,
});

const recorders = new RecorderWorkerCore({
  relaySide: (session, side) => relay.relaySide(session, side),
  warn: (recorder, message) => emit({ type: "endpoint.warning", endpoint: `recorder:${recorder}`, message }),
});

function isEndpointRequest(request: MediaRequest): request is EndpointRequest {
  return request.type.startsWith("endpoint.") || request.type.startsWith("media.");
}

port.on("message", (request: MediaRequest) => {
  const handled = request.type.startsWith("recorder.")
    ? recorders.handle(request as RecorderRequest)
    : isEndpointRequest(request)
      ? endpoints.handle(request)
      : relay.handle(request as RelayRequest);
  handled.then(
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
