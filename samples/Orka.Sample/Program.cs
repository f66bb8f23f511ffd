using Orka.Client;
using Orka.Sample;

// Run against a local cluster (`dotnet run --project AppHost`):
//   dotnet run --project samples/Orka.Sample [-- host:port[,host:port…]]
var gateways = args.Length > 0 ? args[0] : OrkaEndpoints.DefaultGateways;
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
var orders = await OrderSample.RunAsync($"sample-orders-{DateTime.UtcNow:yyyyMMddHHmmss}", o => o.Gateways = gateways.Split(','), timeout.Token);
Console.WriteLine($"read back {orders.Count} orders");
