/**
 * The C programs of the media benches (bench/playback/rtp-sink.c, bench/conference/conference-load.c):
 * compiled once with gcc, then run per step. Each prints "listening" once bound on 127.0.0.1, reads
 * one line of the endpoints' RTP ports on stdin (it sends each a first packet, so the endpoints
 * latch onto it), runs for its seconds and prints one line of key=value figures.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Compiles `source` (a path) into a temporary folder; returns the binary's path. */
export function compile(source: string, name: string, libs: readonly string[] = []): string {
  const binary = join(mkdtempSync(join(tmpdir(), `parley-${name}-`)), name);
  execFileSync("gcc", ["-O2", "-o", binary, source, ...libs]);
  return binary;
}

export interface RtpToolRun {
  /** The program is bound and waits for the ports. */
  readonly listening: Promise<void>;
  /** Tells it the endpoints' ports: it starts. */
  start(ports: readonly number[]): void;
  /** Its figures line (the first line starting with `prefix`), once it exits. */
  readonly done: Promise<string>;
}

export function runRtpTool(binary: string, args: readonly string[], prefix: string): RtpToolRun {
  const child = spawn(binary, [...args], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  let heard: () => void = () => {};
  const listening = new Promise<void>((r) => {
    heard = r;
  });
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    if (out.includes("listening")) heard();
  });
  const done = new Promise<string>((r) =>
    child.on("exit", () => r(out.split("\n").find((l) => l.startsWith(prefix)) ?? "")),
  );
  return { listening, start: (ports) => child.stdin.end(`${ports.join(" ")}\n`), done };
}

/** A key=value figure of such a line. */
export function figure(line: string, key: string): number {
  return Number(new RegExp(`${key}=([0-9.]+)`).exec(line)?.[1] ?? Number.NaN);
}
