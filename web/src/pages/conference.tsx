/**
 * Conference rooms (issue 17; FEATURES.md section 6): the rooms in use now, each member with how
 * long it has been in, whether it talks (the mixer's talker detection), is muted, is the
 * moderator, with Mute/Unmute and Remove (its call hung up); and the configured rooms (number,
 * name, PIN, maximum members, moderator PIN, waiting for the moderator, locked), edited in place.
 * The live part follows the live event stream (a member entering, leaving or starting to talk
 * signals a change) and reads /conference-rooms/live on each change, and every 2 s as a fallback.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Static } from "typebox";
import type { ConferenceLiveRoom, ConferenceRoomItem } from "../../../src/api/routes/conference-rooms";
import { DataTable } from "../components/data-table";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { formatDuration, PageHeader, useConfirm } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import { useLive } from "../lib/live";

type LiveRoom = Static<typeof ConferenceLiveRoom>;
type Member = LiveRoom["members"][number];
type Room = Static<typeof ConferenceRoomItem>;

const POLL_MS = 2000;

const ROOM_FIELDS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "number", kind: "text", label: "col.roomNumber", hint: "hint.roomNumber" },
      { path: "name", kind: "text", label: "col.roomName" },
      { path: "pin", kind: "text", label: "col.roomPin", hint: "hint.roomPin" },
      { path: "maxMembers", kind: "int", label: "col.maxMembers", hint: "hint.maxMembers" },
      { path: "moderatorPin", kind: "text", label: "col.moderatorPin", hint: "hint.moderatorPin" },
      {
        path: "waitForModerator",
        kind: "bool",
        label: "col.waitForModerator",
        hint: "hint.waitForModerator",
      },
      { path: "locked", kind: "bool", label: "col.locked" },
    ],
  },
];

const ROOM_DEFAULTS: Row = {
  number: "",
  name: "",
  pin: "",
  maxMembers: 5,
  moderatorPin: "",
  waitForModerator: false,
  locked: false,
} satisfies Omit<Room, "id" | "members" | "createdAt" | "updatedAt">;

/** The rooms in use, read again on every live change and every POLL_MS. */
function useLiveRooms(): { rooms: LiveRoom[] | undefined; failure: unknown; reload: () => void } {
  const { snapshot } = useLive();
  const [rooms, setRooms] = useState<LiveRoom[]>();
  const [failure, setFailure] = useState<unknown>();
  const loading = useRef(false);
  const reload = useCallback(() => {
    if (loading.current) return;
    loading.current = true;
    api
      .get<{ items: LiveRoom[] }>("/conference-rooms/live")
      .then(
        (body) => {
          setRooms(body.items);
          setFailure(undefined);
        },
        (error: unknown) => setFailure(error),
      )
      .finally(() => {
        loading.current = false;
      });
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new snapshot is the signal to reload
  useEffect(() => reload(), [reload, snapshot]);
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return { rooms, failure, reload };
}

function Status(props: { member: Member }) {
  const { t } = useI18n();
  const m = props.member;
  const state = !m.joined ? "entering" : m.muted ? "muted" : m.talking ? "talking" : "quiet";
  // The users' state badges' looks: talking as a call in progress, muted as busy.
  const look = {
    entering: "state-ringing",
    muted: "state-busy",
    talking: "state-answered",
    quiet: "state-online",
  }[state];
  return (
    <span className={`badge ${look}`} data-testid="member-status" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {t(`conference.${state}`)}
    </span>
  );
}

function LiveRoomCard(props: { room: LiveRoom; reload: () => void }) {
  const { t } = useI18n();
  const [dialog, ask] = useConfirm();
  const [failure, setFailure] = useState<unknown>();
  const { room } = props;
  const base = `/conference-rooms/${encodeURIComponent(room.number)}/members`;
  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
    props.reload();
  };
  const mute = (m: Member) => act(() => api.post(`${base}/${m.id}/mute`, { muted: !m.muted }));
  const remove = async (m: Member) => {
    if (await ask(t("conference.removeConfirm", { user: m.user, room: room.number }), t("conference.remove")))
      await act(() => api.delete(`${base}/${m.id}`));
  };
  return (
    <div className="card" data-testid={`conference-room-${room.number}`}>
      <h3>
        {room.number}
        {room.name === "" ? null : <span className="muted"> {room.name}</span>}
        <span className="muted">
          {" "}
          (
          {room.configured
            ? t("conference.count", { n: room.members.length, max: room.maxMembers ?? 0 })
            : t("conference.adHoc")}
          )
        </span>
      </h3>
      <FormFailure failure={failure} />
      <DataTable
        rows={room.members}
        rowKey={(m) => m.id}
        rowAttributes={(m) => ({ "data-testid": `member-${m.user}`, "data-talking": String(m.talking) })}
        columns={[
          {
            label: "conference.member",
            kind: "rowHeader",
            cell: (m) => (
              <>
                <strong>{m.user}</strong>
                {m.displayName === "" ? null : <span className="muted"> {m.displayName}</span>}
                {m.moderator ? <span className="muted"> ({t("conference.moderator")})</span> : null}
              </>
            ),
          },
          { label: "conference.time", cell: (m) => formatDuration(m.seconds) },
          { label: "conference.status", cell: (m) => <Status member={m} /> },
          {
            kind: "actions",
            cell: (m) => (
              <>
                <button
                  type="button"
                  className="small"
                  data-testid="member-mute"
                  onClick={() => void mute(m)}
                >
                  {t(m.muted ? "conference.unmute" : "conference.mute")}
                </button>{" "}
                <button
                  type="button"
                  className="small danger"
                  data-testid="member-remove"
                  onClick={() => void remove(m)}
                >
                  {t("conference.remove")}
                </button>
              </>
            ),
          },
        ]}
      />
      {dialog}
    </div>
  );
}

export function ConferencePage() {
  const { t } = useI18n();
  const { rooms, failure, reload } = useLiveRooms();
  return (
    <section data-testid="page-conference">
      <PageHeader title={t("conference.title")} />
      <h2>{t("conference.live")}</h2>
      <p className="hint">{t("conference.liveHelp")}</p>
      <FormFailure failure={failure} />
      {rooms !== undefined && rooms.length === 0 ? (
        <p className="muted" data-testid="conference-none">
          {t("conference.none")}
        </p>
      ) : null}
      {rooms?.map((room) => (
        <LiveRoomCard key={room.number} room={room} reload={reload} />
      ))}
      <h2>{t("conference.configured")}</h2>
      <p className="hint">{t("conference.configuredHelp")}</p>
      <TableEditor
        path="/conference-rooms"
        keyOf={(row) => String(row.number)}
        columns={[
          textColumn("col.roomNumber", "number", t),
          textColumn("col.roomName", "name", t),
          textColumn("col.roomPin", "pin", t),
          textColumn("col.maxMembers", "maxMembers", t),
          textColumn("col.moderatorPin", "moderatorPin", t),
          textColumn("col.waitForModerator", "waitForModerator", t),
          textColumn("col.locked", "locked", t),
          textColumn("col.roomMembers", "members", t),
        ]}
        groups={ROOM_FIELDS}
        defaults={ROOM_DEFAULTS}
        newLabel="conference.newRoom"
        deleteWhat="conference.deleteRoom"
        featureName={t("conference.title")}
        testId="conference-rooms"
      />
    </section>
  );
}
