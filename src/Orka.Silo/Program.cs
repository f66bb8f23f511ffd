using Orka.Silo;

// An Orka node: an Orleans silo with the broker grains and this node's partition logs.
// Everything is in SiloHost so that tests can start the same node in-process.
return await SiloHost.RunAsync(args);
