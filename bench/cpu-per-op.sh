#!/usr/bin/env bash
# CPU cost of one operation in a running `parley start`, measured as the server process's
# utime+stime over a fixed sipp load (robust on a noisy shared machine, unlike a max-rate run).
#   bench/cpu-per-op.sh options [rate] [count]     -> us of Parley CPU per OPTIONS transaction
#   bench/cpu-per-op.sh register [rate] [count]    -> us per authenticated registration (2 REGISTER transactions)
# PROFILE=1 also writes a V8 CPU profile of the run to $WORK/prof and prints the top functions.
set -u
cd "$(dirname "$0")/.."
MODE=${1:-options}
RATE=${2:-2000}
COUNT=${3:-20000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-cpu-XXXXXX")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port); SIPP_PORT=$(free_port)
if [ "$MODE" = register ]; then
  node --import tsx bench/setup-users.ts "$WORK/data" >/dev/null || exit 1
  { echo SEQUENTIAL; for u in $(seq 1000 1998); do echo "$u;$u;[authentication username=$u password=$u]"; done; } > "$WORK/users.csv"
  SCEN=(-sf bench/kamailio/reg.xml -inf "$WORK/users.csv")
else
  SCEN=(-sf bench/scenarios/options-uac.xml)
fi
NODEOPTS=()
[ "${PROFILE:-0}" = 1 ] && NODEOPTS=(--cpu-prof --cpu-prof-dir="$WORK/prof")
node "${NODEOPTS[@]}" ${PARLEY_NODE_FLAGS:-} bin/parley.js start --bind 127.0.0.1 --sip-port "$PORT" --sip-tls-port 0 --http-port 0 \
  --data-dir "$WORK/data" --log-level warn --log-format json > "$WORK/parley.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 100); do ss -lun | grep -q "127.0.0.1:$PORT " && break; sleep 0.1; done
sleep 0.5
# warm-up
sipp "127.0.0.1:$PORT" "${SCEN[@]}" -i 127.0.0.1 -p "$SIPP_PORT" -bind_local -nostdin -r "$RATE" -m $((RATE)) -l 20000 -buff_size 4194304 -timeout 30s >/dev/null 2>&1
C0=$(awk '{print $14+$15}' /proc/$PID/stat)
sipp "127.0.0.1:$PORT" "${SCEN[@]}" -i 127.0.0.1 -p "$SIPP_PORT" -bind_local -nostdin -r "$RATE" -m "$COUNT" -l 20000 \
  -buff_size 4194304 -timeout 60s -timeout_error -trace_stat -stf "$WORK/stat.csv" -fd 1 > "$WORK/sipp.out" 2>&1
RC=$?
C1=$(awk '{print $14+$15}' /proc/$PID/stat)
HZ=$(getconf CLK_TCK)
RETR=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="Retransmissions(C)") k=i} END{print $k}' "$WORK/stat.csv")
FAIL=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") k=i} END{print $k}' "$WORK/stat.csv")
awk -v c=$((C1 - C0)) -v hz="$HZ" -v n="$COUNT" -v m="$MODE" -v r="$RATE" -v retr="$RETR" -v fail="$FAIL" -v rc="$RC" \
  'BEGIN{printf "BENCH cpu.%s us_per_op=%.1f rate=%d count=%d failed=%s retrans=%s sipp_rc=%d\n", m, c/hz*1e6/n, r, n, fail, retr, rc}'
if [ "${PROFILE:-0}" = 1 ]; then
  kill -INT $PID; wait $PID 2>/dev/null
  python3 - "$WORK/prof" <<'PY'
import json, glob, collections, os, sys
# The main thread's profile: the largest (media worker threads write their own, nearly idle ones).
f = max(glob.glob(sys.argv[1] + "/*.cpuprofile"), key=os.path.getsize)
p = json.load(open(f)); nodes = {n["id"]: n for n in p["nodes"]}
parent = {c: n["id"] for n in p["nodes"] for c in n.get("children", [])}
selft = collections.Counter()
for s, d in zip(p["samples"], p["timeDeltas"]): selft[s] += d
def key(n):
    cf = n["callFrame"]; return f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}:{cf['lineNumber']}"
incl = collections.Counter(); own = collections.Counter()
for nid, t in selft.items():
    own[key(nodes[nid])] += t
    seen = set(); x = nid
    while x is not None:
        k = key(nodes[x])
        if k not in seen: incl[k] += t; seen.add(k)
        x = parent.get(x)
tot = sum(selft.values())
print("profile: self time"); [print(f"  {v/tot*100:5.1f}% {k}") for k, v in own.most_common(25)]
print("profile: inclusive time"); [print(f"  {v/tot*100:5.1f}% {k}") for k, v in incl.most_common(40)]
PY
fi
echo "work dir: $WORK"
