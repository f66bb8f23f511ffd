global using Orka.Grains;
