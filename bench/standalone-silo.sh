# Sourced by the A/B scripts: one standalone silo on free loopback ports.
# start_silo <silo-bin> <work-dir>: starts it with its data under <work-dir>, waits until its Kafka
# port accepts connections, and sets SP (silo), GP (Orleans gateway), KP (Kafka) and SPID.
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
start_silo() {
  SP=$(port); GP=$(port); KP=$(port)
  dotnet $1/Orka.Silo.dll --Orka:NodeId=0 --Orka:DataDirectory=$2/n0 --Orka:MetadataDirectory=$2/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning > $2/silo.log 2>&1 &
  SPID=$!
  for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$KP) 2>/dev/null && break; sleep 0.5; done
}
