#!/usr/bin/env bash
# Authenticated registrations per second at zero failures: Parley beside Kamailio, same sipp
# scenario (bench/kamailio/reg.xml: REGISTER -> 401 -> REGISTER with digest -> 200), same users
# (1000..1999, password = name), same machine, same run. Each server is driven at rising rates
# (STEP_SECS seconds each) until a run has a failure or retransmissions (answers later than
# 500 ms) above 0.5% of registrations; its figure is the best clean achieved rate. Prints BENCH lines and the ratio.
# Needs: apt-get install -y kamailio kamailio-sqlite-modules sip-tester sqlite3
# Env: RATES="2000 4000 ..." STEP_SECS=5 SKIP_KAMAILIO=1
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RATES=${RATES:-"2000 3000 4000 5000 6000 8000 10000 12000 15000 18000 20000 22500 25000"}
STEP_SECS=${STEP_SECS:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-regbench-XXXXXX")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; [ -f "$WORK/kamailio.pid" ] && kill "$(cat "$WORK/kamailio.pid")" 2>/dev/null; sleep 0.5; }
trap cleanup EXIT

{ echo SEQUENTIAL; for u in $(seq 1000 1998); do echo "$u;$u;[authentication username=$u password=$u]"; done; } > "$WORK/users.csv"

# ladder TARGET_NAME PORT -> prints the best clean rate
ladder() {
  local name=$1 port=$2 best=0 r sport
  for r in $RATES; do
    sport=$(free_port)
    sipp "127.0.0.1:$port" -sf bench/kamailio/reg.xml -inf "$WORK/users.csv" -i 127.0.0.1 -p "$sport" -bind_local -nostdin \
      -r "$r" -rp 1000 -m $((r * STEP_SECS)) -l 15000 -buff_size 4194304 -timeout $((STEP_SECS + 20))s -timeout_error \
      -trace_stat -stf "$WORK/$name-$r.csv" -fd 1 > "$WORK/$name-$r.out" 2>&1
    local rc=$? S="$WORK/$name-$r.csv"
    local ok fail retr start now
    ok=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") k=i} END{print $k+0}' "$S")
    fail=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") k=i} END{print $k+0}' "$S")
    retr=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="Retransmissions(C)") k=i} END{print $k+0}' "$S")
    local el
    el=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="StartTime")a=i; if($i=="CurrentTime")b=i}} END{split($a,x,"\t"); split($b,y,"\t"); printf "%.2f", y[3]-x[3]}' "$S")
    local achieved
    achieved=$(awk -v ok="$ok" -v e="$el" 'BEGIN{ if (e<=0) e=1; printf "%d", ok/e }')
    echo "  $name target $r/s: achieved $achieved/s ok=$ok failed=$fail retrans=$retr sipp_rc=$rc" >&2
    # Clean: no failure, and retransmissions (answers later than 500 ms) under 0.5% of registrations.
    if [ "$rc" != 0 ] || [ "$fail" != 0 ] || [ $((retr * 200)) -gt "$ok" ]; then break; fi
    [ "$achieved" -gt "$best" ] && best=$achieved
  done
  echo "$best"
}

kam=0
if [ "${SKIP_KAMAILIO:-0}" != 1 ] && command -v kamailio >/dev/null; then
  KPORT=$(free_port)
  sed -e "s#@WORK@#$WORK#g" -e "s#127.0.0.1:5070#127.0.0.1:$KPORT#g" bench/kamailio/kamailio.cfg > "$WORK/kamailio.cfg"
  mkdir -p "$WORK/run"
  D=$WORK bash bench/kamailio/setup_db.sh > /dev/null
  kamailio -f "$WORK/kamailio.cfg" -P "$WORK/kamailio.pid" -Y "$WORK/run" -m 1024 -M 32 > "$WORK/kamailio.out" 2> "$WORK/kamailio.log" || { cat "$WORK/kamailio.log"; exit 1; }
  for _ in $(seq 50); do ss -lun | grep -q "127.0.0.1:$KPORT " && break; sleep 0.1; done
  echo "Kamailio $(kamailio -v | awk 'NR==1{print $2,$3}') on 127.0.0.1:$KPORT" >&2
  kam=$(ladder kamailio "$KPORT")
  kill "$(cat "$WORK/kamailio.pid")"; rm -f "$WORK/kamailio.pid"; sleep 1
  echo "BENCH register.kamailio reg_per_s=$kam"
fi

PPORT=$(free_port)
node --import tsx bench/setup-users.ts "$WORK/parley" > /dev/null || exit 1
node bin/parley.js start --bind 127.0.0.1 --sip-port "$PPORT" --sip-tls-port 0 --http-port 0 --data-dir "$WORK/parley" \
  --log-level warn --log-format json > "$WORK/parley.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do ss -lun | grep -q "127.0.0.1:$PPORT " && break; sleep 0.1; done
sleep 0.5
echo "Parley on 127.0.0.1:$PPORT" >&2
par=$(ladder parley "$PPORT")
echo "BENCH register.parley reg_per_s=$par"
if [ "$kam" -gt 0 ]; then
  awk -v p="$par" -v k="$kam" 'BEGIN{printf "BENCH register.ratio parley_over_kamailio=%.3f (goal 1.0, floor 0.25)\n", p/k}'
fi
echo "work dir: $WORK" >&2
