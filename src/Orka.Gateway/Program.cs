using Orka.Gateway;

// The gateway: Orka's REST API and web console; an Orleans client of the cluster.
await GatewayHost.Build(args).RunAsync();
