#!/usr/bin/env bash
# Authenticated calls per second at zero failed calls: Parley beside Kamailio, same sipp
# scenarios (bench/kamailio/uac.xml: INVITE -> 407 -> ACK -> INVITE with digest -> 100/180/200
# -> ACK -> 1 s hold -> BYE -> 200; uas.xml answers as user 1999, registered with reg_uas.xml),
# same users (1000..1999, password = name), same machine, same run. Each server is driven at
# rising rates (STEP_SECS seconds each) until a run has a failed call (either side) or
# retransmissions above 0.5% of calls; its figure is the best clean achieved rate
# (ok calls / (elapsed - hold)). Then memory per active call: a fresh Parley (run with
# --inspect on loopback) holds MEM_CALLS concurrent calls (long pause); its JS heap used after a
# forced full GC (read through the inspector by bench/heap-probe.mjs) over an idle, warmed-up
# baseline is divided by the number of calls GET /api/v1/status lists active; the growth of its
# resident set (VmRSS, /proc/<pid>/status) is printed too.
# Prints BENCH lines and the ratio.
# Needs: apt-get install -y kamailio kamailio-sqlite-modules sip-tester sqlite3
# Env: CALL_RATES="250 500 ..." STEP_SECS=5 HOLD_MS=1000 SKIP_KAMAILIO=1 MEM_CALLS=10000 (0 = skip) MEM_RATE=500
#   ONLY_MEM=1 (only the memory part) HEAP_SNAPSHOTS=dir (idle.heapsnapshot and held.heapsnapshot
#   there, taken after each heap reading: open them in Chrome DevTools, Memory tab, and compare)
#   MEM_SETTLED=1: also the heap per call once every INVITE transaction has ended (RFC 6026 Timers
#   L and M, 64*T1 = 32 s after the answer), what a call holds for the rest of its life; the
#   first reading, young calls, still includes those transactions (~70 s longer run)
#   PARLEY_PREPARE="cmd args": run as `cmd args <data-dir>` before each Parley starts
#
# Parley's per-user limits (maxConcurrentCalls, maxConcurrentOutgoingCalls: default 4, at most
# 1000 through the API) would refuse this workload (every call goes to 1999; each caller has
# ~rate/1000 calls up at once), while Kamailio has none. They are lifted for the bench users
# straight in the SQLite store before Parley starts (the store validates on write, not on read).
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CALL_RATES=${CALL_RATES:-"250 500 750 1000 1250 1500 1750 2000 2500 3000 3500 3750 4000 4500"}
STEP_SECS=${STEP_SECS:-5}
HOLD_MS=${HOLD_MS:-1000}
MEM_CALLS=${MEM_CALLS:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-callbench-XXXXXX")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SCN=$ROOT/bench/kamailio
COMMON=(-i 127.0.0.1 -bind_local -nostdin -buff_size 4194304)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$WORK/kamailio.pid" ] && kill "$(cat "$WORK/kamailio.pid")" 2>/dev/null
  sleep 0.5
}
trap cleanup EXIT

{ echo SEQUENTIAL; for u in $(seq 1000 1998); do echo "$u;$u;[authentication username=$u password=$u]"; done; } > "$WORK/users.csv"

statcol() { awk -F';' -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) col=i} END{print $col+0}' "$1"; }
elapsed() { awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="StartTime")a=i; if($i=="CurrentTime")b=i}} END{split($a,x,"\t"); split($b,y,"\t"); printf "%.2f", y[3]-x[3]}' "$1"; }

# register_uas SERVER_PORT UAS_PORT: user 1999 -> Contact sip:1999@127.0.0.1:UAS_PORT, sent from
# UAS_PORT itself: Parley sends requests to a binding's source address (where the REGISTER came
# from), not to its Contact, so the UAS must register from the port it then listens on.
register_uas() {
  sed "s#127.0.0.1:5090#127.0.0.1:$2#" "$SCN/reg_uas.xml" > "$WORK/reg_uas-$2.xml"
  sipp "127.0.0.1:$1" -sf "$WORK/reg_uas-$2.xml" -p "$2" "${COMMON[@]}" -m 1 -timeout 10s -timeout_error \
    > "$WORK/reg_uas-$2.out" 2>&1 || { echo "UAS registration to :$1 failed:" >&2; tail -20 "$WORK/reg_uas-$2.out" >&2; return 1; }
}

