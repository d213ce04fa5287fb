package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.computeledger.schema.GpuSamples;

/**
 * The one pass over telemetry samples: each input split is read in its stored order and every GPU
 * series' samples are summed as they stream by, so no sample is shuffled or sorted. A sample covers
 * the time since the previous sample of its series in the split; samples are summed per (series,
 * hour bucket, time segment, job labels, interval length), where the time segments of a host are cut
 * at every allocation start and end and every counted interval's bounds on it, so that attribution
 * and counting later work on these sums exactly as they would on the samples.
 *
 * <p>What one split cannot know is left to {@link SampleWindows}: the first sample of each series in
 * a split ({@link #KIND_HEAD}: its interval reaches into another split), and each series' extent in
 * the split ({@link #KIND_SEGMENT}, with a flag when its samples were not in time order). The
 * interval length stays a key (not a factor already applied) because the maximum-gap rule needs the
 * series' median cadence, known only after the pass.
 *
 * <p>A split is read as Parquet column batches where it can be ({@link ColumnarSamples}), else as
 * Spark's internal rows; either way the hot loop builds no object per sample, reads only the fields it
 * needs, and copies strings only when a series or a job label changes.
 */
public final class TelemetryScan {
  public static final int KIND_SUMS = 0;
  public static final int KIND_HEAD = 1;
  public static final int KIND_SEGMENT = 2;

  public static final String KIND = "kind";
  public static final String PART = "part";
  public static final String BUCKET = "bucket";
  /** The time segment (microseconds): every sample of the row has lo &lt; ts ≤ hi. */
  public static final String T_LO = "t_lo_us";
  public static final String T_HI = "t_hi_us";
  /** Interval length (microseconds) of every sample of a sums row; null on a head row. */
  public static final String DT_US = "dt_us";
  public static final String MIN_TS = "min_ts_us";
  public static final String MAX_TS = "max_ts_us";
  public static final String N = "n";
  public static final String DISORDER = "disorder";

  /**
   * Per-sample quantities, summed per row before any interval length is applied: counts of covered,
   * pipe-covered and utilization-covered samples, Σ utilization, per pipe Σ activity × clock where
   * the clock is known and Σ activity where it is not; then, over pipe samples, the count that also
   * logged utilization and its Σ (the fallback when a pipe has no peak), and the count whose clock was
   * rejected (above the model's boost clock, or not positive: then summed as if no clock was logged).
   */
  public static final String[] RAW = {
    "n_covered", "n_pipe", "n_util", "sum_util",
    "sum_tensor_clk", "sum_tensor", "sum_fp64_clk", "sum_fp64", "sum_fp32_clk", "sum_fp32", "sum_fp16_clk", "sum_fp16",
    "n_pipe_util", "sum_pipe_util", "n_clock_rejected"
  };

  static final int RAW_COUNT = 15;
  private static final int SLOTS = 8;
  /** Where the raw sums start in an output row, and the row's width (see {@link #schema()}). */
  private static final int FIRST_RAW = schema().fieldIndex(RAW[0]);
  private static final int WIDTH = schema().size();


  private TelemetryScan() {}

  /** The shape of the scan's output: sums, head and segment rows in one table, told apart by {@link #KIND}. */
  public static StructType schema() {
    StructType s = new StructType()
        .add(KIND, DataTypes.IntegerType, false)
        .add(SampleWindows.SERIES_KEY, DataTypes.LongType, false)
        .add(PART, DataTypes.IntegerType, false)
        .add(BUCKET, DataTypes.LongType, true)
        .add(T_LO, DataTypes.LongType, true)
        .add(T_HI, DataTypes.LongType, true)
        .add(GpuSamples.HPC_JOB, DataTypes.StringType, true)
        .add(GpuSamples.POD, DataTypes.StringType, true)
        .add(GpuSamples.NAMESPACE, DataTypes.StringType, true)
        .add(DT_US, DataTypes.LongType, true)
        .add(MIN_TS, DataTypes.LongType, true)
        .add(MAX_TS, DataTypes.LongType, true)
        .add(N, DataTypes.LongType, false);
    for (String r : RAW) {
      s = s.add(r, DataTypes.DoubleType, true);
    }
    return s.add(DISORDER, DataTypes.BooleanType, true)
        .add(GpuSamples.HOST, DataTypes.StringType, true)
        .add(GpuSamples.GPU_UUID, DataTypes.StringType, true)
        .add(GpuSamples.GPU_INDEX, DataTypes.IntegerType, true)
        .add(GpuSamples.GPU_MODEL, DataTypes.StringType, true)
        .add(GpuSamples.MIG_PROFILE, DataTypes.StringType, true)
        .add(GpuSamples.MIG_INSTANCE, DataTypes.StringType, true);
  }

