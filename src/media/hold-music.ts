/**
 * Music on hold anchored in Parley for the length of a hold (the call layer's AnchoredHold, by
 * shape): a music endpoint whose sendonly offer goes to the held phone, and a sink endpoint that
 * answers the holding phone's offer (recvonly), both on one worker. The music loops until stop().
 */
import { randomInt } from "node:crypto";
import type { PlayItem } from "./endpoint/endpoint-protocol.js";
import type { EndpointHandle } from "./endpoint-handle.js";
import type { MediaEngine } from "./media-engine.js";
import { answerOffer, makeOffer, readAnswer } from "./sdp-negotiation.js";

export interface AnchoredHoldSession {
  readonly offer: Buffer;
  readonly answer: Buffer;
  answered(answer: Buffer): void;
  stop(): void;
}

/** Opens the two endpoints; undefined when the holder's offer has no G.711 (nothing to anchor). */
export async function anchoredHold(
  engine: MediaEngine,
  /** The address Parley's SDP names to the holding phone and to the held one. */
  addresses: { readonly holder: string; readonly held: string },
  music: readonly PlayItem[],
  holderOffer: Buffer,
  onError: (error: unknown) => void,
): Promise<AnchoredHoldSession | undefined> {
  const player = await engine.openEndpoint();
  let sink: EndpointHandle | undefined;
  try {
    sink = await engine.openEndpoint({ near: player });
  } catch (error) {
    await player.close();
    throw error;
  }
  const session = (address: string, port: number) => ({
    address,
    port,
    sessionId: randomInt(1, 2 ** 31),
    version: 1,
  });
  const toHolder = answerOffer(holderOffer, session(addresses.holder, sink.port));
  if (!toHolder.ok) {
    await Promise.all([player.close(), sink.close()]);
    return undefined;
  }
  const held = sink;
  await held.setRemote({ ...toHolder.remote, send: false });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    Promise.all([player.close(), held.close()]).catch(onError);
  };
  return {
    offer: Buffer.from(makeOffer(session(addresses.held, player.port), "sendonly")),
    answer: Buffer.from(toHolder.sdp),
    answered: (answer) => {
      const remote = readAnswer(answer);
      if (remote === undefined || stopped) return;
      player
        .setRemote(remote)
        .then(() => {
          if (!stopped) player.play(music, { loop: true });
        })
        .catch(onError);
    },
    stop,
  };
}
