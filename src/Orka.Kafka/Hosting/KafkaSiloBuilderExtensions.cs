using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orka.Kafka.Protocol;

namespace Orka.Kafka.Hosting;

/// <summary>Adds the Kafka wire protocol to an Orka silo.</summary>
public static class KafkaSiloBuilderExtensions
{
    /// <summary>
    /// Registers the Kafka listener (options from <c>Orka:Kafka</c>, then <paramref name="configure"/>)
    /// and every Kafka API. Call after <c>AddOrka()</c>. The listener binds when the silo is active.
    /// </summary>
    public static ISiloBuilder AddOrkaKafka(this ISiloBuilder builder, Action<KafkaListenerOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<KafkaListenerOptions>().BindConfiguration(KafkaListenerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KafkaBrokerDirectory>();
        builder.Services.AddSingleton<TopicMetadataCache>();
        builder.Services.AddSingleton<Apis.KafkaApiContext>();
        builder.Services.AddSingleton<KafkaRequestDispatcher>();
        builder.Services.AddSingleton(sp => new RequestMemoryBudget(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaListenerOptions>>().Value.QueuedMaxRequestBytes));
        builder.Services.AddSingleton<KafkaConnectionHandler>();
        builder.Services.AddSingleton<KafkaListener>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<KafkaListener>());
        foreach (var api in typeof(KafkaApi).Assembly.GetTypes().Where(t => t is { IsAbstract: false, IsClass: true } && t.IsSubclassOf(typeof(KafkaApi))))
        {
            builder.Services.AddSingleton(typeof(KafkaApi), api);
        }

        return builder;
    }
}
