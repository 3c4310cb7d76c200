#!/usr/bin/env bash
# WebRTC relay capacity (issue 20): the most concurrent browser-to-RTP calls that the media worker
# bridges (SRTP <-> RTP, G.711 sized, 50 packets/s each way) with loss under 0.1% and p99 latency
# under 5 ms in both directions, and the relay's CPU cost per call. The relay (MediaEngine, worker
# threads) runs in its own process (bench/webrtc/relay-server.ts), each session's side a a browser
# (ICE-lite, DTLS-SRTP, SRTP) and side b a plain RTP phone. Per step, every call's browser first
# sends its ICE check and does a real DTLS 1.2 handshake (bench/webrtc/browser-handshake.ts, a
# separate Node process), then a separate C process (bench/webrtc/srtp-load.c) sends and checks the
# media of all calls from the browsers' same ports: SRTP one way, RTP the other, each payload
# carrying its send time. The latency is the whole path (generator -> relay -> generator), an upper
# bound on what the relay adds. All traffic goes to 127.0.0.1.
# Usage: bench/webrtc-relay.sh   (WEBRTC_LADDER="25 50 ..." WEBRTC_SECS=10 MEDIA_WORKERS=2
# WEBRTC_TRIES=2 to change; WEBRTC_NICE=-10 runs relay and load at a higher priority).
# Prints "BENCH media.webrtc ..." lines, then "BENCH media.webrtc.max_calls=N"; exits 1 below 50.
set -u
cd "$(dirname "$0")/.."
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-webrtc-XXXXXX")
gcc -O2 -o "$WORK/srtp-load" bench/webrtc/srtp-load.c -lcrypto || exit 1
SECS=${WEBRTC_SECS:-10}
WORKERS=${MEDIA_WORKERS:-2}
NICE=${WEBRTC_NICE:+nice -n $WEBRTC_NICE}
mkfifo "$WORK/ctl"
# The relay's ports stay below the ephemeral range (32768-60999 on Linux), where the browsers' are.
$NICE env MEDIA_WORKERS="$WORKERS" RTP_PORTS="${RTP_PORTS:-20000-29999}" node --import tsx bench/webrtc/relay-server.ts \
  < "$WORK/ctl" >> "$WORK/relay.out" 2> "$WORK/relay.err" &
PID=$!
exec 3> "$WORK/ctl"
trap 'echo quit >&3 2>/dev/null; exec 3>&-; sleep 0.5; kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 150); do grep -aq '^started' "$WORK/relay.out" && break; sleep 0.1; done
RELAY_FP=$(sed -n 's/^started //p' "$WORK/relay.out")
[ -n "$RELAY_FP" ] || { echo "BENCH media.webrtc relay did not start: $(tail -3 "$WORK/relay.err")"; exit 1; }
# One certificate for every browser of the bench (its fingerprint is each session's a=fingerprint).
BROWSER_FP=$(node --import tsx bench/webrtc/browser-handshake.ts cert "$WORK/browser.json") || exit 1
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$PID/stat"; }
# Fresh sessions for a run, then every browser's ICE check and DTLS handshake: "$WORK/calls".
setup() {
  : > "$WORK/relay.out"
  echo "alloc $1 $BROWSER_FP" >&3
  for _ in $(seq 600); do grep -aq '^ready' "$WORK/relay.out" && break; sleep 0.1; done
  grep -aq '^ready' "$WORK/relay.out" || { echo "BENCH media.webrtc calls=$1 allocation failed: $(tail -3 "$WORK/relay.err")"; return 1; }
  local c0 c1
  c0=$(cpu)
  $NICE node --import tsx bench/webrtc/browser-handshake.ts connect "$WORK/browser.json" "$RELAY_FP" \
    < "$WORK/relay.out" > "$WORK/calls" 2> "$WORK/handshake.err"
  c1=$(cpu)
  HANDSHAKE=$(grep -a '^handshakes' "$WORK/handshake.err" | sed 's/^handshakes //')
  HANDSHAKE_CPU=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v n="$1" 'BEGIN{printf "%.2f", 1000*(b-a)/hz/n}')
  if [ "$(wc -l < "$WORK/calls")" -ne "$1" ]; then
    echo "BENCH media.webrtc calls=$1 handshakes failed: ${HANDSHAKE:-$(tail -3 "$WORK/handshake.err")}"
    return 1
  fi
}
best=0
best_cpu=""
for calls in ${WEBRTC_LADDER:-25 50 100 200 300 400}; do
  # Each step may be tried twice: another program's burst on a shared machine can push one run's
  # p99 over the bound; every try is printed.
  ok=0
  for _ in $(seq "${WEBRTC_TRIES:-2}"); do
    setup "$calls" || break
    CPU0=$(cpu)
    LINE=$($NICE "$WORK/srtp-load" "$SECS" 50 < "$WORK/calls" 2> "$WORK/load.err")
    CPU1=$(cpu)
    [ -n "$LINE" ] || { echo "BENCH media.webrtc calls=$calls load generator failed: $(tail -3 "$WORK/load.err")"; break; }
    # The generator's run is SECS plus about 1 s of warm-up and drain; CPU is counted over all of it.
    cpu_pct=$(awk -v a="$CPU0" -v b="$CPU1" -v hz="$HZ" -v s="$SECS" 'BEGIN{printf "%.1f", 100*(b-a)/hz/(s+1)}')
    per_call=$(awk -v a="$CPU0" -v b="$CPU1" -v hz="$HZ" -v s="$SECS" -v n="$calls" 'BEGIN{printf "%.3f", 1000*(b-a)/hz/(s+1)/n}')
    loss=$(sed -n 's/.* loss_pct=\([0-9.]*\).*/\1/p' <<<"$LINE")
    p99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$LINE")
    short=$(sed -n 's/.*send_shortfall_pct=\([0-9.]*\).*/\1/p' <<<"$LINE")
    echo "BENCH media.webrtc $LINE relay_cpu=${cpu_pct}% cpu_ms_per_call_per_s=${per_call} handshakes: ${HANDSHAKE} relay_cpu_ms_per_handshake=${HANDSHAKE_CPU}"
    # loss_pct and p99_ms cover both directions. A try counts only if the generator sent (nearly)
    # all it planned: else the machine, not the relay, was the limit and the try proves nothing.
    if awk -v l="${loss:-100}" -v p="${p99:-99}" -v s="${short:-100}" 'BEGIN{exit !(l < 0.1 && p < 5 && s < 1)}'; then
      ok=1
      break
    fi
  done
  [ "$ok" = 1 ] || break
  best=$calls
  best_cpu=$per_call
done
echo "BENCH media.webrtc.max_calls=$best (SRTP <-> RTP, loss < 0.1%, p99 < 5 ms; $WORKERS worker(s); goal 300, floor 50) cpu_ms_per_call_per_s=${best_cpu:-n/a}"
[ "$best" -ge 50 ]
