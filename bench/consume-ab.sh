#!/bin/bash
# Catch-up consume A/B: `orka perf consume` (native, then Kafka protocol) of 1,000,000 x 1 KiB records
# produced first into a fresh 3-partition topic, one standalone Release silo per run, builds alternating.
# usage: RUNS=3 bench/consume-ab.sh <silo-bin-A> <cli-bin-A> <silo-bin-B> <cli-bin-B>
set -e
RUNS=${RUNS:-3}; N=1000000
source "$(dirname "$0")/standalone-silo.sh"
run() {
  local W
  W=$(mktemp -d "${TMPDIR:-/tmp}/orka-consume-ab.XXXX")
  start_silo $2 $W
  for i in $(seq 1 10); do dotnet $3/orka.dll -g 127.0.0.1:$GP topics create t --partitions 3 >/dev/null 2>&1 && break; sleep 2; done
  dotnet $3/orka.dll -g 127.0.0.1:$GP perf produce --topic t --num-records $N --record-size 1024 --acks 1 --reporting-interval 600000 > /dev/null
  echo "$1 native: $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf consume --topic t --messages $N | tail -1)"
  echo "$1 kafka: $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf consume --topic t --messages $N --protocol kafka --bootstrap-servers 127.0.0.1:$KP | tail -1)"
  kill $SPID; wait $SPID 2>/dev/null || true; rm -rf $W
}
for r in $(seq 1 $RUNS); do run A $1 $2; run B $3 $4; done
