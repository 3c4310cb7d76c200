/**
 * Audio to and from the API: WAV uploads and downloads (which ApiClient, JSON only, does not send)
 * and the one player of a page, playing what the API answers from a blob: URL (the UI's CSP allows
 * media from blob:; an <audio src> to the API could not send the session token).
 */
import { useEffect, useRef, useState } from "react";
import { ApiFailure, api } from "./api";
import type { ErrorBody } from "./api-types";

/**
 * A request whose body or answer is a WAV, which ApiClient (JSON only) does not send: the same
 * bearer token and the same ApiFailure from the API's error body.
 */
export async function wavRequest(method: "GET" | "PUT", path: string, file?: Blob): Promise<Response> {
  const headers: Record<string, string> = { authorization: api.authorization, ...api.tenantHeaders() };
  if (file) headers["content-type"] = "audio/wav";
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: file });
  } catch (error) {
    throw new ApiFailure(0, "network", (error as Error).message);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
  if (res.status === 401) {
    api.forget();
    api.onUnauthorized();
  }
  throw new ApiFailure(res.status, body.error ?? "http", body.message ?? res.statusText, body.errors);
}

/** The one track playing: the audio route fetched with the token, played from an object URL. */
export function usePlayer(onError: (key: string, error: unknown) => void) {
  const [playing, setPlaying] = useState<{ key: string; url: string }>();
  const current = useRef<string>(undefined);
  const play = async (key: string, path: string) => {
    try {
      const blob = await (await wavRequest("GET", path)).blob();
      const url = URL.createObjectURL(blob);
      if (current.current) URL.revokeObjectURL(current.current);
      current.current = url;
      setPlaying({ key, url });
    } catch (error) {
      onError(key, error);
    }
  };
  useEffect(
    () => () => {
      if (current.current) URL.revokeObjectURL(current.current);
    },
    [],
  );
  const player = (key: string) =>
    playing?.key === key ? (
      // biome-ignore lint/a11y/useMediaCaption: a recorded prompt; its text is in the next column
      <audio controls autoPlay src={playing.url} data-testid={`player-${key}`} />
    ) : null;
  return { play, player };
}
