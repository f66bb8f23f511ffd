global using Orka.Records;
