#!/bin/bash
# Resident memory and open files of one Release silo, idle and holding N partitions with one record
# each (docs/performance.md, "Partitions per node").
# usage: bench/partitions-resources.sh <silo-bin-dir> <cli-bin-dir> [partitions, default 10000]
#   e.g. bench/partitions-resources.sh src/Orka.Silo/bin/Release/net10.0 src/Orka.Cli/bin/Release/net10.0
# Needs KafkaJS: npm install --prefix tests/Orka.Kafka.Tests/js --no-audit --no-fund.
# SILO_ARGS: extra silo options (e.g. --Orka:MaxOpenSegmentFiles=1024). Raises ulimit -n to NOFILE (default 65536) if it can.
set -e
SILO=$1/Orka.Silo.dll; CLI=$2/orka.dll; N=${3:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ulimit -n ${NOFILE:-65536} 2>/dev/null || true
W=$(mktemp -d "${TMPDIR:-/tmp}/orka-partitions.XXXX")
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SP=$(port); GP=$(port); KP=$(port)
dotnet $SILO --Orka:NodeId=0 --Orka:DataDirectory=$W/n0 --Orka:MetadataDirectory=$W/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning $SILO_ARGS > $W/silo.log 2>&1 &
SPID=$!
trap "kill $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf $W" EXIT
for i in $(seq 1 240); do (echo > /dev/tcp/127.0.0.1/$GP) 2>/dev/null && break; sleep 0.5; done
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$SPID/status; }
fds() { ls /proc/$SPID/fd | wc -l; }
segs() { ls -l /proc/$SPID/fd 2>/dev/null | grep -c '\.log$' || true; }
echo "ulimit -n $(ulimit -n); silo pid $SPID"
sleep 5 # let start-up settle before the idle figure
echo "idle: rss $(rss), open files $(fds)"
dotnet $CLI -g 127.0.0.1:$GP topics create many --partitions $N > /dev/null
start=$(date +%s)
NODE_PATH=$ROOT/tests/Orka.Kafka.Tests/js/node_modules node $ROOT/bench/partitions-fill.js 127.0.0.1:$KP many $N
echo "filled in $(( $(date +%s) - start )) s"
echo "$N partitions, one record each: rss $(rss), open files $(fds) (segment .log files $(segs))"
dotnet $CLI -g 127.0.0.1:$GP topics describe many | awk 'NR>1 && $0 ~ /[0-9]/ {n++} END {print "described partitions:", n}' || true
kill -0 $SPID && echo "silo still running" || { echo "silo died"; tail -n 20 $W/silo.log; exit 1; }
grep -iE "warn|fail|error" $W/silo.log | head -5 || true
