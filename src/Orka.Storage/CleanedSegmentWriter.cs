using Microsoft.Win32.SafeHandles;

namespace Orka.Storage;

/// <summary>
/// Writes the output of the log cleaner for one group of segments: a new segment with the group's
/// first base offset, under the <c>.cleaned</c> suffix (<c>{base}.log.cleaned</c>,
/// <c>{base}.index.cleaned</c>, <c>{base}.timeindex.cleaned</c>), with index entries made at the
/// points an append would make them. <see cref="Complete"/> fsyncs the three files; nothing
/// becomes part of the log before <see cref="SegmentSwap"/> renames them. Not thread-safe.
/// </summary>
internal sealed class CleanedSegmentWriter : IDisposable
{
    private readonly string _directory;
    private readonly int _indexIntervalBytes;
    private readonly SafeFileHandle _log;
    private readonly OffsetIndex _index;
    private readonly TimeIndex _timeIndex;
    private long _size;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp = -1;
    private long _bytesSinceLastIndexEntry;
    private bool _disposed;

    public CleanedSegmentWriter(string directory, long baseOffset, int indexIntervalBytes)
    {
        _directory = directory;
        BaseOffset = baseOffset;
        _indexIntervalBytes = indexIntervalBytes;
        _log = File.OpenHandle(PathOf(LogFileNames.SegmentFile(baseOffset)), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _index = OffsetIndex.Create(PathOf(LogFileNames.IndexFile(baseOffset)));
        _timeIndex = TimeIndex.Create(PathOf(LogFileNames.TimeIndexFile(baseOffset)));
    }

    public long BaseOffset { get; }

    public long Size => _size;

    /// <summary>Appends one whole, valid batch whose offsets follow those already written.</summary>
    public void Append(ReadOnlySpan<byte> batch, RecordBatchHeader header)
    {
        if (_size + batch.Length > int.MaxValue)
        {
            throw new InvalidOperationException("A cleaned segment cannot pass 2 GiB; the cleaner groups segments below that.");
        }

        RandomAccess.Write(_log, batch, _size);
        if (header.MaxTimestamp > _maxTimestamp)
        {
            _maxTimestamp = header.MaxTimestamp;
            _offsetOfMaxTimestamp = header.BaseOffset;
        }

        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            _index.Append(checked((int)(header.BaseOffset - BaseOffset)), (int)_size);
            if (_maxTimestamp >= 0)
            {
                _timeIndex.MaybeAppend(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
            }

            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += batch.Length;
        _size += batch.Length;
    }

    /// <summary>Writes the closing time index entry (the segment's largest timestamp) and fsyncs all three files.</summary>
    public void Complete()
    {
        if (_maxTimestamp >= 0)
        {
            _timeIndex.MaybeAppend(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
        }

        RandomAccess.FlushToDisk(_log);
        _index.Flush();
        _timeIndex.Flush();
        Dispose();
    }

    /// <summary>Closes and deletes the files: the cleaning of this group is abandoned.</summary>
    public void Abandon()
    {
        Dispose();
        SegmentSwap.DeleteCleaned(_directory, BaseOffset);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _log.Dispose();
        _index.Dispose();
        _timeIndex.Dispose();
    }

    private string PathOf(string segmentFile) => Path.Combine(_directory, segmentFile + LogFileNames.CleanedSuffix);
}
