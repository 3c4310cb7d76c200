/**
 * A user's devices in the users list (issue 23): each registered contact's address (where its
 * REGISTER came from, NAT aware) and user agent, from GET /registrations, reloaded whenever the
 * live view changes (a phone registers, expires or unregisters).
 */
import { useEffect, useState } from "react";
import { useI18n } from "../i18n";
import { api } from "../lib/api";
import type { Registration, RegistrationList } from "../lib/api-types";

/**
 * Every user's registrations by user name; empty until loaded (or when the API refuses). Reloaded
 * when `changed` changes: the live snapshot's time, since one comes with every change of the
 * registrations (the page's own useLive, not a second event stream).
 */
export function useDevices(changed: string | undefined): ReadonlyMap<string, Registration[]> {
  const [devices, setDevices] = useState<ReadonlyMap<string, Registration[]>>(new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: `changed` is the reason to load again
  useEffect(() => {
    let current = true;
    api
      .get<RegistrationList>("/registrations")
      .then((list) => {
        if (!current) return;
        const byUser = new Map<string, Registration[]>();
        for (const r of list.items) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r]);
        setDevices(byUser);
      })
      .catch(() => {
        // The list still shows its users; the devices column stays as it was.
      });
    return () => {
      current = false;
    };
  }, [changed]);
  return devices;
}

/** "192.0.2.7:5060", "[2001:db8::7]:5060" */
export function deviceAddress(r: Registration): string {
  const host = r.sourceAddress.includes(":") ? `[${r.sourceAddress}]` : r.sourceAddress;
  return `${host}:${r.sourcePort}`;
}

export function DeviceList(props: { user: string; devices: readonly Registration[] | undefined }) {
  const { t } = useI18n();
  const devices = props.devices ?? [];
  if (devices.length === 0) return <span className="muted">{t("devices.none")}</span>;
  return (
    <ul className="device-list" data-testid={`devices-${props.user}`}>
      {devices.map((r) => (
        <li key={r.id} data-testid="device" title={r.contact}>
          <span className="sr-only">{t("devices.address")}: </span>
          <span className="mono" data-testid="device-address">
            {deviceAddress(r)}
          </span>{" "}
          <span className="sr-only">{t("devices.userAgent")}: </span>
          <span className="muted" data-testid="device-agent">
            {r.userAgent ?? t("devices.unknownAgent")}
          </span>
        </li>
      ))}
    </ul>
  );
}
