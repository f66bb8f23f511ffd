global using Orleans;
global using Orka.Grains;
