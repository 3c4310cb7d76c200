/**
 * The test numbers every PBX user expects, to check the audio path without a second phone:
 * - the echo test (`*43` by default): a short announcement, then what the caller says comes back
 *   until they hang up or press `#`;
 * - the prompt playback test (`*44` by default): Parley plays a known prompt and hangs up, so the
 *   caller hears whether audio from Parley reaches them, and how it sounds;
 * - the record and playback test (`*45` by default): after the tone Parley records what the
 *   caller says until `#` (at most 30 s), plays it back and hangs up; the last recording of each
 *   user stays in `<recordings>/record-test-<user>.wav` for the administrator to listen to.
 * Each is a service named by a feature code; its verdict connects the caller to a media endpoint.
 */
import { join } from "node:path";
import type { DetectionPointTable } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import type { FeatureCodeTable } from "../feature-codes.js";

export interface AudioTestCodes {
  /** "" turns the test off. */
  readonly echoTest: string;
  readonly promptTest: string;
  readonly recordTest: string;
}

/** The longest recording of the record and playback test. */
export const RECORD_TEST_MAX_MS = 30_000;

/** How long the echo test runs at most, so a forgotten call does not hold a port for ever. */
export const ECHO_TEST_MAX_MS = 10 * 60_000;

/** The tests' feature codes alone (feature-code-catalogue.ts lists them with no media). */
export function addAudioTestCodes(features: FeatureCodeTable, codes: AudioTestCodes): Array<() => void> {
  return [
    features.add(codes.echoTest, "echo-test", { description: "Echo test: what you say comes back" }),
    features.add(codes.promptTest, "prompt-test", { description: "Prompt playback test" }),
    features.add(codes.recordTest, "record-test", { description: "Record and playback test" }),
  ];
}

export function registerAudioTests(
  points: DetectionPointTable,
  features: FeatureCodeTable,
  media: MediaServer,
  codes: AudioTestCodes,
  /** Where the record test keeps each user's last recording. */
  recordingsDir: string,
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
    points.service("record-test", (context) => {
      // One file per user (a name safe for a path): each test replaces the last one.
      const file = join(
        recordingsDir,
        `record-test-${context.caller.user.replace(/[^A-Za-z0-9_.-]/g, "_")}.wav`,
      );
      return {
        kind: "endpoint",
        target: {
          party: { domainId: context.caller.domainId, user: context.number, displayName: "Record test" },
          endpoint: media.sipEndpoint("parley:record-test", async ({ endpoint }) => {
            const intro = await endpoint.play(media.speech([{ prompt: "record-test" }, { tone: "beep" }]));
            if (intro.reason === "hangup") return;
            const recorded = await endpoint.record({ file, maxMs: RECORD_TEST_MAX_MS, endDigits: "#" });
            if (recorded.reason === "hangup" || recorded.saved !== true) return;
            await endpoint.play(
              media.speech([{ file }, { silenceMs: 300 }, { prompt: "goodbye" }, { silenceMs: 300 }]),
            );
          }),
        },
      };
    }),
    ...addAudioTestCodes(features, codes),
  ];
  return () => {
    for (const remove of removals) remove();
  };
}
