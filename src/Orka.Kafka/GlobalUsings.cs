global using Orleans;
global using Orka.Grains;
global using Orka.Records;
