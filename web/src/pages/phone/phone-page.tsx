/**
 * The web phone (issue 20, "the softphone page"), at `#/phone`: a local user's own page, shown
 * without the administrator's sign-in. After the user's sign-in it registers over SIP over
 * WebSocket on this origin (`wss://<host>/sip` when the page is HTTPS, else `ws://`), and offers
 * the dialer, the calls, the recent calls and the colleagues. For tests, `window.parleyPhone`
 * exposes the phone's state, its last call and the remote audio stream being played.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { type Translate, useI18n } from "../../i18n";
import { CallPanel } from "./call-panel";
import { Dialer } from "./dialer";
import type { Colleague, PhoneCall } from "./phone-api";
import { notifyIncoming } from "./phone-media";
import { PhoneSignIn, type SignedIn } from "./phone-sign-in";
import { ColleaguesPanel, HistoryPanel } from "./side-panels";
import { type PhoneProblem, type PhoneSnapshot, Softphone } from "./softphone";
import "./phone.css";

/** Colleagues' lamps are read again this often (the API has no user-scope event stream). */
const PRESENCE_POLL_MS = 10_000;
/** A finished call's record is written as it ends; the history is read again a little later. */
const HISTORY_DELAY_MS = 1_500;

declare global {
  interface Window {
    parleyPhone?: {
      readonly state: PhoneSnapshot;
      readonly lastCall: PhoneSnapshot["calls"][number] | undefined;
      readonly remoteStream: MediaStream | undefined;
      readonly phone: Softphone;
    };
  }
}

