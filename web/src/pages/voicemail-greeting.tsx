/**
 * One user's voicemail greeting: whether a recorded one plays or the system's, play it, replace it
 * by uploading a WAV (converted by the server like a prompt), delete it (PUT, GET, DELETE
 * /users/{name}/greeting in src/api/routes/voicemail.ts).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Static } from "typebox";
import type { GreetingSaved } from "../../../src/api/routes/voicemail";
import { FormFailure } from "../components/form";
import { useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import { usePlayer, wavRequest } from "../lib/audio";

export function VoicemailGreeting(props: { user: string }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [recorded, setRecorded] = useState<boolean>();
  const [failure, setFailure] = useState<unknown>();
  const [dialog, ask] = useConfirm();
  const fileInput = useRef<HTMLInputElement>(null);
  const { play, player } = usePlayer((_key, error) => setFailure(error));
  const path = `/users/${encodeURIComponent(props.user)}/greeting`;

  const check = useCallback(async () => {
    try {
      // The WAV itself is small; its presence is the answer (404: the system greeting plays).
      await wavRequest("GET", path);
      setRecorded(true);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) setRecorded(false);
      else setFailure(error);
    }
  }, [path]);
  useEffect(() => {
    void check();
  }, [check]);

  const upload = async (file: File) => {
    try {
      const saved = (await (await wavRequest("PUT", path, file)).json()) as Static<typeof GreetingSaved>;
      setFailure(undefined);
      setRecorded(true);
      notify(t("vm.greetingUploaded", { user: props.user, seconds: (saved.durationMs / 1000).toFixed(1) }));
    } catch (error) {
      setFailure(error);
    }
  };
  const remove = async () => {
    const what = t("vm.greetingDeleteWhat", { user: props.user });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(path);
      setFailure(undefined);
      setRecorded(false);
      notify(t("common.deleted", { what }));
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <div
      className="card"
      data-testid="vm-greeting"
      data-recorded={recorded === undefined ? undefined : String(recorded)}
    >
      <div className="card-header">
        <h2>{t("vm.greeting", { user: props.user })}</h2>
        {recorded === undefined ? null : (
          <span className={recorded ? "badge state-talking" : "badge"} data-testid="vm-greeting-state">
            {t(recorded ? "vm.greetingRecorded" : "vm.greetingSystem")}
          </span>
        )}
      </div>
      <p className="muted">{t("vm.greetingIntro")}</p>
      <FormFailure failure={failure} />
      <input
        ref={fileInput}
        type="file"
        accept="audio/wav,.wav"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="vm-greeting-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) void upload(file);
        }}
      />
      {recorded ? player("greeting") : null}
      <div className="form-actions">
        {recorded ? (
          <>
            <button type="button" onClick={() => play("greeting", path)} data-testid="vm-greeting-play">
              {t("prompts.play")}
            </button>
            <button type="button" className="danger" onClick={remove} data-testid="vm-greeting-delete">
              {t("common.delete")}
            </button>
          </>
        ) : null}
        <button
          type="button"
          className="primary"
          onClick={() => fileInput.current?.click()}
          data-testid="vm-greeting-upload"
        >
          {t("prompts.upload")}
        </button>
      </div>
      {dialog}
    </div>
  );
}
