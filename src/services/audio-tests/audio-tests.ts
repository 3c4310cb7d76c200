/**
 * The test numbers every PBX user expects, to check the audio path without a second phone:
 * - the echo test (`*43` by default): a short announcement, then what the caller says comes back
 *   until they hang up or press `#`;
 * - the prompt playback test (`*44` by default): Parley plays a known prompt and hangs up, so the
 *   caller hears whether audio from Parley reaches them, and how it sounds.
 * Each is a service named by a feature code; its verdict connects the caller to a media endpoint.
 */
import type { DetectionPointTable } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import type { FeatureCodeTable } from "../feature-codes.js";

export interface AudioTestCodes {
  /** "" turns the test off. */
  readonly echoTest: string;
  readonly promptTest: string;
}

/** How long the echo test runs at most, so a forgotten call does not hold a port for ever. */
export const ECHO_TEST_MAX_MS = 10 * 60_000;

export function registerAudioTests(
  points: DetectionPointTable,
  features: FeatureCodeTable,
  media: MediaServer,
  codes: AudioTestCodes,
): () => void {
  const removals = [
    points.service("echo-test", (context) => ({
      kind: "endpoint",
      target: {
        party: { domainId: context.caller.domainId, user: context.number, displayName: "Echo test" },
        endpoint: media.sipEndpoint("parley:echo-test", async ({ endpoint }) => {
          const intro = await endpoint.play(media.speech([{ prompt: "echo-test" }, { tone: "beep" }]), {
            interruptDigits: "#",
          });
          if (intro.reason === "hangup" || intro.digit === "#") return;
          const echo = endpoint.echo();
          const pressed = endpoint.collect({
            max: 64,
            terminators: "#",
            firstDigitMs: ECHO_TEST_MAX_MS,
            interDigitMs: ECHO_TEST_MAX_MS,
          });
          await Promise.race([echo.result, pressed.result]);
          echo.stop();
          pressed.stop();
        }),
      },
    })),
    features.add(codes.echoTest, "echo-test"),
    points.service("prompt-test", (context) => ({
      kind: "endpoint",
      target: {
        party: { domainId: context.caller.domainId, user: context.number, displayName: "Prompt test" },
        endpoint: media.sipEndpoint("parley:prompt-test", async ({ endpoint }) => {
          // The silence lets the last frames reach the phone before the BYE.
          await endpoint.play(media.speech([{ prompt: "prompt-test" }, { silenceMs: 300 }]));
        }),
      },
    })),
    features.add(codes.promptTest, "prompt-test"),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
