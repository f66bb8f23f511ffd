global using Orka.Grains;
global using ErrorCode = Confluent.Kafka.ErrorCode;