# one_run NAME SERVER_PORT UAS_PORT RATE CALLS HOLD_MS -> sets OK FAIL RETR UFAIL RC URC ACHIEVED
one_run() {
  local name=$1 port=$2 uport=$3 r=$4 n=$5 hold=$6 tag="$1-$4-$5"
  sipp -sf "$SCN/uas.xml" -p "$uport" "${COMMON[@]}" -m "$n" -timeout $((n / r + hold / 1000 + 40))s \
    -trace_stat -stf "$WORK/$tag-uas.csv" -fd 1 -trace_err -error_file "$WORK/$tag-uas-err.log" > "$WORK/$tag-uas.out" 2>&1 &
  local upid=$!
  PIDS+=("$upid")
  sleep 0.3
  sipp "127.0.0.1:$port" -sf "$SCN/uac.xml" -inf "$WORK/users.csv" -p "$(free_port)" "${COMMON[@]}" \
    -r "$r" -rp 1000 -m "$n" -l 15000 -d "$hold" -timeout $((n / r + hold / 1000 + 30))s -timeout_error -recv_timeout 5000 \
    -trace_stat -stf "$WORK/$tag-uac.csv" -fd 1 -trace_err -error_file "$WORK/$tag-uac-err.log" > "$WORK/$tag-uac.out" 2>&1
  RC=$?
  for _ in $(seq 50); do kill -0 "$upid" 2>/dev/null || break; sleep 0.1; done
  kill "$upid" 2>/dev/null
  wait "$upid"
  URC=$?
  local S="$WORK/$tag-uac.csv"
  OK=$(statcol "$S" 'SuccessfulCall(C)')
  FAIL=$(statcol "$S" 'FailedCall(C)')
  RETR=$(statcol "$S" 'Retransmissions(C)')
  UFAIL=$(statcol "$WORK/$tag-uas.csv" 'FailedCall(C)')
  ACHIEVED=$(awk -v ok="$OK" -v e="$(elapsed "$S")" -v h="$hold" 'BEGIN{ w=e-h/1000; if (w<=0) w=1; printf "%d", ok/w }')
}

# Parley's CPU time (utime+stime, clock ticks) while its ladder runs; nothing for Kamailio (many processes).
cpu_ticks() { [ -n "${PPID_:-}" ] && [ -r "/proc/$PPID_/stat" ] && awk '{print $14+$15}' "/proc/$PPID_/stat"; }
# cpu_per_call TICKS_BEFORE -> " parley_cpu_us_per_call=N" over the OK calls of the step just run
cpu_per_call() {
  [ -n "$1" ] && [ "$OK" -gt 0 ] || return 0
  awk -v a="$1" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" -v n="$OK" 'BEGIN{printf " parley_cpu_us_per_call=%d", (b-a)*1e6/hz/n}'
}

# ladder NAME SERVER_PORT -> prints the best clean rate
ladder() {
  local name=$1 port=$2 best=0 r uport
  uport=$(free_port)
  register_uas "$port" "$uport" || { echo 0; return; }
  for r in $CALL_RATES; do
    local c0; c0=$(cpu_ticks)
    one_run "$name" "$port" "$uport" "$r" $((r * STEP_SECS)) "$HOLD_MS"
    echo "  $name target $r cps: achieved $ACHIEVED cps ok=$OK failed=$FAIL retrans=$RETR uas_failed=$UFAIL sipp_rc=$RC/$URC$(cpu_per_call "$c0")" >&2
    # Clean: no failed call on either side, retransmissions under 0.5% of calls.
    if [ "$RC" != 0 ] || [ "$FAIL" != 0 ] || [ "$UFAIL" != 0 ] || [ $((RETR * 200)) -gt "$OK" ]; then
      [ -s "$WORK/$name-$r-$((r * STEP_SECS))-uac-err.log" ] &&
        echo "    first UAC errors: $(grep -v '^$' "$WORK/$name-$r-$((r * STEP_SECS))-uac-err.log" | head -3 | tr '\n' ' ' | cut -c1-400)" >&2
      break
    fi
    [ "$ACHIEVED" -gt "$best" ] && best=$ACHIEVED
    sleep 1
  done
  echo "$best"
}