function webSocketUrl(path: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

function problemText(problem: PhoneProblem, t: Translate): string {
  switch (problem.kind) {
    case "micDenied":
    case "micMissing":
    case "insecure":
      return t(`phone.err.${problem.kind}`);
    case "micOther":
      return t("phone.err.micOther", { name: problem.name });
    case "refused":
      return t("phone.err.refused", { status: problem.status });
    case "network":
      return t("phone.err.network");
    case "noWebSocket":
      return t("phone.err.noWebSocket", { url: problem.url });
    case "callFailed":
      return t("phone.err.callFailed", { cause: problem.cause });
    case "transferFailed":
      return t("phone.transferFailed");
  }
}

/** Creates the session's phone (one per sign-in), starts it, and stops it when the page goes. */
function PhoneScreen(props: { session: SignedIn; onSignOut: (expired: boolean) => void }) {
  const { t } = useI18n();
  const { me, password } = props.session;
  const [phone, setPhone] = useState<Softphone>();
  // The notification speaks the language of the moment it shows, not of the sign-in.
  const translate = useRef(t);
  translate.current = t;
  useEffect(() => {
    const created = new Softphone({
      user: me.user,
      password,
      displayName: me.displayName,
      sipHost: me.sipHost,
      wsUrl: webSocketUrl(me.webSocket.path),
      onIncoming: (call) => {
        const tr = translate.current;
        const peer = call.peerName === "" ? call.peer : `${call.peerName} (${call.peer})`;
        const notice = notifyIncoming(tr("phone.notifyTitle"), tr("phone.notifyBody", { peer }), call.id);
        return notice === undefined ? undefined : () => notice.close();
      },
    });
    created.start();
    window.parleyPhone = {
      get state() {
        return created.snapshot();
      },
      get lastCall() {
        const s = created.snapshot();
        return s.calls.at(-1) ?? s.lastEnded;
      },
      get remoteStream() {
        return created.remoteStream;
      },
      phone: created,
    };
    setPhone(created);
    return () => {
      created.stop();
      window.parleyPhone = undefined;
    };
  }, [me, password]);
  if (phone === undefined) return null;
  return <PhoneView phone={phone} session={props.session} onSignOut={props.onSignOut} />;
}

function PhoneView(props: { phone: Softphone; session: SignedIn; onSignOut: (expired: boolean) => void }) {
  const { t, lang, setLang } = useI18n();
  const { api, me } = props.session;
  const phone = props.phone;
  const snap = useSyncExternalStore(phone.subscribe, phone.snapshot);
  const audio = useRef<HTMLAudioElement>(null);
  const [number, setNumber] = useState("");
  const [history, setHistory] = useState<PhoneCall[]>();
  const [colleagues, setColleagues] = useState<Colleague[]>();

  useEffect(() => {
    phone.attachAudio(audio.current ?? undefined);
    return () => phone.attachAudio(undefined);
  }, [phone]);

  useEffect(() => {
    api.onExpired = () => props.onSignOut(true);
  }, [api, props.onSignOut]);

  const loadHistory = useCallback(() => {
    api.calls().then(setHistory, () => {});
  }, [api]);
  useEffect(() => {
    const load = () => api.colleagues().then(setColleagues, () => {});
    load();
    const timer = setInterval(load, PRESENCE_POLL_MS);
    return () => clearInterval(timer);
  }, [api]);
  useEffect(() => {
    // Read again when a call ends (snap.lastEnded changes), once its record is written.
    if (snap.lastEnded === undefined) {
      loadHistory();
      return;
    }
    const timer = setTimeout(loadHistory, HISTORY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [snap.lastEnded, loadHistory]);

  useEffect(() => {
    document.title = `${t("phone.title")} ${me.user} · Parley`;
  }, [t, me.user]);

  const active = snap.calls.find((c) => c.state === "active" && !c.held);
  const registered = snap.registration === "registered";
  const dial = (target: string) => {
    if (!registered) return;
    setNumber("");
    void phone.call(target);
  };
  const status =
    snap.connection === "connected" ? `phone.reg.${snap.registration}` : `phone.conn.${snap.connection}`;
  return (
    <div className="phone-app" data-testid="page-phone">
      <header className="topbar">
        <span className="brand">
          <span className="logo" aria-hidden="true">
            P
          </span>
          <span>{t("phone.title")}</span>
          <small data-testid="phone-me">
            {me.displayName === "" ? me.user : `${me.displayName} (${me.user})`}
          </small>
        </span>
        <span
          className={`badge phone-status ${registered ? "state-online" : snap.connection === "reconnecting" ? "state-ringing" : ""}`}
          data-testid="phone-status"
          data-connection={snap.connection}
          data-registration={snap.registration}
          role="status"
        >
          <span className="dot" aria-hidden="true" />
          {t(status as Parameters<Translate>[0])}
        </span>
        <div className="topbar-actions">
          <button
            type="button"
            onClick={() => setLang(lang === "en" ? "zh" : "en")}
            aria-label={t("lang.label")}
            data-testid="phone-language"
          >
            {t("lang.switch")}
          </button>
          <button type="button" onClick={() => props.onSignOut(false)} data-testid="phone-sign-out">
            {t("phone.signOut")}
          </button>
        </div>
      </header>
      <main className="phone-grid">
        <div className="phone-main">
          {snap.problem === undefined ? null : (
            <div
              className="banner error phone-problem"
              role="alert"
              data-testid="phone-problem"
              data-problem={snap.problem.kind}
            >
              <p>{problemText(snap.problem, t)}</p>
              <button type="button" className="link" onClick={() => phone.clearProblem()} aria-label="×">
                ×
              </button>
            </div>
          )}
          <CallPanel calls={snap.calls} phone={phone} />
          <Dialer
            number={number}
            setNumber={setNumber}
            disabled={!registered}
            onDial={dial}
            onTone={active === undefined ? undefined : (tone) => phone.dtmf(active.id, tone)}
          />
          {/* The remote party's audio; srcObject is set by the phone. */}
          {/* biome-ignore lint/a11y/useMediaCaption: a live call's audio; there is no text to caption it with */}
          <audio ref={audio} autoPlay data-testid="phone-audio" />
        </div>
        <aside className="phone-side">
          <HistoryPanel calls={history} onRefresh={loadHistory} onDial={dial} />
          <ColleaguesPanel colleagues={colleagues} onDial={dial} />
        </aside>
      </main>
    </div>
  );
}

export function PhonePage() {
  const [session, setSession] = useState<SignedIn>();
  const [expired, setExpired] = useState(false);
  const { t } = useI18n();
  useEffect(() => {
    if (session === undefined) document.title = `${t("phone.title")} · Parley`;
  }, [session, t]);
  const signOut = useCallback(
    (becauseExpired: boolean) => {
      if (!becauseExpired) void session?.api.signOut();
      setExpired(becauseExpired);
      setSession(undefined);
    },
    [session],
  );
  if (session === undefined)
    return (
      <PhoneSignIn
        expired={expired}
        onSignedIn={(s) => {
          setExpired(false);
          setSession(s);
        }}
      />
    );
  return <PhoneScreen session={session} onSignOut={signOut} />;
}
