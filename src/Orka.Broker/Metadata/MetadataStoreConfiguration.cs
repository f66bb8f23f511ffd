using Microsoft.Extensions.Configuration;

namespace Orka.Broker.Metadata;

/// <summary>
/// Reads <see cref="MetadataStoreOptions"/> from configuration: the <c>Orka:MetadataStore</c>
/// section, or, when it is absent, the deprecated <c>Orka:Storage</c> section it replaced. Error
/// messages name the keys the way the operator wrote them (<see cref="Section"/>).
/// </summary>
public sealed record MetadataStoreConfiguration(MetadataStoreOptions Options, string Section, string? DeprecationWarning)
{
    public static MetadataStoreConfiguration Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var current = configuration.GetSection(MetadataStoreOptions.SectionName);
        var deprecated = configuration.GetSection(MetadataStoreOptions.DeprecatedSectionName);
        var options = new MetadataStoreOptions();
        if (current.Exists() || !deprecated.Exists())
        {
            current.Bind(options);
            var ignored = deprecated.Exists()
                ? $"{MetadataStoreOptions.DeprecatedSectionName}:* is deprecated and ignored because {MetadataStoreOptions.SectionName}:* is set; remove it."
                : null;
            return new MetadataStoreConfiguration(options, MetadataStoreOptions.SectionName, ignored);
        }

        deprecated.Bind(options);
        return new MetadataStoreConfiguration(
            options,
            MetadataStoreOptions.DeprecatedSectionName,
            $"{MetadataStoreOptions.DeprecatedSectionName}:* is deprecated: rename it to {MetadataStoreOptions.SectionName}:* (same keys, e.g. {MetadataStoreOptions.SectionName}:Provider). It is read for now.");
    }

    /// <summary>The full name of <paramref name="key"/> in the section in use, e.g. <c>Orka:MetadataStore:Provider</c>.</summary>
    public string Key(string key) => $"{Section}:{key}";
}
