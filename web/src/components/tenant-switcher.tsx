/**
 * The header bar's tenant (issue 21): a tenant's administrator sees the tenant's name; the provider
 * chooses which tenant to manage ("Provider (default)" or any tenant not deleted), after which every
 * page shows and changes that tenant's data. On a phone-sized screen the provider's choice sits at
 * the top of the menu, as the header bar has no room for it.
 */
import { useEffect, useState } from "react";
import { useI18n } from "../i18n";
import { useTenant } from "../lib/tenant";
import "./tenant-switcher.css";

/** styles.css's phone-sized screens (the sidebar becomes a menu). */
const NARROW = "(max-width: 800px)";

function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW);
    const changed = () => setNarrow(query.matches);
    query.addEventListener("change", changed);
    changed();
    return () => query.removeEventListener("change", changed);
  }, []);
  return narrow;
}

/** `place`: the header bar ("top") or the top of the navigation ("menu"). */
export function TenantSwitcher(props: { place: "top" | "menu" }) {
  const { t } = useI18n();
  const { scope, tenants, acting, act } = useTenant();
  const narrow = useNarrow();
  if (scope === undefined) return null;
  if (!scope.provider)
    return props.place === "top" ? (
      <span className="tenant-name" title={scope.domain}>
        <span className="tenant-label">{t("tenants.current")}</span>
        <strong data-testid="tenant-name">{scope.name}</strong>
      </span>
    ) : null;
  if ((props.place === "menu") !== narrow) return null;
  const choices = (tenants ?? []).filter((x) => x.state !== "deleted");
  return (
    <label className={`tenant-switcher ${props.place}`}>
      <span className="tenant-label">{t("tenants.switcher")}</span>
      <select
        value={acting ?? ""}
        onChange={(e) => act(e.target.value === "" ? undefined : e.target.value)}
        data-testid="tenant-switcher"
      >
        <option value="">{t("tenants.provider")}</option>
        {choices.map((x) => (
          <option key={x.name} value={x.name}>
            {x.state === "suspended" ? t("tenants.suspendedMark", { name: x.name }) : x.name}
          </option>
        ))}
      </select>
    </label>
  );
}
