/**
 * Every call service, registered at the call lifecycle's detection points and in the feature
 * code table, in one place (the server builds the engine, then hands it here). Each service stays
 * in its own folder with one entry point; this only decides which start and with what settings.
 */
import { join } from "node:path";
import type { CallControl } from "../call/call-control.js";
import type { DetectionPointTable } from "../call/detection-points.js";
import type { OriginateRequest, OriginateResult } from "../call/originate.js";
import type { Settings } from "../config/settings.js";
import type { MediaServer } from "../media/media-server.js";
import type { Store } from "../store/index.js";
import type { UserDirectory } from "../store/user-directory.js";
import { systemClock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { registerAudioTests } from "./audio-tests/audio-tests.js";
import { AutoAttendantService } from "./auto-attendant/auto-attendant.js";
import { MenuGreetings } from "./auto-attendant/greetings.js";
import { registerBarge } from "./barge/barge.js";
import { CallLists } from "./call-lists/call-lists.js";
import { registerCallWaiting } from "./call-waiting/call-waiting.js";
import { ConferenceService } from "./conference/conference-service.js";
import { registerDoNotDisturb } from "./dnd/dnd.js";
import { emergencyCallCheck } from "./emergency/emergency-calls.js";
import { audioTestCodes, voicemailAccessCodes } from "./feature-code-catalogue.js";
import { FeatureCodeSettings } from "./feature-code-settings.js";
import type { FeatureCodeTable } from "./feature-codes.js";
import { registerFollowMe } from "./follow-me/follow-me.js";
import { registerForwarding } from "./forwarding/forwarding.js";
import { HuntGroupService } from "./hunt-group/hunt-group.js";
import { registerPark } from "./park/park.js";
import { ParkingLot } from "./park/parking-lot.js";
import { registerPickUp } from "./pick-up/pick-up.js";
import { RecordingService } from "./recording/recording.js";
import { registerRingGroup } from "./ring-group/ring-group.js";
import { createScripts, type Scripts } from "./scripts/scripts.js";
import { StorageQuota } from "./storage/storage-quota.js";
import { registerUserCodes } from "./user-codes/user-codes.js";
import { registerVoicemailAccess } from "./voicemail/access.js";
import { createVoicemail, type VoicemailService } from "./voicemail/voicemail.js";

export interface ServicesOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly store: Store;
  readonly users: UserDirectory;
  readonly domainId: number;
  readonly settings: Settings;
  readonly logger: Logger;
  /** Whether a user is on a call now (call waiting). */
  readonly talking: (domainId: number, user: string) => boolean;
  /** The call-waiting tone to a talking user, when its call is relayed (call waiting). */
  readonly waitingTone?: (domainId: number, user: string) => boolean;
  /** Whether a call to a user rings now (call waiting repeats its tone until none does). */
  readonly ringing?: (domainId: number, user: string) => boolean;
  /** Click-to-call, for service scripts' `calls.originate` (issue 18). */
  readonly originate?: (request: OriginateRequest) => Promise<OriginateResult>;
  /** The calls in progress (pick-up, park, break-in, join); without it, none is ever found. */
  readonly calls?: CallControl;
  /** The live state of calls changed outside a call event (a park slot): the dashboard refreshes. */
  readonly onCallsChange?: () => void;
  /** A user's settings changed by phone (feature codes): the admin UI refreshes. */
  readonly onConfigChange: () => void;
  /** A tenant's storage limit in MB, read at each check (issue 21); undefined: none. */
  readonly storageLimitMb?: () => number | undefined;
}