  /**
   * Scans gpu_samples. {@code boundaries}: per host, the sorted distinct instants (microseconds) at
   * which an allocation or a counted interval starts or ends on it.
   *
   * <p>When the samples are a plain Parquet read (no filter, no computed column), the pass reads
   * Parquet's column batches directly ({@link ColumnarSamples}): numbers straight from the column
   * vectors, and strings compared by dictionary id, never copied per sample. Any other input is read
   * as Spark's internal rows; both give the same rows out.
   */
  public static Dataset<Row> scan(SparkSession spark, Dataset<Row> samples, Map<String, long[]> boundaries,
      long bucketSeconds) {
    return scan(spark, samples, boundaries, bucketSeconds, Map.of(), true);
  }

  /**
   * As {@link #scan(SparkSession, Dataset, Map, long)}, with the boost clock (MHz) per catalog model
   * (the logged name is mapped by {@link GpuModels#normalize}): a pipe sample whose SM clock is above it, or not positive, is summed as if it logged no
   * clock (ratio 1) and counted in {@code n_clock_rejected}, so a bad clock reading is a reason in the
   * report, never a multiplier. Models not in the map have no bound.
   */
  public static Dataset<Row> scan(SparkSession spark, Dataset<Row> samples, Map<String, long[]> boundaries,
      long bucketSeconds, Map<String, Double> boostClockByModel) {
    return scan(spark, samples, boundaries, bucketSeconds, boostClockByModel, true);
  }

  static Dataset<Row> scan(SparkSession spark, Dataset<Row> samples, Map<String, long[]> boundaries,
      long bucketSeconds, boolean columnar) {
    return scan(spark, samples, boundaries, bucketSeconds, Map.of(), columnar);
  }

