#!/usr/bin/env bash
# Tenants (issue 21, virtual PBXs): what many tenants in one Parley cost.
# 1. Authenticated registrations per second on the shared UDP port with TENANTS tenants of
#    USERS_EACH users (case "many": t000..t099, domains t000.bench.., made by POST /api/v1/tenants
#    with preset users 1000..) against one tenant of TENANTS*USERS_EACH users (case "one": the
#    default tenant, POST /api/v1/users); every password is <name>-secret. Each case has its own
#    fresh Parley (built dist/, fresh data dir); both are provisioned first and stay up, idle while
#    the other is driven, so their passes can alternate: on a shared machine another program's
#    burst then hits both cases, not one. sipp
#    (bench/tenants/reg.xml: REGISTER -> 401 -> REGISTER with digest -> 200, the tenant's domain in
#    Request-URI, From and To; the CSV interleaves the tenants) makes REG_COUNT registrations a
#    pass from one local port per case: pass "first" binds every phone, then ROUNDS "refresh"
#    passes (the same contacts again) alternate between the cases. sipp offers up to REG_RATE/s but
#    keeps at most REG_LIMIT registrations in flight, so the rate is what Parley carries (sipp
#    shares the cores). Overload shedding is off (--overload-busy 0 --overload-lag 0): a saturated
#    event loop would answer 503 and measure the gate, not the work. A pass's rate is its
#    successful registrations over sipp's elapsed time; beside it Parley's CPU per registration
#    (utime+stime over the pass, all threads), steadier on a shared machine. The figures compared
#    are the medians of the refresh passes (and the first pass's, printed too). Goal: within 10%.
# 2. Memory per idle tenant: a fresh Parley (--inspect on loopback; bench/heap-probe.mjs forces a
#    full GC first) with no tenant, then MEM_FIRST and MEM_TENANTS idle tenants (no own ports,
#    MEM_USERS users each) after SETTLE_SECS: VmRSS, heap used (the inspector's
#    process.memoryUsage() after the GC, and /metrics' parley_nodejs_heap_size_used_bytes),
#    external memory (ArrayBuffers) and threads, per tenant.
# Prints BENCH tenants.* lines; the passes and memory points go to stderr.
# Env: TENANTS=100 USERS_EACH=100 REG_COUNT=10000 REG_RATE=20000 REG_LIMIT=200 ROUNDS=5
#      MEM_TENANTS=100 MEM_FIRST=10 MEM_USERS=5 SETTLE_SECS=10 SKIP_REG=1 SKIP_MEM=1
#      PARLEY_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" (node flags of every Parley it starts)
set -u
cd "$(dirname "$0")/.."
TENANTS=${TENANTS:-100}
USERS_EACH=${USERS_EACH:-100}
REG_COUNT=${REG_COUNT:-10000}
REG_RATE=${REG_RATE:-20000}
REG_LIMIT=${REG_LIMIT:-200}
ROUNDS=${ROUNDS:-5}
MEM_TENANTS=${MEM_TENANTS:-100}
MEM_FIRST=${MEM_FIRST:-10}
MEM_USERS=${MEM_USERS:-5}
SETTLE_SECS=${SETTLE_SECS:-10}
TOKEN=bench-token-0123456789abcdef
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-tenants-XXXXXX")
HZ=$(getconf CLK_TCK)
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
declare -A PID SPORT HPORT LPORT
STARTED=()
cleanup() { for p in "${STARTED[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# start_parley NAME [node flags]: a fresh Parley on 127.0.0.1 in $WORK/NAME, ready for the API.
start_parley() {
  local name=$1 dir=$WORK/$1
  shift
  mkdir -p "$dir"
  SPORT[$name]=$(free_port) HPORT[$name]=$(free_port)
  # shellcheck disable=SC2086 # PARLEY_NODE_FLAGS is a list of flags
  node ${PARLEY_NODE_FLAGS:-} "$@" bin/parley.js start --bind 127.0.0.1 --sip-port "${SPORT[$name]}" \
    --sip-tcp-port 0 --sip-tls-port 0 --stun-port 0 --http-port "${HPORT[$name]}" --http-bind 127.0.0.1 \
    --data-dir "$dir" --api-token "$TOKEN" --admin-password bench-admin-password \
    --overload-busy 0 --overload-lag 0 --log-level warn --log-format json > "$dir.log" 2>&1 &
  PID[$name]=$!
  STARTED+=("$!")
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:${HPORT[$name]}/ready" > /dev/null &&
      ss -lun | grep -q "127.0.0.1:${SPORT[$name]} " && return 0
    sleep 0.1
  done
  echo "BENCH tenants Parley did not start: $(tail -n 3 "$dir.log")"
  return 1
}
stop_parley() {
  local p=${PID[$1]} kept=() q
  kill "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  for q in "${STARTED[@]}"; do [ "$q" = "$p" ] || kept+=("$q"); done
  STARTED=("${kept[@]}")
}

# reg_pass NAME LABEL: REG_COUNT registrations against NAME's Parley from its sipp port; prints
# "rate ok failed retrans cpu_us_per_reg sipp_rc".
reg_pass() {
  local name=$1 c0 c1 rc S=$WORK/$1-$2.stat.csv
  c0=$(cpu "${PID[$name]}")
  sipp "127.0.0.1:${SPORT[$name]}" -sf bench/tenants/reg.xml -inf "$WORK/$name.csv" -i 127.0.0.1 \
    -p "${LPORT[$name]}" -bind_local -nostdin -r "$REG_RATE" -rp 1000 -m "$REG_COUNT" -l "$REG_LIMIT" \
    -buff_size 4194304 -timeout 120s -timeout_error -trace_stat -stf "$S" -fd 1 \
    -trace_err -error_file "$WORK/$name-$2.err.log" > "$WORK/$name-$2.sipp.out" 2>&1
  rc=$?
  c1=$(cpu "${PID[$name]}")
  awk -F';' -v cpu=$((c1 - c0)) -v hz="$HZ" -v rc="$rc" 'NR==1{for(i=1;i<=NF;i++){h[$i]=i}} END{
    split($h["StartTime"],a,"\t"); split($h["CurrentTime"],b,"\t"); ok=$h["SuccessfulCall(C)"]; el=b[3]-a[3];
    printf "%d %d %d %d %d %d\n", (el > 0 ? ok / el : 0), ok, $h["FailedCall(C)"], $h["Retransmissions(C)"], (ok ? cpu / hz * 1e6 / ok : 0), rc }' "$S"
}

