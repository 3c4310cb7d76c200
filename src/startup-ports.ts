/**
 * The ports a start needs (composition root): the SIP listeners the settings ask for, and the
 * ports of the web UI/API and STUN. Start-up probes them all before it writes anything (issue 23).
 */
import type { Settings } from "./config/settings.js";
import type { PortNeed } from "./transport/port-probe.js";
import type { TransportProtocol } from "./transport/types.js";

/**
 * The listeners the settings ask for, per address: UDP and TCP on the SIP ports, TLS on its port,
 * and SIP over WebSocket (WS, WSS) on theirs when set.
 */
export function listenersFor(
  settings: Settings,
): Array<{ protocol: TransportProtocol; address: string; port: number }> {
  const out: Array<{ protocol: TransportProtocol; address: string; port: number }> = [];
  for (const address of settings.bind) {
    out.push({ protocol: "UDP", address, port: settings.sipPort });
    if (settings.sipTcpPort > 0) out.push({ protocol: "TCP", address, port: settings.sipTcpPort });
    if (settings.sipTlsPort > 0) out.push({ protocol: "TLS", address, port: settings.sipTlsPort });
    if (settings.sipWsPort > 0) out.push({ protocol: "WS", address, port: settings.sipWsPort });
    if (settings.sipWssPort > 0) out.push({ protocol: "WSS", address, port: settings.sipWssPort });
  }
  return out;
}

const SIP_FLAG: Record<TransportProtocol, string> = {
  UDP: "--sip-port",
  TCP: "--sip-tcp-port",
  TLS: "--sip-tls-port",
  WS: "--sip-ws-port",
  WSS: "--sip-wss-port",
};

/** Every port the settings need, named for an operator. */
export function portsNeeded(settings: Settings): PortNeed[] {
  const needs: PortNeed[] = listenersFor(settings).map((l) => ({
    protocol: l.protocol === "UDP" ? "UDP" : "TCP",
    address: l.address,
    port: l.port,
    purpose: `SIP over ${l.protocol}`,
    flag: SIP_FLAG[l.protocol],
  }));
  if (settings.httpPort > 0)
    needs.push({
      protocol: "TCP",
      address: settings.httpBind,
      port: settings.httpPort,
      purpose: "HTTP (web UI and API)",
      flag: "--http-port",
    });
  if (settings.httpsPort > 0)
    needs.push({
      protocol: "TCP",
      address: settings.httpBind,
      port: settings.httpsPort,
      purpose: "HTTPS (web UI and API)",
      flag: "--https-port",
    });
  if (settings.stunPort > 0)
    for (const address of settings.bind)
      needs.push({ protocol: "UDP", address, port: settings.stunPort, purpose: "STUN", flag: "--stun-port" });
  return needs;
}
