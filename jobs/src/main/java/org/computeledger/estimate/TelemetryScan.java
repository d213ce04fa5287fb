package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
 * <p>Rows are read as Spark's internal rows, not {@code Row}s: the hot loop allocates nothing per
 * sample, reads only the fields it needs, and touches the strings only when a series first appears.
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
   * pipe-covered and utilization-covered samples, Σ utilization, and per pipe Σ activity × clock where
   * the clock is known and Σ activity where it is not.
   */
  public static final String[] RAW = {
    "n_covered", "n_pipe", "n_util", "sum_util",
    "sum_tensor_clk", "sum_tensor", "sum_fp64_clk", "sum_fp64", "sum_fp32_clk", "sum_fp32", "sum_fp16_clk", "sum_fp16"
  };

  static final int RAW_COUNT = 12;
  private static final int SLOTS = 8;

  // input columns, in this order
  private static final int I_KEY = 0;
  private static final int I_TS = 1;
  private static final int I_UTIL = 2;
  private static final int I_PIPE0 = 3;
  private static final int I_CLOCK = 7;
  private static final int I_JOB = 8;
  private static final int I_HOST = 11;

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
   */
  public static Dataset<Row> scan(SparkSession spark, Dataset<Row> samples, Map<String, long[]> boundaries,
      long bucketSeconds) {
    Dataset<Row> in = samples.select(
        SampleWindows.seriesKey(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE)),
        unix_micros(col(GpuSamples.TS)), col(GpuSamples.GPU_UTIL),
        col(GpuSamples.PIPE_TENSOR_ACTIVE), col(GpuSamples.PIPE_FP64_ACTIVE), col(GpuSamples.PIPE_FP32_ACTIVE),
        col(GpuSamples.PIPE_FP16_ACTIVE), col(GpuSamples.SM_CLOCK_MHZ),
        col(GpuSamples.HPC_JOB), col(GpuSamples.POD), col(GpuSamples.NAMESPACE),
        col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.GPU_INDEX), col(GpuSamples.GPU_MODEL),
        col(GpuSamples.MIG_PROFILE), col(GpuSamples.MIG_INSTANCE));
    Broadcast<HashMap<String, long[]>> b = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
        .broadcast(new HashMap<>(boundaries));
    JavaRDD<InternalRow> out = in.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(new Pass(b, bucketSeconds * 1_000_000L));
    // the internal constructor takes internal rows as they are; public ones would convert each back
    return spark.internalCreateDataFrame(out.rdd(), schema(), false);
  }

  /** One split's pass: a state per series, rows out as soon as a sum is complete. */
  static final class Pass implements FlatMapFunction<Iterator<InternalRow>, InternalRow>, Serializable {
    private static final long serialVersionUID = 1L;
    private final Broadcast<HashMap<String, long[]>> boundaries;
    private final long bucketUs;

    Pass(Broadcast<HashMap<String, long[]>> boundaries, long bucketUs) {
      this.boundaries = boundaries;
      this.bucketUs = bucketUs;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
      int part = TaskContext.get() == null ? 0 : TaskContext.get().partitionId();
      return new Stream(rows, boundaries.value(), bucketUs, part);
    }
  }

  static final class Stream implements Iterator<InternalRow> {
    private static final long[] NONE = new long[0];
    private final Iterator<InternalRow> in;
    private final Map<String, long[]> boundaries;
    private final long bucketUs;
    private final int part;
    private final ArrayDeque<InternalRow> out = new ArrayDeque<>();
    private final HashMap<Long, Series> series = new HashMap<>();
    private Series last;
    private boolean finished;

    Stream(Iterator<InternalRow> in, Map<String, long[]> boundaries, long bucketUs, int part) {
      this.in = in;
      this.boundaries = boundaries;
      this.bucketUs = bucketUs;
      this.part = part;
    }

    @Override
    public boolean hasNext() {
      while (out.isEmpty() && !finished) {
        if (in.hasNext()) {
          add(in.next());
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

    private void add(InternalRow r) {
      long key = r.getLong(I_KEY);
      Series s = last;
      if (s == null || s.key != key) {
        s = series.get(key);
        if (s == null) {
          String host = r.isNullAt(I_HOST) ? null : r.getUTF8String(I_HOST).toString();
          long[] b = host == null ? NONE : boundaries.getOrDefault(host, NONE);
          s = new Series(key, b, r);
          series.put(key, s);
        }
        last = s;
      }
      s.add(r, bucketUs, out, part);
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

    Series(long key, long[] bounds, InternalRow r) {
      this.key = key;
      this.bounds = bounds;
      this.host = str(r, I_HOST);
      this.uuid = str(r, I_HOST + 1);
      this.index = r.isNullAt(I_HOST + 2) ? null : r.getInt(I_HOST + 2);
      this.model = str(r, I_HOST + 3);
      this.migProfile = str(r, I_HOST + 4);
      this.migInstance = str(r, I_HOST + 5);
    }

    private static UTF8String str(InternalRow r, int i) {
      // the row's strings point into a buffer that the next row reuses
      return r.isNullAt(i) ? null : r.getUTF8String(i).clone();
    }

    void add(InternalRow r, long bucketUs, ArrayDeque<InternalRow> out, int part) {
      long ts = r.getLong(I_TS);
      if (count == 0) {
        count = 1;
        firstTs = ts;
        lastTs = ts;
        // the first sample's interval reaches into whatever came before this split: resolved later
        double[] one = new double[RAW_COUNT];
        addSample(one, r);
        long[] seg = segment(ts);
        out.add(sumsRow(KIND_HEAD, part, Math.floorDiv(ts, bucketUs), seg[0], seg[1],
            label(r, I_JOB), label(r, I_JOB + 1), label(r, I_JOB + 2), null, ts, ts, 1, one));
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
      if (bucket != this.bucket || ts <= segLo || ts > segHi || !sameLabels(r)) {
        flush(out, part);
        this.bucket = bucket;
        long[] seg = segment(ts);
        segLo = seg[0];
        segHi = seg[1];
        job = label(r, I_JOB);
        pod = label(r, I_JOB + 1);
        namespace = label(r, I_JOB + 2);
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
      addSample(raw[slot], r);
    }

    /** The best method per sample: pipe activity when any pipe counter is present, else utilization. */
    private static void addSample(double[] a, InternalRow r) {
      boolean pipe = false;
      for (int p = 0; p < 4; p++) {
        pipe |= !r.isNullAt(I_PIPE0 + p);
      }
      if (pipe) {
        a[0] += 1;
        a[1] += 1;
        boolean clock = !r.isNullAt(I_CLOCK);
        double mhz = clock ? r.getDouble(I_CLOCK) : 0;
        for (int p = 0; p < 4; p++) {
          double v = r.isNullAt(I_PIPE0 + p) ? 0 : r.getDouble(I_PIPE0 + p);
          if (clock) {
            a[4 + 2 * p] += v * mhz;
          } else {
            a[5 + 2 * p] += v;
          }
        }
      } else if (!r.isNullAt(I_UTIL)) {
        a[0] += 1;
        a[2] += 1;
        a[3] += r.getDouble(I_UTIL);
      }
    }

    private boolean sameLabels(InternalRow r) {
      return same(job, r, I_JOB) && same(pod, r, I_JOB + 1) && same(namespace, r, I_JOB + 2);
    }

    private static boolean same(UTF8String v, InternalRow r, int i) {
      return r.isNullAt(i) ? v == null : v != null && v.equals(r.getUTF8String(i));
    }

    private static UTF8String label(InternalRow r, int i) {
      return r.isNullAt(i) ? null : r.getUTF8String(i).clone();
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
      Object[] v = new Object[13 + RAW_COUNT + 7];
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
        v[13 + i] = sums[i];
      }
      return new GenericInternalRow(v);
    }

    InternalRow segmentRow(int part) {
      Object[] v = values(KIND_SEGMENT, part, firstTs, lastTs, count);
      int o = 13 + RAW_COUNT;
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
