#!/usr/bin/env bash
# `npm run bench`: every benchmark, each printing "BENCH <name> ..." lines with its figures.
# Loads stay on 127.0.0.1, are bounded in count and time, and stop by themselves.
set -u
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json || exit 1
status=0
echo "== SIP message parse/serialize (one core)"
node --import tsx bench/sip-parse.bench.ts || status=1
echo "== OPTIONS transactions over UDP, answered to sipp"
bash bench/options-load.sh "${OPTIONS_RATE:-20000}" "${OPTIONS_SECS:-10}" || status=1
echo "== Authenticated registrations per second, Parley beside Kamailio (bench/kamailio/reg.xml)"
bash bench/registrations.sh || status=1
exit $status
