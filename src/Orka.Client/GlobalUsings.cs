global using Orka.Grains;
global using Orleans;
