#!/usr/bin/env bash
# Script cost (issue 18, `npm run bench`): what a Lua service script costs a call.
# 1. Calls per second through a trivial Lua route script against the same route without one:
#    bench/calls.sh's Parley ladder (sipp bench/kamailio/uac.xml -> user 1999, the sipp UAS;
#    users 1000..1998 calling, rising rates, best clean rate), run twice on fresh Parleys: once
#    plain, once with a trigger record at "attempted" on 1999 whose script is `call.route("1999")`
#    (bench/script-setup.ts), so every call makes a VM, runs the script and routes as it would have.
#    Goal: at most 25% fewer calls per second; below half the bench fails (exit 1). Beside the
#    rates, Parley's CPU time per call at the highest rate both ran cleanly (steadier on shared cores).
# 2. Memory per live VM: a fresh Parley (--inspect on loopback) answers MEM_CALLS calls to 7000
#    inside a script that waits (`call.answer(); call.wait(600)`), so each holds a live VM (and its
#    SIP dialog and media endpoint); the growth of its resident set (VmRSS) and of its JS heap after
#    a forced full GC (bench/heap-probe.mjs) over an idle, warmed-up baseline, divided by the calls
#    GET /api/v1/status lists active. The Lua heaps live in wasm memory: RSS, not JS heap.
# Prints BENCH scripts.route, scripts.route_cpu and scripts.memory_per_live_vm lines.
# Env: CALL_RATES (finer than bench/calls.sh's), STEP_SECS (as bench/calls.sh); MEM_CALLS=1000 (0 = skip) MEM_RATE=200
#   SCRIPT_SETUP=route (or proceed: `call.proceed()`)
set -u
cd "$(dirname "$0")/.."
status=0
SCRIPT_SETUP=${SCRIPT_SETUP:-route}
MEM_CALLS=${MEM_CALLS:-1000}

export CALL_RATES=${CALL_RATES:-"100 200 300 400 500 600 700 800 1000 1200 1500 1750 2000 2500 3000"}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-scriptbench-XXXXXX")
cps() { sed -n 's/^BENCH calls.parley cps=\([0-9]*\).*/\1/p' <<<"$1"; }
# "RATE US" for each clean step of a ladder (no failed call, sipp exited 0): Parley's CPU per call.
clean_cpu() { sed -n 's/^  parley target \([0-9]*\) cps: .* failed=0 .*uas_failed=0 sipp_rc=0\/0 parley_cpu_us_per_call=\([0-9]*\).*/\1 \2/p' "$1" | sort -k1,1; }
plain=$(SKIP_KAMAILIO=1 MEM_CALLS=0 bash bench/calls.sh 2> >(tee "$WORK/plain.err" >&2))
scripted=$(SKIP_KAMAILIO=1 MEM_CALLS=0 PARLEY_PREPARE="node --import tsx bench/script-setup.ts $SCRIPT_SETUP" \
  bash bench/calls.sh 2> >(tee "$WORK/script.err" >&2))
clean_cpu "$WORK/plain.err" > "$WORK/plain.cpu"
clean_cpu "$WORK/script.err" > "$WORK/script.cpu"
p=$(cps "$plain")
s=$(cps "$scripted")
# CPU per call at the highest rate both ladders passed cleanly: the same load for both, and
# steadier than the best rates on a machine whose cores other work shares.
read -r rate pc sc < <(join "$WORK/plain.cpu" "$WORK/script.cpu" 2>/dev/null | sort -n | tail -1)
if [ -n "${sc:-}" ] && [ "$sc" -gt 0 ]; then
  awk -v p="$pc" -v s="$sc" -v r="$rate" 'BEGIN{printf "BENCH scripts.route_cpu plain_us_per_call=%d script_us_per_call=%d ratio=%.3f (Parley CPU per call at %d calls/s, plain over script: the rate one core would carry)\n", p, s, p/s, r}'
fi
if [ "${p:-0}" -gt 0 ] && [ -n "$s" ]; then
  ratio=$(awk -v s="$s" -v p="$p" 'BEGIN{printf "%.3f", s/p}')
  echo "BENCH scripts.route plain_cps=$p script_cps=$s ratio=$ratio (best clean rates, script bench-$SCRIPT_SETUP; goal >= 0.75, floor 0.5)"
  awk -v r="$ratio" 'BEGIN{exit !(r < 0.5)}' && status=1
else
  echo "BENCH scripts.route plain_cps=${p:-n/a} script_cps=${s:-n/a} ratio=n/a (a ladder failed at its first rate)"
  status=1
