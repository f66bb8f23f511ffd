#!/bin/bash
# Catch-up consume A/B: `orka perf consume` (native, then Kafka protocol) of 1,000,000 x 1 KiB records
# produced first into a fresh 3-partition topic, one standalone Release silo per run, builds alternating.
# usage: RUNS=3 bench/consume-ab.sh <silo-bin-A> <cli-bin-A> <silo-bin-B> <cli-bin-B>
set -e
RUNS=${RUNS:-3}; N=1000000
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
run() {
  local W SP GP KP SPID
  W=$(mktemp -d "${TMPDIR:-/tmp}/orka-consume-ab.XXXX"); SP=$(port); GP=$(port); KP=$(port)
  dotnet $2/Orka.Silo.dll --Orka:NodeId=0 --Orka:DataDirectory=$W/n0 --Orka:MetadataDirectory=$W/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning > $W/silo.log 2>&1 &
  SPID=$!
  for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$KP) 2>/dev/null && break; sleep 0.5; done
  for i in $(seq 1 10); do dotnet $3/orka.dll -g 127.0.0.1:$GP topics create t --partitions 3 >/dev/null 2>&1 && break; sleep 2; done
  dotnet $3/orka.dll -g 127.0.0.1:$GP perf produce --topic t --num-records $N --record-size 1024 --acks 1 --reporting-interval 600000 > /dev/null
  echo "$1 native: $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf consume --topic t --messages $N | tail -1)"
  echo "$1 kafka: $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf consume --topic t --messages $N --protocol kafka --bootstrap-servers 127.0.0.1:$KP | tail -1)"
  kill $SPID; wait $SPID 2>/dev/null || true; rm -rf $W
}
for r in $(seq 1 $RUNS); do run A $1 $2; run B $3 $4; done
