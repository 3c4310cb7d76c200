/**
 * The calls in progress, one card each: who, the state and the talk time, and the buttons the
 * state allows: answer or decline a ringing call; hang up, hold, mute and transfer an answered one
 * (blind: REFER now; attended: call the target first, then complete); a consultation call shows
 * whom it consults for and completes the transfer.
 */
import { useEffect, useState } from "react";
import { formatDuration } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import type { CallInfo, Softphone } from "./softphone";

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

const STATE_LABEL: Record<CallInfo["state"], MessageKey> = {
  incoming: "phone.incoming",
  calling: "phone.calling",
  ringing: "phone.ringing",
  active: "phone.active",
  ended: "phone.ended",
};

function TransferForm(props: { call: CallInfo; phone: Softphone; onDone: () => void }) {
  const { t } = useI18n();
  const [target, setTarget] = useState("");
  const ok = /^[0-9*#+A-Za-z._-]+$/.test(target.trim());
  return (
    <div className="transfer-form" data-testid="transfer-form">
      <input
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        placeholder={t("phone.transferTo")}
        aria-label={t("phone.transferTo")}
        inputMode="tel"
        data-testid="transfer-target"
      />
      <button
        type="button"
        disabled={!ok}
        onClick={() => {
          props.phone.blindTransfer(props.call.id, target.trim());
          props.onDone();
        }}
        data-testid="transfer-blind"
      >
        {t("phone.transferNow")}
      </button>
      <button
        type="button"
        disabled={!ok}
        onClick={() => {
          props.phone.hold(props.call.id, true);
          void props.phone.call(target.trim(), props.call.id);
          props.onDone();
        }}
        data-testid="transfer-consult"
      >
        {t("phone.consultCall")}
      </button>
      <button type="button" className="link" onClick={props.onDone}>
        {t("phone.cancel")}
      </button>
    </div>
  );
}

function CallCard(props: { call: CallInfo; phone: Softphone; consulted?: CallInfo }) {
  const { t } = useI18n();
  const { call, phone } = props;
  const [transferring, setTransferring] = useState(false);
  const now = useNow(call.state === "active");
  const answered = call.state === "active";
  const state = answered && call.held ? "phone.onHold" : STATE_LABEL[call.state];
  return (
    <article
      className={`card call-card call-${call.state}${call.held ? " call-held" : ""}`}
      data-testid={`call-${call.direction}`}
      data-state={call.state}
      data-held={call.held}
      data-muted={call.muted}
    >
      <div className="call-who">
        <strong data-testid="call-peer">{call.peerName === "" ? call.peer : call.peerName}</strong>
        {call.peerName === "" ? null : <span className="muted">{call.peer}</span>}
      </div>
      {props.consulted === undefined ? null : (
        <div className="muted">
          {t("phone.consulting", {
            peer: props.consulted.peerName === "" ? props.consulted.peer : props.consulted.peerName,
          })}
        </div>
      )}
      <div className="call-state">
        <span data-testid="call-state">{t(state)}</span>
        {answered && call.answeredAt !== undefined ? (
          <span className="call-timer mono" data-testid="call-timer">
            {formatDuration(Math.max(0, Math.floor((now - call.answeredAt) / 1000)))}
          </span>
        ) : null}
      </div>
      <div className="call-actions">
        {call.state === "incoming" ? (
          <>
            <button
              type="button"
              className="primary answer"
              onClick={() => void phone.answer(call.id)}
              data-testid="call-answer"
            >
              {t("phone.answer")}
            </button>
            <button
              type="button"
              className="danger primary"
              onClick={() => phone.hangup(call.id)}
              data-testid="call-decline"
            >
              {t("phone.decline")}
            </button>
          </>
        ) : (
          <button
            type="button"
            className="danger primary"
            onClick={() => phone.hangup(call.id)}
            data-testid="call-hangup"
          >
            {t("phone.hangup")}
          </button>
        )}
        {answered ? (
          <>
            <button
              type="button"
              aria-pressed={call.held}
              onClick={() => phone.hold(call.id, !call.held)}
              data-testid="call-hold"
            >
              {t(call.held ? "phone.resume" : "phone.hold")}
            </button>
            <button
              type="button"
              aria-pressed={call.muted}
              onClick={() => phone.mute(call.id, !call.muted)}
              data-testid="call-mute"
            >
              {t(call.muted ? "phone.unmute" : "phone.mute")}
            </button>
            {call.consultFor === undefined ? (
              <button
                type="button"
                aria-expanded={transferring}
                onClick={() => setTransferring(!transferring)}
                data-testid="call-transfer"
              >
                {t("phone.transfer")}
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                onClick={() => phone.completeTransfer(call.id)}
                data-testid="call-complete-transfer"
              >
                {t("phone.completeTransfer")}
              </button>
            )}
          </>
        ) : null}
      </div>
      {transferring && answered ? (
        <TransferForm call={call} phone={phone} onDone={() => setTransferring(false)} />
      ) : null}
    </article>
  );
}

export function CallPanel(props: { calls: readonly CallInfo[]; phone: Softphone }) {
  if (props.calls.length === 0) return null;
  return (
    <section className="calls" data-testid="phone-calls">
      {props.calls.map((call) => (
        <CallCard
          key={call.id}
          call={call}
          phone={props.phone}
          consulted={props.calls.find((c) => c.id === call.consultFor)}
        />
      ))}
    </section>
  );
}
