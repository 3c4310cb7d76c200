/** Create or edit a local user: every field, grouped; API errors beside their fields. */
import { useEffect, useMemo, useState } from "react";
import { type FormValues, toBody, toFormValues } from "../components/fields";
import { GroupedForm } from "../components/form";
import { PageHeader, StateBadge, useConfirm, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiFailure, api } from "../lib/api";
import type { NewUser, User } from "../lib/api-types";
import { navigate } from "../lib/router";
import { userGroups } from "./user-fields";
import { usePasswordPolicy } from "./weak-passwords";

/**
 * The store's defaults of a new user, to show in the empty form. Only the fields the administrator
 * changes are sent, so the server's defaults rule even if these drift.
 */
const NEW_USER: NewUser = {
  name: "",
  displayName: "",
  noAnswerTime: 0,
  specificExternalLine: "",
  maxDuration: 0,
  maxConcurrentCalls: 4,
  maxConcurrentOutgoingCalls: 4,
  callRight: 1,
  forwarding: {
    unconditional: { enabled: false, number: "" },
    unreachable: { enabled: false, number: "" },
    busy: { enabled: false, number: "" },
    noAnswer: { enabled: false, number: "" },
  },
  voicemailOnUnreachableOrNoAnswer: false,
  voicemailOnBusy: false,
  voicemailPin: "",
  email: "",
  autoAttendant: false,
  suppressRingGroupOnDirectCall: false,
  ringingGroupId: 0,
  pickupGroupId: 0,
  followMe: { strategy: 0, interval: 20, destinations: ["", "", ""] },
  callPark: true,
  callRetrieve: true,
  callWaiting: true,
  doNotDisturb: false,
  multiDevice: false,
  maxDevices: 3,
  operatorBreakIn: false,
  operatorOverstep: false,
  subscribeAllPresence: false,
  presenceGroup: 0,
  musicOnHold: true,
  relayMedia: false,
  recording: "never",
  ipAuthorization: [],
  staticContact: "",
};

export function UserEditPage(props: { name: string | undefined }) {
  const { t } = useI18n();
  const notify = useNotify();
  const creating = props.name === undefined;
  const groups = useMemo(() => userGroups(creating), [creating]);
  const specs = useMemo(() => groups.flatMap((g) => g.fields), [groups]);
  // The rule's minimum arrives later (GET /password-policy): only the hint changes, not the specs
  // the values were read with, so nothing typed meanwhile is lost.
  const minPasswordLength = usePasswordPolicy()?.minLength;
  const shown = useMemo(
    () => (minPasswordLength === undefined ? groups : userGroups(creating, minPasswordLength)),
    [groups, creating, minPasswordLength],
  );
  const [user, setUser] = useState<User>();
  const [values, setValues] = useState<FormValues>();
  const [initial, setInitial] = useState<FormValues>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [dialog, ask] = useConfirm();

  useEffect(() => {
    if (props.name === undefined) {
      const empty = toFormValues(NEW_USER, specs);
      setValues(empty);
      setInitial(empty);
      return;
    }
    api
      .get<User>(`/users/${encodeURIComponent(props.name)}`)
      .then((u) => {
        const loaded = toFormValues(u, specs);
        setUser(u);
        setValues(loaded);
        setInitial(loaded);
      })
      .catch(setFailure);
  }, [props.name, specs]);

  const save = async () => {
    if (values === undefined) return;
    setBusy(true);
    try {
      const destinationsChanged = specs.some(
        (s) => s.path.startsWith("followMe.destinations") && values[s.path] !== initial[s.path],
      );
      // Only what the administrator changed is sent (a create's name and password always), so a
      // change made meanwhile by someone else to another field is kept.
      const unchanged = (path: string, value: string | boolean) =>
        !(creating && (path === "name" || path === "password")) &&
        value === initial[path] &&
        !(destinationsChanged && path.startsWith("followMe.destinations"));
      const body = toBody(values, specs, (spec, value) => unchanged(spec.path, value));
      if (creating) {
        const created = await api.post<User>("/users", body);
        notify(t("users.created", { name: created.name }));
        navigate("users", created.name);
      } else {
        const updated = await api.patch<User>(`/users/${encodeURIComponent(props.name ?? "")}`, body);
        setFailure(undefined);
        notify(t("common.saved"));
        if (updated.name !== props.name) navigate("users", updated.name);
        else {
          const saved = toFormValues(updated, specs);
          setUser(updated);
          setValues(saved);
          setInitial(saved);
        }
      }
    } catch (error) {
      // The values stay as typed: only the errors are shown.
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const what = t("users.deleteWhat", { name: props.name ?? "" });
    if (!(await ask(t("common.confirmDelete", { what })))) return;
    try {
      await api.delete(`/users/${encodeURIComponent(props.name ?? "")}`);
      notify(t("common.deleted", { what }));
      navigate("users");
    } catch (error) {
      setFailure(error);
    }
  };

  const title = creating ? t("users.create") : t("users.edit", { name: props.name ?? "" });
  const missing = failure instanceof ApiFailure && failure.status === 404 && user === undefined && !creating;
  return (
    <section data-testid="page-user-edit">
      <PageHeader title={title}>
        {user ? <StateBadge state={user.state} /> : null}
        <a className="button" href="#/users">
          {t("common.back")}
        </a>
      </PageHeader>
      {missing ? (
        <div className="banner error">{t("common.error", { message: (failure as ApiFailure).message })}</div>
      ) : values === undefined ? (
        <p className="muted">{t("common.loading")}</p>
      ) : (
        <GroupedForm
          groups={shown}
          values={values}
          onChange={(path, value) => setValues({ ...values, [path]: value })}
          failure={failure}
          busy={busy}
          onSubmit={save}
          submitLabel={creating ? "common.create" : "common.save"}
          testId="user-form"
          extraActions={
            creating ? null : (
              <button type="button" className="danger" onClick={remove} data-testid="delete-user">
                {t("common.delete")}
              </button>
            )
          }
        />
      )}
      {dialog}
    </section>
  );
}
