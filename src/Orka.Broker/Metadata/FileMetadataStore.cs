using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Storage;

namespace Orka.Broker.Metadata;

/// <summary>
/// The embedded metadata store: grain state (topic configs, committed offsets) as one small file per
/// grain under a directory every silo of the cluster can see. Never used for record payloads.
/// </summary>
/// <remarks>
/// File layout: an 8-byte little-endian version number, then the state in Orleans' binary
/// serialization. The version is the ETag: a write whose ETag does not match the file's version is
/// refused with <see cref="InconsistentStateException"/>. Every write goes to a temp file that is
/// fsynced and then renamed over the old one, so a crash leaves either the old or the new state.
/// File names are built from the grain type and an escaped key (only [A-Za-z0-9_-] kept as is), so no
/// key can name a path outside the directory. A file system failure (a full disk, a read-only or
/// missing directory) is raised as an <see cref="OrkaException"/> (KAFKA_STORAGE_ERROR, retriable)
/// that names the directory, which <see cref="MetadataErrorFilter"/> hands to the caller as is.
/// </remarks>
internal sealed class FileMetadataStore(string directory, IGrainStorageSerializer serializer) : IGrainStorage
{
    private const int VersionSize = sizeof(long);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("read", () => ReadAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("written", () => WriteAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("written", () => ClearAsync(stateName, grainId, grainState));

    private async Task GuardAsync(string what, Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is IOException { HResult: 28 } ? "no space left on device" : e.Message;
            throw new OrkaException(OrkaErrorCode.KafkaStorageError, $"The metadata store on {directory} cannot be {what}: {reason}.", e);
        }
    }

    private async Task ReadAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var bytes = await File.ReadAllBytesAsync(path);
        if (bytes.Length < VersionSize)
        {
            throw new InconsistentStateException($"Metadata file '{path}' is truncated ({bytes.Length} bytes).");
        }

        var version = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        grainState.State = serializer.Deserialize<T>(new BinaryData(bytes.AsMemory(VersionSize)));
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task WriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var current = await ReadVersionAsync(path);
        CheckETag(path, current, grainState.ETag);

        var next = (current ?? 0) + 1;
        var payload = serializer.Serialize(grainState.State).ToMemory();
        var bytes = new byte[VersionSize + payload.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, next);
        payload.CopyTo(bytes.AsMemory(VersionSize));

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        try
        {
            await using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await stream.WriteAsync(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            File.Delete(temp); // a torn temp file would only hold space a full disk needs
            throw;
        }

        File.Move(temp, path, overwrite: true);
        grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    private async Task ClearAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var current = await ReadVersionAsync(path);
        CheckETag(path, current, grainState.ETag);
        File.Delete(path);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static void CheckETag(string path, long? current, string? etag)
    {
        var expected = current?.ToString(CultureInfo.InvariantCulture);
        if (!string.Equals(expected, etag, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"Metadata file '{path}' is at version {expected ?? "(none)"} but the grain holds {etag ?? "(none)"}.",
                expected ?? string.Empty,
                etag ?? string.Empty);
        }
    }

    private static async Task<long?> ReadVersionAsync(string path)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            var buffer = new byte[VersionSize];
            await stream.ReadExactlyAsync(buffer);
            return BinaryPrimitives.ReadInt64LittleEndian(buffer);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (EndOfStreamException)
        {
            return 0;
        }
    }

    private string PathOf(string stateName, GrainId grainId) =>
        Path.Combine(directory, Escape(grainId.Type.ToString()!), Escape(stateName) + "." + Escape(grainId.Key.ToString()!));

    /// <summary>Keeps [A-Za-z0-9_-]; every other UTF-8 byte becomes <c>~XX</c>. Long names are hashed.</summary>
    internal static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('~').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.Length <= 120
            ? builder.ToString()
            : "~h" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}
