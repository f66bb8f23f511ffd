global using Microsoft.Extensions.DependencyInjection.Extensions;
global using Orka.Grains;
