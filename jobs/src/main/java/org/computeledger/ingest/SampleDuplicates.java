package org.computeledger.ingest;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;
import scala.Tuple2;

/**
 * The same GPU sample (host, GPU UUID, MIG instance, timestamp) seen in two files — a backup copy of a
 * scrape, overlapping daily exports, a .gz beside its plain file — counts once. Telemetry is already
 * clustered by series and sorted by time for writing ({@link Ingest#sortedBySeries}); sorted also by
 * source file and line, the copies of a sample are adjacent, so one streaming pass over each partition
 * merges them without another shuffle or sort. The kept row is the first by source file and line; each
 * measure is the max over the copies (a copy that lacks a metric cannot erase it, and equal copies
 * stay equal); labels are the first non-null.
 *
 * <p>The same pass completes the samples of one-metric-per-line formats ({@link MergingSink}) whose lines
 * left the parse task in several rows: rows of one file with the same key and MIG profile are one
 * sample, whose lines all count as read rows, not as dropped copies.
 *
 * <p>The records dropped per file are counted in the write's own (result) stage: Spark applies the
 * accumulator updates of a result task once, whatever retries happen, so the counts are exact.
 */
final class SampleDuplicates {
  /** Input records (lines) behind a sample row: more than one where a format has one metric per line. */
  static final String RECORDS = "_records";

  private SampleDuplicates() {}

  /**
   * Copies merged; the accumulator receives (file, records dropped) pairs, at most one per file per task.
   * The pass works on Spark's own rows (no conversion to {@code Row} and back, which cost more than the
   * merge): a row that is its sample alone passes as it came, only merged rows are built.
   */
  static Dataset<Row> dropAdjacent(SparkSession spark, Dataset<Row> clusteredWithRecords, List<String> mergingFormats,
      CollectionAccumulator<Tuple2<String, Long>> dropped) {
    StructType out = Table.GPU_SAMPLES.schema();
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    for (String n : out.fieldNames()) {
      cols.add(col(n));
    }
    cols.add(col(RECORDS).cast("long"));
    // a select keeps the partitioning and the order within partitions
    Dataset<Row> ordered = clusteredWithRecords.select(cols.toArray(new org.apache.spark.sql.Column[0]));
    // the written schema is the table's, as declared (with the records column, dropped again below)
    StructType withRecords = out.add(RECORDS, org.apache.spark.sql.types.DataTypes.LongType, true);
    JavaRDD<InternalRow> merged = ordered.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(new Merge(withRecords, mergingFormats, dropped));
    org.apache.spark.sql.Column[] kept = Arrays.stream(out.fieldNames()).map(n -> col(n))
        .toArray(org.apache.spark.sql.Column[]::new);
    return spark.internalCreateDataFrame(merged.rdd(), withRecords, false).select(kept);
  }

  /** Streams a sorted partition, merging each run of rows with the same sample key. */
  static final class Merge implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private static final int TS = Table.GPU_SAMPLES.index(GpuSamples.TS);
    private static final int[] KEY_STRINGS = idx(GpuSamples.HOST, GpuSamples.GPU_UUID, GpuSamples.MIG_INSTANCE);
    private static final int[] MEASURES = idx(GpuSamples.MEASURES);
    private static final int[] LABELS = idx(GpuSamples.GPU_INDEX, GpuSamples.GPU_MODEL, GpuSamples.MIG_PROFILE,
        GpuSamples.HPC_JOB, GpuSamples.POD, GpuSamples.NAMESPACE, GpuSamples.SOURCE_FORMAT);
    private static final int FILE = Table.GPU_SAMPLES.index(GpuSamples.SOURCE_FILE);
    private static final int FORMAT = Table.GPU_SAMPLES.index(GpuSamples.SOURCE_FORMAT);
    private static final int MIG_PROFILE = Table.GPU_SAMPLES.index(GpuSamples.MIG_PROFILE);
    /** The input's columns: the table's, then the records behind each row. */
    private final DataType[] types;
    private final int width;
    private final java.util.Set<String> merging;
    private final CollectionAccumulator<Tuple2<String, Long>> dropped;

    Merge(StructType withRecords, List<String> mergingFormats, CollectionAccumulator<Tuple2<String, Long>> dropped) {
      this.types = Arrays.stream(withRecords.fields()).map(f -> f.dataType()).toArray(DataType[]::new);
      this.width = types.length - 1;
      this.merging = new java.util.HashSet<>(mergingFormats);
      this.dropped = dropped;
    }

    private static int[] idx(String... names) {
      return Arrays.stream(names).mapToInt(Table.GPU_SAMPLES::index).toArray();
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      Map<String, Long> counts = new HashMap<>();
      return new Iterator<>() {
        // the sorted input reuses one row object: a row kept past the next read is copied
        private InternalRow next = rows.hasNext() ? rows.next().copy() : null;
        private boolean flushed;

        @Override
        public boolean hasNext() {
          if (next == null && !flushed) {
            flushed = true;
            counts.forEach((f, n) -> dropped.add(new Tuple2<>(f, n)));
          }
          return next != null;
        }

        @Override
        public InternalRow next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          InternalRow first = next;
          next = rows.hasNext() ? rows.next().copy() : null;
          if (next == null || !sameSample(first, next)) {
            return first;
          }
          Object[] merged = new Object[width + 1];
          for (int i = 0; i <= width; i++) {
            merged[i] = first.isNullAt(i) ? null : first.get(i, types[i]);
          }
          while (next != null && sameSample(first, next)) {
            for (int i : MEASURES) {
              if (!next.isNullAt(i) && (merged[i] == null || next.getDouble(i) > (Double) merged[i])) {
                merged[i] = next.getDouble(i);
              }
            }
            for (int i : LABELS) {
              if (merged[i] == null && !next.isNullAt(i)) {
                merged[i] = next.get(i, types[i]);
              }
            }
            if (!samePart(first, next)) {
              counts.merge(next.getUTF8String(FILE).toString(), next.getLong(width), Long::sum);
            }
            next = rows.hasNext() ? rows.next().copy() : null;
          }
          return new GenericInternalRow(merged);
        }
      };
    }

    /** Whether {@code b} is more lines of {@code a}'s sample, from the same file of a one-metric-per-line format. */
    private boolean samePart(InternalRow a, InternalRow b) {
      return !a.isNullAt(FORMAT) && merging.contains(a.getUTF8String(FORMAT).toString()) && sameString(a, b, FILE)
          && sameString(a, b, MIG_PROFILE);
    }

    private static boolean sameSample(InternalRow a, InternalRow b) {
      if (a.isNullAt(TS) != b.isNullAt(TS) || (!a.isNullAt(TS) && a.getLong(TS) != b.getLong(TS))) {
        return false;
      }
      for (int i : KEY_STRINGS) {
        if (!sameString(a, b, i)) {
          return false;
        }
      }
      return true;
    }

    private static boolean sameString(InternalRow a, InternalRow b, int i) {
      boolean na = a.isNullAt(i);
      if (na || b.isNullAt(i)) {
        return na && b.isNullAt(i);
      }
      return a.getUTF8String(i).equals(b.getUTF8String(i));
    }
  }

  /** Sums the accumulator's pairs per file. */
  static Map<String, Long> perFile(CollectionAccumulator<Tuple2<String, Long>> dropped) {
    Map<String, Long> out = new HashMap<>();
    List<Tuple2<String, Long>> pairs = new ArrayList<>(dropped.value());
    for (Tuple2<String, Long> p : pairs) {
      out.merge(p._1(), p._2(), Long::sum);
    }
    return out;
  }
}
