#!/usr/bin/env bash
# Relay capacity (issue 6): the most concurrent relayed G.711 calls (50 packets/s each way) that
# this machine carries with loss under 0.1% and p99 latency under 5 ms, and the relay's CPU cost per
# call. The relay (MediaEngine, worker threads) runs in its own process (bench/relay/relay-server.ts);
# the load comes from a separate C process (bench/relay/rtp-load.c) that sends RTP with a timestamp in
# each payload to 127.0.0.1 only and measures what comes back through the relay. The latency is the
# whole path (generator send -> relay -> generator receive), an upper bound on what the relay adds.
# Usage: bench/relay.sh   (RELAY_LADDER="200 400 ..." RELAY_SECS=10 MEDIA_WORKERS=2 to change;
# RELAY_NICE=-10 runs relay and generator at a higher priority on a machine busy with other work).
# The latency bound is applied to the whole path; direct_p99_ms is the same generator phone to phone.
# Prints "BENCH media.relay ..." lines, then "BENCH media.relay.max_calls=N".
set -u
cd "$(dirname "$0")/.."
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-relay-XXXXXX")
gcc -O2 -o "$WORK/rtp-load" bench/relay/rtp-load.c || exit 1
SECS=${RELAY_SECS:-10}
WORKERS=${MEDIA_WORKERS:-2}
mkfifo "$WORK/ctl"
${RELAY_NICE:+nice -n $RELAY_NICE} env MEDIA_WORKERS=$WORKERS RTP_PORTS=${RTP_PORTS:-30000-39999} node --import tsx bench/relay/relay-server.ts \
  < "$WORK/ctl" >> "$WORK/relay.out" 2> "$WORK/relay.err" &
PID=$!
exec 3> "$WORK/ctl"
trap 'echo quit >&3 2>/dev/null; exec 3>&-; sleep 0.5; kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -aq started "$WORK/relay.out" && break; sleep 0.1; done
HZ=$(getconf CLK_TCK)
# Fresh relay sessions for a run: the sessions of a run latch onto its generator's sockets.
alloc() {
  : > "$WORK/relay.out"
  echo "alloc $1" >&3
  for _ in $(seq 600); do grep -aq '^ready' "$WORK/relay.out" && break; sleep 0.1; done
  grep -aq '^ready' "$WORK/relay.out" || { echo "BENCH media.relay calls=$1 allocation failed: $(tail -3 "$WORK/relay.err")"; return 1; }
  grep -aE '^[0-9]+ [0-9]+$' "$WORK/relay.out" > "$WORK/ports"
}
best=0
best_cpu=""
for calls in ${RELAY_LADDER:-100 200 400 600 800 1000 1200 1400 1600 2000}; do
  alloc "$calls" || break
  # The path without the relay first (phone to phone, same generator): its p99 is the floor the
  # relay's figure stands on.
  BASE=$(${RELAY_NICE:+nice -n $RELAY_NICE} "$WORK/rtp-load" 3 50 direct < "$WORK/ports")
  base_p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$BASE")
  # Each step may be tried twice (RELAY_TRIES): another program's burst on a shared machine can
  # push one run's p99 over the bound; every try is printed.
  ok=0
  for try in $(seq "${RELAY_TRIES:-2}"); do
    if [ "$try" -gt 1 ]; then alloc "$calls" || break; fi
    CPU0=$(awk '{print $14+$15}' /proc/$PID/stat)
    LINE=$(${RELAY_NICE:+nice -n $RELAY_NICE} "$WORK/rtp-load" "$SECS" 50 < "$WORK/ports")
    CPU1=$(awk '{print $14+$15}' /proc/$PID/stat)
    # The generator's run is SECS plus about 1 s of warm-up and drain; CPU is counted over all of it.
    cpu_pct=$(awk -v a="$CPU0" -v b="$CPU1" -v hz="$HZ" -v s="$SECS" 'BEGIN{printf "%.1f", 100*(b-a)/hz/(s+1)}')
    per_call=$(awk -v a="$CPU0" -v b="$CPU1" -v hz="$HZ" -v s="$SECS" -v n="$calls" 'BEGIN{printf "%.3f", 1000*(b-a)/hz/(s+1)/n}')
    loss=$(sed -n 's/.*loss_pct=\([0-9.]*\).*/\1/p' <<<"$LINE")
    p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$LINE")
    short=$(sed -n 's/.*send_shortfall_pct=\([0-9.]*\).*/\1/p' <<<"$LINE")
    echo "BENCH media.relay $LINE direct_p99_ms=${base_p99} relay_cpu=${cpu_pct}% cpu_ms_per_call_per_s=${per_call}"
    # A try counts only if the generator sent (nearly) all it planned: else the machine, not the
    # relay, was the limit and the try proves nothing.
    if awk -v l="${loss:-100}" -v p="${p99:-99}" -v s="${short:-100}" 'BEGIN{exit !(l < 0.1 && p < 5 && s < 1)}'; then
      ok=1
      break
    fi
  done
  [ "$ok" = 1 ] || break
  best=$calls
  best_cpu=$per_call
done
echo "BENCH media.relay.max_calls=$best (loss < 0.1%, p99 < 5 ms; $WORKERS worker(s); goal 1000, floor 200) cpu_ms_per_call_per_s=${best_cpu:-n/a}"
[ "$best" -ge 200 ]
