#!/usr/bin/env bash
# OPTIONS transactions per second answered by a real `parley start` to sipp over UDP on
# 127.0.0.1, at zero failures. Usage: bench/options-load.sh [rate] [seconds]
# Prints "BENCH options.udp rate=... achieved=... failed=... retrans=..." and exits non-zero if any
# transaction failed. Bounded: sipp stops after rate*seconds transactions or seconds+20 s.
set -u
cd "$(dirname "$0")/.."
RATE=${1:-20000}
SECS=${2:-10}
N=$((RATE * SECS))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-XXXXXX")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
SIPP_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node bin/parley.js start --bind 127.0.0.1 --sip-port "$PORT" --sip-tls-port 0 --data-dir "$WORK/data" \
  --log-level warn --log-format json > "$WORK/parley.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q '"level"' "$WORK/parley.log" 2>/dev/null && break; ss -lun | grep -q ":$PORT " && break; sleep 0.1; done
sleep 0.5
CPU0=$(awk '{print $14+$15}' /proc/$PID/stat)
T0=$(date +%s.%N)
sipp "127.0.0.1:$PORT" -sf bench/scenarios/options-uac.xml -i 127.0.0.1 -p "$SIPP_PORT" -bind_local -nostdin \
  -r "$RATE" -rp 1000 -m "$N" -l 20000 -buff_size 4194304 -timeout "$((SECS + 20))s" -timeout_error \
  -trace_stat -stf "$WORK/stat.csv" -fd 1 > "$WORK/sipp.out" 2>&1
RC=$?
T1=$(date +%s.%N)
CPU1=$(awk '{print $14+$15}' /proc/$PID/stat)
HZ=$(getconf CLK_TCK)
col() { awk -F';' -v c="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i} END{print $k}' "$WORK/stat.csv"; }
OK=$(col 'SuccessfulCall(C)'); FAIL=$(col 'FailedCall(C)'); RETR=$(col 'Retransmissions(C)')
RSS=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
awk -v ok="$OK" -v fail="$FAIL" -v retr="$RETR" -v t0="$T0" -v t1="$T1" -v rate="$RATE" -v c0="$CPU0" -v c1="$CPU1" -v hz="$HZ" -v rss="$RSS" -v rc="$RC" 'BEGIN{
  e=t1-t0; printf "BENCH options.udp target=%d/s achieved=%.0f/s ok=%d failed=%d retrans=%d elapsed=%.1fs parley_cpu=%.0f%% parley_peak_rss=%.0fMiB sipp_rc=%d\n",
  rate, ok/e, ok, fail, retr, e, (c1-c0)/hz/e*100, rss/1024, rc }'
[ "$RC" = 0 ] && [ "${FAIL:-1}" = 0 ]
