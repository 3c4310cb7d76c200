/** Hash routes (`#/users/100`): the server serves one page at `/`, deep links still work. */
import { useEffect, useState } from "react";

export function currentRoute(): string[] {
  const hash = window.location.hash.replace(/^#\/?/, "");
  return hash === "" ? ["dashboard"] : hash.split("/").map((p) => decodeURIComponent(p));
}

export function navigate(...parts: string[]): void {
  window.location.hash = `#/${parts.map((p) => encodeURIComponent(p)).join("/")}`;
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