# pass NAME LABEL: one pass, its line on stderr, "NAME LABEL rate cpu_us clean" appended to passes.txt.
pass() {
  local rate ok failed retrans us rc clean=1
  read -r rate ok failed retrans us rc < <(reg_pass "$1" "$2")
  [ "${rc:-1}" = 0 ] && [ "${failed:-1}" = 0 ] || clean=0
  echo "  $1 $2: ${rate:-0}/s ok=${ok:-0} failed=${failed:-?} retrans=${retrans:-?} cpu_us_per_reg=${us:-0} sipp_rc=${rc:-?}" >&2
  echo "$1 $2 ${rate:-0} ${us:-0} $clean" >> "$WORK/passes.txt"
}

# median NAME first|refresh FIELD(3 rate, 4 cpu)
median() {
  awk -v n="$1" -v l="$2" -v f="$3" '$1==n && ($2==l || (l=="refresh" && $2 ~ /^refresh/)) {print $f}' "$WORK/passes.txt" |
    sort -n | awk '{v[NR]=$1} END{if (NR) printf "%d", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

status=0
if [ "${SKIP_REG:-0}" != 1 ]; then
  : > "$WORK/passes.txt"
  for name in many one; do
    start_parley "$name" || exit 1
    if [ "$name" = many ]; then
      made=$(node --import tsx bench/tenants/provision.ts tenants "${HPORT[$name]}" "$TOKEN" "$TENANTS" "$USERS_EACH" "$WORK/$name.csv")
    else
      made=$(node --import tsx bench/tenants/provision.ts users "${HPORT[$name]}" "$TOKEN" $((TENANTS * USERS_EACH)) one.bench "$WORK/$name.csv")
    fi || { echo "BENCH tenants.register $name: provisioning failed (see $WORK/$name.log)"; exit 1; }
    LPORT[$name]=$(free_port)
    echo "  $name: provisioned $made; VmRSS $(rss_kib "${PID[$name]}") KiB, $(awk '/^Threads:/{print $2}' "/proc/${PID[$name]}/status") threads" >&2
  done
  sleep 2
  pass many first
  pass one first
  for round in $(seq "$ROUNDS"); do
    # Alternate which case goes first, so a drift of the machine's load favours neither.
    if [ $((round % 2)) = 1 ]; then order="one many"; else order="many one"; fi
    for name in $order; do pass "$name" "refresh$round"; done
  done
  for name in many one; do
    echo "  $name after: VmRSS $(rss_kib "${PID[$name]}") KiB" >&2
    stop_parley "$name"
  done
  dirty=$(awk '$5==0' "$WORK/passes.txt" | wc -l)
  m_first=$(median many first 3) o_first=$(median one first 3)
  m=$(median many refresh 3) o=$(median one refresh 3) mc=$(median many refresh 4) oc=$(median one refresh 4)
  if [ "${m:-0}" -gt 0 ] && [ "${o:-0}" -gt 0 ]; then
    awk -v m="$m" -v o="$o" -v mc="$mc" -v oc="$oc" -v mf="$m_first" -v of="$o_first" -v t="$TENANTS" -v u="$USERS_EACH" \
      -v n="$ROUNDS" -v d="$dirty" 'BEGIN{
      printf "BENCH tenants.register many_reg_per_s=%d one_reg_per_s=%d ratio=%.3f cpu_us_per_reg many=%d one=%d cpu_ratio=%.3f first_pass many=%d one=%d ratio=%.3f (%d tenants x %d users against one tenant of %d; medians of %d refresh passes each; %d pass(es) with failures; goal: within 10%%)\n",
        m, o, m / o, mc, oc, oc / mc, mf, of, (of ? mf / of : 0), t, u, t * u, n, d }'
    [ "$dirty" = 0 ] || status=1
  else
    echo "BENCH tenants.register failed (see $WORK)"
    status=1
  fi