# start_parley DIR [NODE_FLAGS...] -> sets PPORT HPORT PPID_
start_parley() {
  local dir=$1
  shift
  node --import tsx bench/setup-users.ts "$dir" > /dev/null || exit 1
  sqlite3 "$dir/parley.db" "UPDATE users SET max_concurrent_calls = 1000000, max_concurrent_outgoing_calls = 1000000 WHERE name BETWEEN '1000' AND '1999'" || exit 1
  # PARLEY_PREPARE: a command run with the data dir before start (bench/script-route.sh: a script and its trigger).
  if [ -n "${PARLEY_PREPARE:-}" ]; then $PARLEY_PREPARE "$dir" > /dev/null || exit 1; fi
  PPORT=$(free_port)
  HPORT=$(free_port)
  node "$@" bin/parley.js start --bind 127.0.0.1 --sip-port "$PPORT" --sip-tls-port 0 --http-port "$HPORT" --http-bind 127.0.0.1 \
    --api-token bench-token-0123456789abcdef --data-dir "$dir" --log-level warn --log-format json > "$dir.log" 2>&1 &
  PPID_=$!
  PIDS+=("$PPID_")
  for _ in $(seq 100); do ss -lun | grep -q "127.0.0.1:$PPORT " && break; sleep 0.1; done
  sleep 0.5
}
api() { curl -s -H 'authorization: Bearer bench-token-0123456789abcdef' "http://127.0.0.1:$HPORT/api/v1/$1"; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

kam=0
if [ "${ONLY_MEM:-0}" != 1 ] && [ "${SKIP_KAMAILIO:-0}" != 1 ] && command -v kamailio >/dev/null; then
  KPORT=$(free_port)
  sed -e "s#@WORK@#$WORK#g" -e "s#127.0.0.1:5070#127.0.0.1:$KPORT#g" bench/kamailio/kamailio.cfg > "$WORK/kamailio.cfg"
  mkdir -p "$WORK/run"
  D=$WORK bash bench/kamailio/setup_db.sh > /dev/null
  kamailio -f "$WORK/kamailio.cfg" -P "$WORK/kamailio.pid" -Y "$WORK/run" -m 1024 -M 32 > "$WORK/kamailio.out" 2> "$WORK/kamailio.log" || { cat "$WORK/kamailio.log"; exit 1; }
  for _ in $(seq 50); do ss -lun | grep -q "127.0.0.1:$KPORT " && break; sleep 0.1; done
  echo "Kamailio $(kamailio -v | awk 'NR==1{print $2,$3}') on 127.0.0.1:$KPORT" >&2
  kam=$(ladder kamailio "$KPORT")
  kill "$(cat "$WORK/kamailio.pid")"; rm -f "$WORK/kamailio.pid"; sleep 1
  echo "BENCH calls.kamailio cps=$kam"
fi

if [ "${ONLY_MEM:-0}" != 1 ]; then
  start_parley "$WORK/parley"
  echo "Parley on 127.0.0.1:$PPORT (pid $PPID_)" >&2
  par=$(ladder parley "$PPORT")
  echo "BENCH calls.parley cps=$par"
  if [ "$kam" -gt 0 ]; then
    awk -v p="$par" -v k="$kam" 'BEGIN{printf "BENCH calls.ratio parley_over_kamailio=%.3f (goal 1.0, floor 0.25)\n", p/k}'
  fi
  errors=$(grep -c '"level":[56]0' "$WORK/parley.log")
  echo "  parley log: $errors error/fatal lines (log: $WORK/parley.log)" >&2
  [ "$errors" -gt 0 ] && grep '"level":[56]0' "$WORK/parley.log" | head -5 >&2
  kill "$PPID_"; wait "$PPID_" 2>/dev/null
fi

if [ "$MEM_CALLS" -gt 0 ]; then
  IPORT=$(free_port)
  start_parley "$WORK/parley-mem" --inspect="127.0.0.1:$IPORT"
  heap() { node --experimental-websocket --no-warnings bench/heap-probe.mjs "$IPORT" "$@" | sed -n 's/.*"heapUsed":\([0-9]*\).*/\1/p'; }
  uport=$(free_port)
  register_uas "$PPORT" "$uport" || exit 1
  one_run mem-warmup "$PPORT" "$uport" 200 400 100 # warm the code paths up
  sleep 2
  settled=${MEM_SETTLED:-0}
  # The warm-up calls' transactions end too, so that the baseline holds none of them.
  [ "$settled" = 1 ] && sleep 33
  base=$(rss_kib "$PPID_")
  base_heap=$(heap ${HEAP_SNAPSHOTS:+"$HEAP_SNAPSHOTS/idle.heapsnapshot"})
  mem_rate=${MEM_RATE:-500}
  ramp=$((MEM_CALLS / mem_rate + 1))
  hold=$(((ramp + 15) * 1000))
  [ "$settled" = 1 ] && hold=$(((ramp + 75) * 1000))
  one_run mem "$PPORT" "$uport" "$mem_rate" "$MEM_CALLS" "$hold" &
  runner=$!
  peak_active=0 peak_rss=$base
  for _ in $(seq $((ramp + 6))); do
    sleep 1
    active=$(api status | sed -n 's/.*"activeCalls":\([0-9]*\).*/\1/p')
    rss=$(rss_kib "$PPID_")
    if [ "${active:-0}" -ge "$peak_active" ]; then peak_active=${active:-0}; peak_rss=$rss; fi
  done
  # Every call is up now (the hold outlasts the ramp): JS heap after a forced full GC.
  held=$(api status | sed -n 's/.*"activeCalls":\([0-9]*\).*/\1/p')
  held_heap=$(heap ${HEAP_SNAPSHOTS:+"$HEAP_SNAPSHOTS/held.heapsnapshot"})
  if [ "$settled" = 1 ]; then
    sleep 34 # the youngest call was answered ~6 s before the first reading: 64*T1 + margin
    settled_n=$(api status | sed -n 's/.*"activeCalls":\([0-9]*\).*/\1/p')
    settled_heap=$(heap ${HEAP_SNAPSHOTS:+"$HEAP_SNAPSHOTS/settled.heapsnapshot"})
  fi
  wait "$runner"
  echo "  memory: baseline VmRSS ${base} KiB, ${peak_active} active calls -> VmRSS ${peak_rss} KiB (target $MEM_CALLS)" >&2
  echo "  memory: baseline heapUsed ${base_heap} B, ${held} active calls -> heapUsed ${held_heap} B (after forced GC, via the inspector)" >&2
  if [ "$peak_active" -gt 0 ] && [ "${held:-0}" -gt 0 ]; then
    awk -v b="$base_heap" -v p="$held_heap" -v n="$held" 'BEGIN{printf "BENCH calls.memory bytes_per_call=%d (JS heap used after a full GC, at %d concurrent calls; goal 10240)\n", (p-b)/n, n}'
    awk -v b="$base" -v p="$peak_rss" -v n="$peak_active" 'BEGIN{printf "BENCH calls.memory_rss bytes_per_call=%d (resident set growth, VmRSS, at %d concurrent calls)\n", (p-b)*1024/n, n}'
    if [ "$settled" = 1 ] && [ "${settled_n:-0}" -gt 0 ]; then
      awk -v b="$base_heap" -v p="$settled_heap" -v n="$settled_n" 'BEGIN{printf "BENCH calls.memory_settled bytes_per_call=%d (JS heap used after a full GC, at %d concurrent calls whose INVITE transactions have ended; goal 10240)\n", (p-b)/n, n}'
    fi
  else
    echo "BENCH calls.memory bytes_per_call=n/a (no active call seen)"
  fi
  kill "$PPID_"; wait "$PPID_" 2>/dev/null
fi
echo "work dir: $WORK" >&2