export interface Services {
  readonly voicemail: VoicemailService;
  /** The black and white list, at "attempted" (API, web UI). */
  readonly callLists: CallLists;
  /** Hunt groups' live state: who answered each group's last call (API). */
  readonly huntGroups: HuntGroupService;
  /** The parked calls, slot by slot (API, dashboard). */
  readonly parking: ParkingLot;
  /** Conference rooms in use, their members and talkers; mute and remove (API, web UI). */
  readonly conferences: ConferenceService;
  /** The feature code table as the administrator changes it (API, web UI). */
  readonly featureCodes: FeatureCodeSettings;
  /** The auto-attendant's uploaded menu greetings (API). */
  readonly greetings: MenuGreetings;
  /** Call recording: which calls are recorded, the in-call code, the retention sweep (issue 17). */
  readonly recording: RecordingService;
  /** The tenant's voicemail and recordings against its storage limit (issue 21). */
  readonly quota: StorageQuota;
  /** Service scripts in Lua: their files (API), the service that runs them on calls (issue 18). */
  readonly scripts: Scripts;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function registerServices(o: ServicesOptions): Services {
  const { points, features, media, settings } = o;
  // The codes come from the catalogue's mappings, so `parley feature-codes` sees the same defaults.
  registerAudioTests(points, features, media, audioTestCodes(settings), join(settings.dataDir, "recordings"));
  const conferences = new ConferenceService({
    media,
    repository: o.store.conferenceRooms,
    logger: o.logger,
    onChange: o.onCallsChange,
  });
  conferences.register(points, features);
  const callLists = new CallLists({
    repository: o.store.lists,
    settings: o.store.systemSettings,
    logger: o.logger,
    exempt: emergencyCallCheck(o.store, () => settings.outGroupPrefix),
  });
  callLists.register(points);
  registerDoNotDisturb(points);
  registerUserCodes(points, features, media, {
    users: o.store.users,
    logger: o.logger,
    onChange: o.onConfigChange,
  });
  registerForwarding(points, o.users);
  registerRingGroup(points, {
    users: o.store.users,
    talking: o.talking,
    // Read at each call: the no-answer time may change at run time (config/live-settings.ts).
    get systemNoAnswerSeconds() {
      return settings.noAnswerTime;
    },
  });
  registerFollowMe(points, () => settings.noAnswerTime);
  const huntGroups = new HuntGroupService({
    repository: o.store.huntGroups,
    users: o.users,
    routing: o.store.routing,
    talking: o.talking,
  });
  huntGroups.register(points);
  registerCallWaiting(points, { talking: o.talking, waitingTone: o.waitingTone, ringing: o.ringing });
  const quota = new StorageQuota({
    folders: [join(settings.dataDir, "voicemail"), join(settings.dataDir, "recordings")],
    limitMb: o.storageLimitMb ?? (() => undefined),
    logger: o.logger,
  });
  const storage = { full: () => quota.full(), stored: () => void quota.measure() };
  const voicemail = createVoicemail({
    storage,
    store: o.store,
    domainId: o.domainId,
    points,
    media,
    users: o.users,
    settings,
    logger: o.logger,
  });
  const calls = o.calls ?? noCalls;
  registerPickUp({ points, features, media, users: o.users, calls, logger: o.logger });
  const parking = new ParkingLot({
    media,
    calls,
    clock: systemClock,
    now: Date.now,
    timeoutMs: settings.parkTimeout * 1000,
    logger: o.logger,
    onChange: o.onCallsChange ?? (() => {}),
  });
  const removePark = registerPark({
    points,
    features,
    media,
    users: o.users,
    calls,
    lot: parking,
    logger: o.logger,
  });
  registerBarge({ points, features, media, users: o.users, calls, logger: o.logger });
  const greetings = new MenuGreetings(settings.dataDir);
  const autoAttendant = new AutoAttendantService({
    repository: o.store.autoAttendant,
    routing: o.store.routing,
    users: o.users,
    media,
    calls,
    greetings,
    logger: o.logger,
  });
  autoAttendant.register(points);
  registerVoicemailAccess({
    points,
    features,
    media,
    mailboxes: voicemail.mailboxes,
    users: o.users,
    codes: voicemailAccessCodes(settings),
    logger: o.logger,
  });
  const recording = new RecordingService({
    points,
    features,
    users: o.users,
    repository: o.store.recordings,
    dataDir: settings.dataDir,
    channels: settings.recordingChannels === "stereo" ? 2 : 1,
    retentionDays: settings.recordingRetentionDays,
    logger: o.logger,
    storage,
  });
  const scripts = createScripts({
    points,
    features,
    media,
    calls,
    dataDir: settings.dataDir,
    logger: o.logger,
    routing: o.store.routing,
    triggers: o.store.scriptTriggers,
    store: o.store,
    // Read at each request: a restart with another --script-http-allow applies at once.
    httpAllow: () => settings.scriptHttpAllow,
    ...(o.originate === undefined ? {} : { originate: o.originate }),
  });
  const featureCodes = new FeatureCodeSettings({
    table: features,
    repository: o.store.systemSettings,
    domainId: o.domainId,
    onSkipped: (service, reason) =>
      o.logger.warn({ service, reason }, "stored feature code change not applied"),
  });
  return {
    voicemail,
    huntGroups,
    parking,
    conferences,
    callLists,
    featureCodes,
    greetings,
    recording,
    scripts,
    quota,
    async start() {
      await quota.start();
      // Every service has registered its code by now: the stored changes apply over them.
      await featureCodes.load();
      // Transfers to a room's own number need the room numbers before any call to a room.
      await conferences.load(o.domainId);
      await autoAttendant.start(o.domainId);
      await voicemail.start();
      await recording.start();
      await scripts.start();
    },
    stop: () => {
      quota.stop();
      removePark();
      recording.stop();
      return Promise.all([scripts.stop(), voicemail.stop()]).then(() => {});
    },
  };
}

/** No calls at all (a test's services without an engine). */
const noCalls: CallControl = {
  ringingTo: () => [],
  ringing: () => [],
  partiesOf: () => [],
  talkingCall: () => undefined,
  dialogsOf: () => [],
  ringUser: async () => ({ status: 480, reason: "Temporarily Unavailable" }),
  handOff: async () => ({ status: 481, reason: "Call/Transaction Does Not Exist" }),
};