fi

if [ "${SKIP_MEM:-0}" != 1 ]; then
  IPORT=$(free_port)
  start_parley mem --inspect="127.0.0.1:$IPORT" || exit 1
  P=${PID[mem]} H=${HPORT[mem]}
  # mem_point: full GC, then "rss_kib heap_bytes external_bytes metrics_heap_bytes threads".
  mem_point() {
    local usage heap external metrics
    usage=$(node --experimental-websocket --no-warnings bench/heap-probe.mjs "$IPORT")
    heap=$(sed -n 's/.*"heapUsed":\([0-9]*\).*/\1/p' <<<"$usage")
    external=$(sed -n 's/.*"external":\([0-9]*\).*/\1/p' <<<"$usage")
    metrics=$(curl -s "http://127.0.0.1:$H/metrics" -H "authorization: Bearer $TOKEN" |
      awk '$1=="parley_nodejs_heap_size_used_bytes"{printf "%d", $2}')
    echo "$(rss_kib "$P") ${heap:-0} ${external:-0} ${metrics:-0} $(awk '/^Threads:/{print $2}' "/proc/$P/status")"
  }
  # Warm the API's provider paths up (GET /tenants), then measure the empty baseline.
  curl -s -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$H/api/v1/tenants" > /dev/null
  sleep "$SETTLE_SECS"
  read -r r0 h0 e0 m0 t0 < <(mem_point)
  node --import tsx bench/tenants/provision.ts tenants "$H" "$TOKEN" "$MEM_FIRST" "$MEM_USERS" "$WORK/mem-first.csv" > "$WORK/mem-first.json" || exit 1
  sleep "$SETTLE_SECS"
  read -r r1 h1 e1 m1 t1 < <(mem_point)
  # The rest: t<MEM_FIRST> up to MEM_TENANTS in all.
  PROVISION_FROM=$MEM_FIRST node --import tsx bench/tenants/provision.ts tenants "$H" "$TOKEN" "$MEM_TENANTS" "$MEM_USERS" "$WORK/mem-all.csv" > "$WORK/mem-all.json" || exit 1
  sleep "$SETTLE_SECS"
  read -r r2 h2 e2 m2 t2 < <(mem_point)
  for p in "0 $r0 $h0 $e0 $m0 $t0" "$MEM_FIRST $r1 $h1 $e1 $m1 $t1" "$MEM_TENANTS $r2 $h2 $e2 $m2 $t2"; do
    read -r n r h e m t <<<"$p"
    echo "  memory: $n tenants: VmRSS $r KiB, heapUsed $h B (metrics' gauge $m B), external $e B, $t threads" >&2
  done
  echo "  creation: $(cat "$WORK/mem-first.json") $(cat "$WORK/mem-all.json")" >&2
  awk -v r0="$r0" -v r1="$r1" -v r2="$r2" -v h0="$h0" -v h1="$h1" -v h2="$h2" -v e0="$e0" -v e2="$e2" -v t0="$t0" -v t2="$t2" \
    -v f="$MEM_FIRST" -v n="$MEM_TENANTS" -v u="$MEM_USERS" 'BEGIN{
    printf "BENCH tenants.memory_per_idle_tenant rss_mb=%.2f heap_mb=%.2f external_mb=%.2f threads=%.2f (from 0 to %d tenants of %d users, after a full GC); marginal from %d to %d: rss_mb=%.2f heap_mb=%.2f\n",
      (r2 - r0) / 1024 / n, (h2 - h0) / 1048576 / n, (e2 - e0) / 1048576 / n, (t2 - t0) / n, n, u, f, n, (r2 - r1) / 1024 / (n - f), (h2 - h1) / 1048576 / (n - f) }'
  stop_parley mem
fi
echo "work dir: $WORK" >&2
exit $status