fi

[ "$MEM_CALLS" -gt 0 ] || exit $status
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; }
trap cleanup EXIT
DIR=$WORK/parley
mkdir -p "$DIR"
node --import tsx bench/setup-users.ts "$DIR" > /dev/null || exit 1
node --import tsx bench/script-setup.ts hold "$DIR" > /dev/null || exit 1
PPORT=$(free_port) HPORT=$(free_port) IPORT=$(free_port)
node --inspect="127.0.0.1:$IPORT" bin/parley.js start --bind 127.0.0.1 --sip-port "$PPORT" --sip-tls-port 0 \
  --http-port "$HPORT" --http-bind 127.0.0.1 --api-token bench-token-0123456789abcdef --data-dir "$DIR" \
  --log-level warn --log-format json > "$DIR.log" 2>&1 &
PARLEY=$!
PIDS+=("$PARLEY")
for _ in $(seq 100); do ss -lun | grep -q "127.0.0.1:$PPORT " && break; sleep 0.1; done
sleep 0.5
api() { curl -s -H 'authorization: Bearer bench-token-0123456789abcdef' "http://127.0.0.1:$HPORT/api/v1/$1"; }
active() { api status | sed -n 's/.*"activeCalls":\([0-9]*\).*/\1/p'; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
heap() { node --experimental-websocket --no-warnings bench/heap-probe.mjs "$IPORT" | sed -n 's/.*"heapUsed":\([0-9]*\).*/\1/p'; }
{ echo SEQUENTIAL; for u in $(seq 1000 1998); do echo "$u;$u;[authentication username=$u password=$u]"; done; } > "$WORK/users.csv"
sed 's/1999@perf.local/7000@perf.local/g' bench/kamailio/uac.xml > "$WORK/uac-7000.xml"
# hold_calls N RATE HOLD_MS: N calls to 7000 from users 1000..1998, each held HOLD_MS after the answer.
hold_calls() {
  sipp "127.0.0.1:$PPORT" -sf "$WORK/uac-7000.xml" -inf "$WORK/users.csv" -p "$(free_port)" -i 127.0.0.1 -bind_local \
    -nostdin -buff_size 4194304 -r "$2" -m "$1" -l 100000 -d "$3" -recv_timeout 10000 \
    -trace_stat -stf "$WORK/hold-$1.csv" -fd 1 -trace_err -error_file "$WORK/hold-$1-err.log" > "$WORK/hold-$1.out" 2>&1
}
# Warm the code paths up (make VMs, run the script, answer, hang up), then let those calls go.
hold_calls 200 100 100
sleep 3
base_rss=$(rss_kib "$PARLEY")
base_heap=$(heap)
hold_ms=$(((MEM_CALLS / ${MEM_RATE:-200} + 30) * 1000))
hold_calls "$MEM_CALLS" "${MEM_RATE:-200}" "$hold_ms" &
PIDS+=("$!")
# Every call is up once the active count stops growing (or reaches MEM_CALLS).
last=-1 n=0
for _ in $(seq $((MEM_CALLS / ${MEM_RATE:-200} + 20))); do
  sleep 1
  n=$(active)
  [ "${n:-0}" -ge "$MEM_CALLS" ] && break
  [ "${n:-0}" = "$last" ] && [ "$n" -gt 0 ] && break
  last=$n
done
sleep 1
held_rss=$(rss_kib "$PARLEY")
held_heap=$(heap)
held=$(active)
failed=$(grep -c '"msg":"script failed"' "$DIR.log")
echo "  memory: baseline VmRSS ${base_rss} KiB, heapUsed ${base_heap} B; ${held} calls held in scripts -> VmRSS ${held_rss} KiB, heapUsed ${held_heap} B; ${failed} script failures" >&2
if [ "${held:-0}" -gt 0 ]; then
  awk -v b="$base_rss" -v r="$held_rss" -v hb="$base_heap" -v hh="$held_heap" -v n="$held" 'BEGIN{
    printf "BENCH scripts.memory_per_live_vm=%d bytes (resident set growth per call held in `call.answer(); call.wait()`, at %d calls; JS heap after a full GC: %d bytes of it; includes each call'"'"'s SIP dialog and media endpoint)\n", (r-b)*1024/n, n, (hh-hb)/n }'
else
  echo "BENCH scripts.memory_per_live_vm=n/a (no call held; see $WORK)"
  status=1
fi
echo "work dir: $WORK" >&2
exit $status