  static Dataset<Row> scan(SparkSession spark, Dataset<Row> samples, Map<String, long[]> boundaries,
      long bucketSeconds, Map<String, Double> boostClocks, boolean columnar) {
    org.apache.spark.api.java.JavaSparkContext jsc = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext());
    Broadcast<HashMap<String, long[]>> b = jsc.broadcast(new HashMap<>(boundaries));
    Broadcast<HashMap<String, Double>> clocks = jsc.broadcast(new HashMap<>(boostClocks));
    long bucketUs = bucketSeconds * 1_000_000L;
    ColumnarSamples batches = columnar ? ColumnarSamples.of(samples) : null;
    JavaRDD<InternalRow> out;
    if (batches != null) {
      int[] cols = batches.columns();
      out = batches.batches().toJavaRDD().mapPartitions(
          (FlatMapFunction<Iterator<ColumnarBatch>, InternalRow>) it ->
              new ColumnarSamples.BatchStream(it, cols, b.value(), bucketUs, partition()).bounded(clocks.value()));
    } else {
      // the sample's fields in Sample's order, then the series key
      Column[] cols = Arrays.copyOf(Sample.columns(), Sample.FIELDS + 1);
      cols[Sample.FIELDS] = SampleWindows.seriesKey(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID),
          col(GpuSamples.MIG_INSTANCE));
      Dataset<Row> in = samples.select(cols);
      out = in.queryExecution().toRdd().toJavaRDD().mapPartitions(
          (FlatMapFunction<Iterator<InternalRow>, InternalRow>) it ->
              new RowStream(it, b.value(), bucketUs, partition()).bounded(clocks.value()));
    }
    // the internal constructor takes internal rows as they are; public ones would convert each back
    return spark.internalCreateDataFrame(out.rdd(), schema(), false);
  }

  private static int partition() {
    return TaskContext.get() == null ? 0 : TaskContext.get().partitionId();
  }

  /**
   * The series key of {@link SampleWindows#seriesKey}, computed from the strings themselves: Spark's
   * xxhash64 (seed 42) over host, GPU UUID or "" and MIG instance or "", a null host skipped.
   */
  static long seriesKey(UTF8String host, UTF8String uuid, UTF8String migInstance) {
    long h = 42L;
    if (host != null) {
      h = XXH64.hashUnsafeBytes(host.getBaseObject(), host.getBaseOffset(), host.numBytes(), h);
    }
    UTF8String u = uuid == null ? UTF8String.EMPTY_UTF8 : uuid;
    h = XXH64.hashUnsafeBytes(u.getBaseObject(), u.getBaseOffset(), u.numBytes(), h);
    UTF8String m = migInstance == null ? UTF8String.EMPTY_UTF8 : migInstance;
    return XXH64.hashUnsafeBytes(m.getBaseObject(), m.getBaseOffset(), m.numBytes(), h);
  }

  /**
   * The sample under the reader, however its split is read: the numbers the pass sums as primitives,
   * the strings on demand (copied only when a series or a context starts).
   */
  abstract static class Sample {
    static final int HOST = 0;
    static final int UUID = 1;
    static final int MODEL = 2;
    static final int MIG_PROFILE = 3;
    static final int MIG_INSTANCE = 4;
    static final int JOB = 5;
    static final int POD = 6;
    static final int NAMESPACE = 7;
    static final int GPU_INDEX = 8;
    static final int TS = 9;
    static final int UTIL = 10;
    static final int PIPE0 = 11;
    static final int CLOCK = 15;
    static final int FIELDS = 16;
    /** The gpu_samples columns of the fields above, in their order. */
    static final String[] COLUMNS = {
      GpuSamples.HOST, GpuSamples.GPU_UUID, GpuSamples.GPU_MODEL, GpuSamples.MIG_PROFILE, GpuSamples.MIG_INSTANCE,
      GpuSamples.HPC_JOB, GpuSamples.POD, GpuSamples.NAMESPACE, GpuSamples.GPU_INDEX, GpuSamples.TS,
      GpuSamples.GPU_UTIL, GpuSamples.PIPE_TENSOR_ACTIVE, GpuSamples.PIPE_FP64_ACTIVE, GpuSamples.PIPE_FP32_ACTIVE,
      GpuSamples.PIPE_FP16_ACTIVE, GpuSamples.SM_CLOCK_MHZ
    };

    /** {@link #COLUMNS} as columns to select. */
    static Column[] columns() {
      return Arrays.stream(COLUMNS).map(c -> col(c)).toArray(Column[]::new);
    }

    long ts;
    boolean hasUtil;
    double util;
    /** Bit p is set when pipe p (tensor, fp64, fp32, fp16) has a value. */
    int pipes;
    final double[] pipe = new double[4];
    boolean hasClock;
    double mhz;

    /** String field {@code f}, or null; a view into the reader's buffers, valid for this sample only. */
    abstract UTF8String view(int f);

    abstract Integer gpuIndex();

    /** A copy of string field {@code f} that outlives the sample, or null. */
    final UTF8String string(int f) {
      UTF8String v = view(f);
      return v == null ? null : v.clone();
    }

    final boolean same(int f, UTF8String v) {
      UTF8String mine = view(f);
      return mine == null ? v == null : mine.equals(v);
    }
  }

  /**
   * One split's pass: a state per series, rows out as soon as a sum is complete. A reader fills
   * {@link #sample}, {@link #key} and {@link #labelsAsBefore} per sample.
   */
  abstract static class Stream implements Iterator<InternalRow> {
    private static final long[] NONE = new long[0];
    private final Map<String, long[]> boundaries;
    private final long bucketUs;
    private final int part;
    private final ArrayDeque<InternalRow> out = new ArrayDeque<>();
    private final HashMap<Long, Series> series = new HashMap<>();
    private Series last;
    private boolean finished;
    private Map<String, Double> boostClocks = Map.of();
    /** The sample under the reader: each subclass sets its own. */
    Sample sample;
    /** The sample's series key. */
    long key;
    /** True only when the sample's job labels are known to equal the previous sample's. */
    boolean labelsAsBefore;

    Stream(Map<String, long[]> boundaries, long bucketUs, int part) {
      this.boundaries = boundaries;
      this.bucketUs = bucketUs;
      this.part = part;
    }

    /** Sets the boost clock per logged model name that bounds the clock ratio; returns this stream. */
    Stream bounded(Map<String, Double> boostClocks) {
      this.boostClocks = boostClocks;
      return this;
    }

    /** Moves to the next sample; false at the end of the split. */
    abstract boolean advance();

    @Override
    public boolean hasNext() {
      while (out.isEmpty() && !finished) {
        if (advance()) {
          add();
        } else {
          for (Series s : series.values()) {
            s.flush(out, part);
            out.add(s.segmentRow(part));
          }
          series.clear();
          finished = true;
        }
      }
      return !out.isEmpty();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return out.poll();
    }

    private void add() {
      Series s = last;
      boolean labelsKnown = labelsAsBefore;
      if (s == null || s.key != key) {
        labelsKnown = false;
        s = series.get(key);
        if (s == null) {
          UTF8String host = sample.view(Sample.HOST);
          long[] b = host == null ? NONE : boundaries.getOrDefault(host.toString(), NONE);
          s = new Series(key, b, sample);
          // once per series, not per sample: the logged name mapped to its catalog model's boost clock
          String id = s.model == null || boostClocks.isEmpty() ? null : GpuModels.normalize(s.model.toString());
          Double boost = id == null ? null : boostClocks.get(id);
          s.maxMhz = boost == null ? Double.POSITIVE_INFINITY : boost;
          series.put(key, s);
        }
        last = s;
      }
      s.add(sample, labelsKnown, bucketUs, out, part);
    }
  }

  /** Reads a split as Spark internal rows (any input). */
  static final class RowStream extends Stream {
    /** The series key follows the sample's fields. */
    private static final int KEY = Sample.FIELDS;
    private final Iterator<InternalRow> in;
    private InternalRow row;

    RowStream(Iterator<InternalRow> in, Map<String, long[]> boundaries, long bucketUs, int part) {
      super(boundaries, bucketUs, part);
      this.in = in;
      this.sample = new Sample() {
        @Override
        UTF8String view(int f) {
          return row.isNullAt(f) ? null : row.getUTF8String(f);
        }

        @Override
        Integer gpuIndex() {
          return row.isNullAt(GPU_INDEX) ? null : row.getInt(GPU_INDEX);
        }
      };
    }

    @Override
    boolean advance() {
      while (in.hasNext()) {
        InternalRow r = in.next();
        if (r.isNullAt(Sample.TS)) {
          continue; // ingest never writes one; a sample without a time cannot be placed
        }
        row = r;
        key = r.getLong(KEY);
        Sample s = sample;
        s.ts = r.getLong(Sample.TS); // a timestamp is its microseconds
        s.hasUtil = !r.isNullAt(Sample.UTIL);
        s.util = s.hasUtil ? r.getDouble(Sample.UTIL) : 0;
        int pipes = 0;
        for (int p = 0; p < 4; p++) {
          boolean has = !r.isNullAt(Sample.PIPE0 + p);
          s.pipe[p] = has ? r.getDouble(Sample.PIPE0 + p) : 0;
          pipes |= has ? 1 << p : 0;
        }
        s.pipes = pipes;
        s.hasClock = !r.isNullAt(Sample.CLOCK);
        s.mhz = s.hasClock ? r.getDouble(Sample.CLOCK) : 0;
        labelsAsBefore = false;
        return true;
      }
      return false;
    }
  }

  /** A series' state within one split. */
  static final class Series {
    final long key;
    final long[] bounds;
    final UTF8String host;
    final UTF8String uuid;
    final Integer index;
    final UTF8String model;
    final UTF8String migProfile;
    final UTF8String migInstance;
    /** The model's boost clock: a logged clock above it is rejected (infinite when unknown). */
    double maxMhz = Double.POSITIVE_INFINITY;
    long count;
    long firstTs;
    long lastTs;
    boolean disorder;

    // the current context: bucket, segment, labels
    long bucket = Long.MIN_VALUE;
    long segLo;
    long segHi;
    UTF8String job;
    UTF8String pod;
    UTF8String namespace;

    // one sum per distinct interval length in the context
    int slots;
    final long[] dts = new long[SLOTS];
    final long[] n = new long[SLOTS];
    final long[] minTs = new long[SLOTS];
    final long[] maxTs = new long[SLOTS];
    final double[][] raw = new double[SLOTS][RAW_COUNT];

    Series(long key, long[] bounds, Sample r) {
      this.key = key;
      this.bounds = bounds;
      this.host = r.string(Sample.HOST);
      this.uuid = r.string(Sample.UUID);
      this.index = r.gpuIndex();
      this.model = r.string(Sample.MODEL);
      this.migProfile = r.string(Sample.MIG_PROFILE);
      this.migInstance = r.string(Sample.MIG_INSTANCE);
    }

    /** {@code labelsAsBefore}: the sample's job labels are known to be those of this series' last sample. */
    void add(Sample r, boolean labelsAsBefore, long bucketUs, ArrayDeque<InternalRow> out, int part) {
      long ts = r.ts;
      if (count == 0) {
        count = 1;
        firstTs = ts;
        lastTs = ts;
        // the first sample's interval reaches into whatever came before this split: resolved later
        double[] one = new double[RAW_COUNT];
        addSample(one, r, maxMhz);
        long[] seg = segment(ts);
        out.add(sumsRow(KIND_HEAD, part, Math.floorDiv(ts, bucketUs), seg[0], seg[1],
            r.string(Sample.JOB), r.string(Sample.POD), r.string(Sample.NAMESPACE), null, ts, ts, 1, one));
        return;
      }
      count++;
      if (disorder || ts < lastTs) {
        // out of time order within the split: the caller sorts and scans again
        disorder = true;
        return;
      }
      long dt = ts - lastTs;
      lastTs = ts;
      long bucket = Math.floorDiv(ts, bucketUs);
      if (bucket != this.bucket || ts <= segLo || ts > segHi || !(labelsAsBefore || sameLabels(r))) {
        flush(out, part);
        this.bucket = bucket;
        long[] seg = segment(ts);
        segLo = seg[0];
        segHi = seg[1];
        job = r.string(Sample.JOB);
        pod = r.string(Sample.POD);
        namespace = r.string(Sample.NAMESPACE);
      }
      int slot = -1;
      for (int i = 0; i < slots; i++) {
        if (dts[i] == dt) {
          slot = i;
          break;
        }
      }
      if (slot < 0) {
        if (slots == SLOTS) {
          flush(out, part);
        }
        slot = slots++;
        dts[slot] = dt;
        n[slot] = 0;
        minTs[slot] = ts;
        Arrays.fill(raw[slot], 0.0);
      }
      n[slot]++;
      maxTs[slot] = ts;
      addSample(raw[slot], r, maxMhz);
    }

    /** The best method per sample: pipe activity when any pipe counter is present, else utilization. */
    private static void addSample(double[] a, Sample r, double maxMhz) {
      if (r.pipes != 0) {
        a[0] += 1;
        a[1] += 1;
        double mhz = r.mhz;
        // a clock above boost (or zero) is a bad reading: the pipe is taken at its quoted clock instead
        boolean clockOk = r.hasClock && mhz > 0 && mhz <= maxMhz;
        if (r.hasClock && !clockOk) {
          a[14] += 1;
        }
        if (r.hasUtil) {
          a[12] += 1;
          a[13] += r.util;
        }
        for (int p = 0; p < 4; p++) {
          double v = r.pipe[p];
          if (clockOk) {
            a[4 + 2 * p] += v * mhz;
          } else {
            a[5 + 2 * p] += v;
          }
        }
      } else if (r.hasUtil) {
        a[0] += 1;
        a[2] += 1;
        a[3] += r.util;
      }
    }

    private boolean sameLabels(Sample r) {
      return r.same(Sample.JOB, job) && r.same(Sample.POD, pod) && r.same(Sample.NAMESPACE, namespace);
    }

    /** The segment (lo, hi] of the host's boundaries that holds ts. */
    private long[] segment(long ts) {
      int i = Arrays.binarySearch(bounds, ts);
      int hiIdx = i >= 0 ? i : -i - 1; // first boundary ≥ ts
      long lo = hiIdx > 0 ? bounds[hiIdx - 1] : Long.MIN_VALUE;
      long hi = hiIdx < bounds.length ? bounds[hiIdx] : Long.MAX_VALUE;
      return new long[] {lo, hi};
    }

    void flush(ArrayDeque<InternalRow> out, int part) {
      for (int i = 0; i < slots; i++) {
        out.add(sumsRow(KIND_SUMS, part, bucket, segLo, segHi, job, pod, namespace, dts[i], minTs[i], maxTs[i], n[i],
            raw[i]));
      }
      slots = 0;
    }

    /** An output row's values with the fields every kind has: kind, series, split, time extent, count. */
    private Object[] values(int kind, int part, long min, long max, long count) {
      Object[] v = new Object[WIDTH];
      v[0] = kind;
      v[1] = key;
      v[2] = part;
      v[10] = min;
      v[11] = max;
      v[12] = count;
      return v;
    }

    private InternalRow sumsRow(int kind, int part, long bucket, long lo, long hi, UTF8String job, UTF8String pod,
        UTF8String ns, Long dt, long min, long max, long count, double[] sums) {
      Object[] v = values(kind, part, min, max, count);
      v[3] = bucket;
      v[4] = lo;
      v[5] = hi;
      v[6] = job;
      v[7] = pod;
      v[8] = ns;
      v[9] = dt;
      for (int i = 0; i < RAW_COUNT; i++) {
        v[FIRST_RAW + i] = sums[i];
      }
      return new GenericInternalRow(v);
    }

    InternalRow segmentRow(int part) {
      Object[] v = values(KIND_SEGMENT, part, firstTs, lastTs, count);
      int o = FIRST_RAW + RAW_COUNT;
      v[o] = disorder;
      v[o + 1] = host;
      v[o + 2] = uuid;
      v[o + 3] = index;
      v[o + 4] = model;
      v[o + 5] = migProfile;
      v[o + 6] = migInstance;
      return new GenericInternalRow(v);
    }
  }
}
