package org.computeledger.ingest;

import java.util.LinkedHashMap;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * Between a one-metric-per-line parser (Prometheus) and the parse task's envelope: the lines of one
 * GPU sample are merged into one row as they are read, as {@link SampleDuplicates} merges rows of one
 * sample (each measure the max, labels the first non-null, the first line the source line), so ten lines of
 * a dcgm-exporter scrape travel as one row instead of ten. The open samples are bounded: when a file's
 * layout defeats merging here (promtool's dump, one series after another), rows leave partly merged
 * and {@link SampleDuplicates} completes them after the clustering sort. The manifest's counts are those of the lines.
 */
final class MergingSink implements RowSink {
  /** Open samples held at most: a scrape of 1,000 GPUs with up to 16 series each. */
  private static final int OPEN = 16_384;
  private static final Table T = Table.GPU_SAMPLES;
  private static final int TS = T.index(GpuSamples.TS);
  private static final int HOST = T.index(GpuSamples.HOST);
  private static final int UUID = T.index(GpuSamples.GPU_UUID);
  private static final int MIG_PROFILE = T.index(GpuSamples.MIG_PROFILE);
  private static final int MIG_INSTANCE = T.index(GpuSamples.MIG_INSTANCE);
  private static final int[] MEASURES = java.util.Arrays.stream(GpuSamples.MEASURES).mapToInt(T::index).toArray();
  private static final int[] LABELS = java.util.Arrays.stream(new String[] {GpuSamples.GPU_INDEX,
      GpuSamples.GPU_MODEL, GpuSamples.HPC_JOB, GpuSamples.POD, GpuSamples.NAMESPACE}).mapToInt(T::index).toArray();

  private final FileParseTask.EnvelopeSink out;
  private final LinkedHashMap<Key, Open> open = new LinkedHashMap<>(OPEN * 2);

  MergingSink(FileParseTask.EnvelopeSink out) {
    this.out = out;
  }

  /** A sample's key within one file (the file, host, GPU, MIG profile and instance, time). */
  private record Key(Object host, Object uuid, Object migProfile, Object migInstance, Object ts) {
    static Key of(Object[] row) {
      return new Key(row[HOST], row[UUID], row[MIG_PROFILE], row[MIG_INSTANCE], row[TS]);
    }
  }

  private static final class Open {
    final Object[] row;
    final long firstLine;
    long lastLine;
    long records = 1;

    Open(Object[] row, long line) {
      this.row = row;
      this.firstLine = line;
      this.lastLine = line;
    }
  }

  @Override
  public Object[] newRow() {
    return out.newRow();
  }

  @Override
  public void emit(long line, Object[] row) {
    Key key = Key.of(row);
    Open o = open.get(key);
    if (o == null) {
      if (open.size() >= OPEN) {
        flush();
      }
      open.put(key, new Open(row, line));
      return;
    }
    Object[] into = o.row;
    for (int i : MEASURES) {
      Object v = row[i];
      if (v != null && (into[i] == null || (Double) v > (Double) into[i])) {
        into[i] = v;
      }
    }
    for (int i : LABELS) {
      if (into[i] == null) {
        into[i] = row[i];
      }
    }
    o.records++;
    o.lastLine = Math.max(o.lastLine, line);
  }

  @Override
  public void recordAccepted() {
    out.recordAccepted();
  }

  @Override
  public void quarantine(long line, String reason, String raw) {
    out.quarantine(line, reason, raw);
  }

  @Override
  public void ignore(long line) {
    out.ignore(line);
  }

  @Override
  public void staleMarker(long line) {
    out.staleMarker(line);
  }

  /** Hands every open sample on; called when full and once at the end of the file. */
  void flush() {
    for (Open o : open.values()) {
      out.emitMerged(o.firstLine, o.lastLine, o.row, o.records);
    }
    open.clear();
  }
}
