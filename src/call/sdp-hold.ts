/**
 * Whether an SDP offer puts the call on hold, for the "held" call event and detection point.
 * RFC 3264 8.4: a party holds by marking its streams `sendonly` (or `inactive` when it already
 * receives nothing); RFC 3264 appendix / RFC 2543: older phones set the connection address to
 * 0.0.0.0 instead. A session is held when every audio stream is held.
 */
export function sdpHolds(body: Buffer): boolean | undefined {
  if (body.length === 0) return undefined;
  const text = body.toString("latin1");
  let sessionDirection = "sendrecv";
  let sessionZero = false;
  let audio = 0;
  let held = 0;
  let inMedia = false;
  let sawMedia = false;
  let direction = "";
  let zero = false;
  const closeMedia = (): void => {
    if (!inMedia) return;
    const d = direction === "" ? sessionDirection : direction;
    if (d === "sendonly" || d === "inactive" || zero || sessionZero) held++;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith("m=")) {
      closeMedia();
      sawMedia = true;
      inMedia = line.startsWith("m=audio");
      if (inMedia) audio++;
      direction = "";
      zero = false;
      continue;
    }
    const isZero = line.startsWith("c=IN IP4 0.0.0.0");
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line)?.[1];
    if (!sawMedia) {
      if (isZero) sessionZero = true;
      if (dir !== undefined) sessionDirection = dir;
      continue;
    }
    if (!inMedia) continue;
    if (isZero) zero = true;
    if (dir !== undefined) direction = dir;
  }
  closeMedia();
  if (audio === 0) return undefined;
  return held === audio;
}
