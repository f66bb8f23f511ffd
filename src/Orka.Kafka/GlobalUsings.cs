global using Orka.Grains;
global using Orka.Records;
global using Orleans;
