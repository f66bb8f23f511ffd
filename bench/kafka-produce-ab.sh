#!/bin/bash
# `orka perf produce --protocol kafka` against one standalone Release silo, alternating two builds
# (A/B: e.g. main and a branch), RUNS times each (default 3), a new 3-partition topic per run.
# usage: bench/kafka-produce-ab.sh <silo-bin-A> <cli-bin-A> <silo-bin-B> <cli-bin-B> [records] [size]
# Each run starts its own silo (fresh data directory), so the builds never share a process.
set -e
RUNS=${RUNS:-3}; N=${5:-1000000}; SIZE=${6:-1024}
source "$(dirname "$0")/standalone-silo.sh"
run() { # label silo-dir cli-dir
  local W
  W=$(mktemp -d "${TMPDIR:-/tmp}/orka-produce-ab.XXXX")
  start_silo $2 $W
  # The Kafka port opens when the silo is active; its client gateway may take a moment longer.
  for i in $(seq 1 10); do dotnet $3/orka.dll -g 127.0.0.1:$GP topics create t --partitions 3 >/dev/null 2>&1 && break; sleep 2; done
  echo "$1 $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf produce --topic t --num-records $N --record-size $SIZE --acks 1 --protocol kafka --bootstrap-servers 127.0.0.1:$KP --reporting-interval 600000 | tail -1)"
  kill $SPID; wait $SPID 2>/dev/null || true; rm -rf $W
}
for r in $(seq 1 $RUNS); do run A $1 $2; run B $3 $4; done
