package org.computeledger.estimate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.computeledger.estimate.TelemetryScan.Sample;
import scala.collection.JavaConverters;

/**
 * gpu_samples read as Parquet column batches, for the telemetry pass. Only a plain file scan
 * qualifies (Spark's own vectorized Parquet reader, no filter, no computed column): its batches hold
 * every row of the input, so reading them directly gives exactly the rows the Dataset would. Anything
 * else is left to the row reader.
 */
final class ColumnarSamples {
  private final RDD<ColumnarBatch> batches;
  private final int[] columns;

  private ColumnarSamples(RDD<ColumnarBatch> batches, int[] columns) {
    this.batches = batches;
    this.columns = columns;
  }

  RDD<ColumnarBatch> batches() {
    return batches;
  }

  /** Per {@link Sample} field, its column in the batches. */
  int[] columns() {
    return columns.clone();
  }

  /** The column batches behind {@code samples}, or null when it is not a plain columnar file scan. */
  static ColumnarSamples of(Dataset<Row> samples) {
    Dataset<Row> in = samples.select(Sample.columns());
    SparkPlan top = in.queryExecution().executedPlan();
    SparkPlan p = top;
    while (true) {
      if (p instanceof WholeStageCodegenExec w) {
        p = w.child();
      } else if (p instanceof InputAdapter a) {
        p = a.child();
      } else if (p instanceof ColumnarToRowExec c) {
        p = c.child();
      } else if (p instanceof ProjectExec pr && onlyAttributes(pr.projectList())) {
        p = pr.child();
      } else {
        break;
      }
    }
    if (!(p instanceof FileSourceScanExec scan) || !scan.supportsColumnar()) {
      return null;
    }
    List<Attribute> wanted = JavaConverters.seqAsJavaList(top.output());
    List<Attribute> have = JavaConverters.seqAsJavaList(scan.output());
    Map<Object, Integer> byId = new HashMap<>();
    for (int i = 0; i < have.size(); i++) {
      byId.put(have.get(i).exprId(), i);
    }
    int[] idx = new int[Sample.FIELDS];
    for (int f = 0; f < Sample.FIELDS; f++) {
      Attribute a = wanted.get(f);
      Integer i = byId.get(a.exprId());
      if (i == null || !a.dataType().equals(expectedType(f))) {
        return null;
      }
      idx[f] = i;
    }
    return new ColumnarSamples(scan.executeColumnar(), idx);
  }

  private static boolean onlyAttributes(scala.collection.Seq<NamedExpression> list) {
    for (NamedExpression e : JavaConverters.seqAsJavaList(list)) {
      if (!(e instanceof Attribute)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The arrays behind Spark's on-heap column vectors, read in place. {@code getLongs}, {@code getDoubles} and
   * {@code getInts} copy a batch's values into a new array on every call: at 49.5 M samples that was about
   * 2.4 GB of the run's 17 GB allocated (Java Flight Recorder), each array zeroed and then filled. A plain
   * column (no dictionary) holds its values in these arrays, and the Parquet reader fills the same vectors
   * again for the next batch, so they are read where they lie for the batch being scanned. Null handles
   * (a Spark whose vectors are built otherwise) fall back to the copying calls.
   */
  private static final VarHandle LONGS;
  private static final VarHandle DOUBLES;
  private static final VarHandle INTS;

  static {
    VarHandle longs = null;
    VarHandle doubles = null;
    VarHandle ints = null;
    try {
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(OnHeapColumnVector.class, MethodHandles.lookup());
      longs = l.findVarHandle(OnHeapColumnVector.class, "longData", long[].class);
      doubles = l.findVarHandle(OnHeapColumnVector.class, "doubleData", double[].class);
      ints = l.findVarHandle(OnHeapColumnVector.class, "intData", int[].class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      longs = null;
      doubles = null;
      ints = null;
    }
    LONGS = longs;
    DOUBLES = doubles;
    INTS = ints;
  }

  /** A plain on-heap vector's own array, or null (dictionary-encoded, off-heap, or handles unavailable). */
  private static Object inPlace(ColumnVector c, VarHandle h) {
    return h != null && c instanceof OnHeapColumnVector o && !o.hasDictionary() ? h.get(o) : null;
  }

  /** The first {@code rows} longs of {@code c} (at least that many; only those are read). */
  static long[] longs(ColumnVector c, int rows) {
    long[] a = (long[]) inPlace(c, LONGS);
    return a != null && a.length >= rows ? a : c.getLongs(0, rows);
  }

  /** The first {@code rows} doubles of {@code c} (at least that many; only those are read). */
  static double[] doubles(ColumnVector c, int rows) {
    double[] a = (double[]) inPlace(c, DOUBLES);
    return a != null && a.length >= rows ? a : c.getDoubles(0, rows);
  }

  /** The first {@code rows} ints of {@code c} (at least that many; only those are read). */
  static int[] ints(ColumnVector c, int rows) {
    int[] a = (int[]) inPlace(c, INTS);
    return a != null && a.length >= rows ? a : c.getInts(0, rows);
  }

  private static DataType expectedType(int f) {
    if (f <= Sample.NAMESPACE) {
      return DataTypes.StringType;
    }
    return switch (f) {
      case Sample.GPU_INDEX -> DataTypes.IntegerType;
      case Sample.TS -> DataTypes.TimestampType;
      default -> DataTypes.DoubleType;
    };
  }

  /**
   * One split's pass over column batches. A sample's series and job labels are compared with the
   * previous sample's by dictionary id where the column chunk is dictionary-encoded (as ingest writes
   * it), else by bytes in place; the series key is hashed only when the series changes. Each batch's
   * columns are taken out as arrays once (the quick JIT compiler, which {@code scripts/ledger} uses for
   * {@code run}, does not inline the column vectors' virtual getters: a call per field per row cost
   * about a third of the pass).
   */
  static final class BatchStream extends TelemetryScan.Stream {
    private static final int NO_NULLS = 0;
    private static final int ALL_NULL = 1;
    private static final int SOME_NULLS = 2;
    private final Iterator<ColumnarBatch> in;
    private final int[] cols;
    private final ColumnVector[] v = new ColumnVector[Sample.FIELDS];
    /**
     * Per field, how the batch holds nulls ({@link #NO_NULLS}, {@link #ALL_NULL} or {@link #SOME_NULLS}): a
     * column without nulls is read without a null check per row, an all-null one not read at all.
     */
    private final int[] nulls = new int[Sample.FIELDS];
    /** The batch's times, taken out in one call when the column has no nulls; else null (read per row). */
    private long[] times;
    /** The batch's measured values (utilization, pipes, clock), likewise; else null. */
    private final double[][] values = new double[Sample.FIELDS][];
    /** Per string field, the batch's dictionary ids as an array, or null when not dictionary-encoded. */
    private final int[][] idArrays = new int[Sample.NAMESPACE + 1][];
    private int rows;
    private int row;
    /** The previous sample's row in this batch, or -1. */
    private int prev = -1;

    BatchStream(Iterator<ColumnarBatch> in, int[] cols, Map<String, long[]> boundaries, long bucketUs, int part) {
      super(boundaries, bucketUs, part);
      this.in = in;
      this.cols = cols;
      this.sample = new Sample() {
        @Override
        UTF8String view(int f) {
          return v[f].isNullAt(row) ? null : v[f].getUTF8String(row);
        }

        @Override
        Integer gpuIndex() {
          return v[GPU_INDEX].isNullAt(row) ? null : v[GPU_INDEX].getInt(row);
        }
      };
    }

    private boolean nextBatch() {
      while (in.hasNext()) {
        ColumnarBatch b = in.next();
        rows = b.numRows();
        if (rows == 0) {
          continue;
        }
        for (int f = 0; f < Sample.FIELDS; f++) {
          v[f] = b.column(cols[f]);
        }
        for (int f = 0; f < Sample.FIELDS; f++) {
          int n = v[f].numNulls();
          nulls[f] = n == 0 ? NO_NULLS : n >= rows ? ALL_NULL : SOME_NULLS;
        }
        for (int f = 0; f <= Sample.NAMESPACE; f++) {
          WritableColumnVector ids = v[f] instanceof WritableColumnVector w && w.hasDictionary() ? w.getDictionaryIds() : null;
          idArrays[f] = ids == null || nulls[f] == ALL_NULL ? null : ints(ids, rows);
        }
        // whole columns at once (the vector's own array, or one loop over the dictionary ids), only where
        // no row is null: a null row's dictionary id is not defined, so those columns are read row by row
        times = nulls[Sample.TS] == NO_NULLS ? longs(v[Sample.TS], rows) : null;
        for (int f = Sample.UTIL; f <= Sample.CLOCK; f++) {
          values[f] = nulls[f] == NO_NULLS ? doubles(v[f], rows) : null;
        }
        row = 0;
        prev = -1;
        return true;
      }
      return false;
    }

    @Override
    boolean advance() {
      while (true) {
        if (++row >= rows && !nextBatch()) {
          return false; // nextBatch starts the next batch at its row 0
        }
        int r = row;
        long[] t = times;
        if (t == null && v[Sample.TS].isNullAt(r)) {
          continue; // ingest never writes one; a sample without a time cannot be placed
        }
        Sample s = sample;
        s.ts = t != null ? t[r] : v[Sample.TS].getLong(r);
        s.hasUtil = has(Sample.UTIL, r);
        s.util = s.hasUtil ? value(Sample.UTIL, r) : 0;
        int pipes = 0;
        for (int p = 0; p < 4; p++) {
          boolean has = has(Sample.PIPE0 + p, r);
          s.pipe[p] = has ? value(Sample.PIPE0 + p, r) : 0;
          pipes |= has ? 1 << p : 0;
        }
        s.pipes = pipes;
        s.hasClock = has(Sample.CLOCK, r);
        s.mhz = s.hasClock ? value(Sample.CLOCK, r) : 0;
        int q = prev;
        if (q < 0 || !same(Sample.HOST, r, q) || !same(Sample.UUID, r, q) || !same(Sample.MIG_INSTANCE, r, q)) {
          key = TelemetryScan.seriesKey(s.view(Sample.HOST), s.view(Sample.UUID), s.view(Sample.MIG_INSTANCE));
        }
        labelsAsBefore = q >= 0 && same(Sample.JOB, r, q) && same(Sample.POD, r, q) && same(Sample.NAMESPACE, r, q);
        prev = r;
        return true;
      }
    }

    /** Whether field {@code f} has a value in row {@code r} of the batch. */
    private boolean has(int f, int r) {
      int n = nulls[f];
      return n == NO_NULLS || (n == SOME_NULLS && !v[f].isNullAt(r));
    }

    /** Double field {@code f} of row {@code r}, which has a value. */
    private double value(int f, int r) {
      double[] a = values[f];
      return a != null ? a[r] : v[f].getDouble(r);
    }

    /** Whether string field {@code f} has the same value in rows {@code a} and {@code b} of the batch. */
    private boolean same(int f, int a, int b) {
      int n = nulls[f];
      if (n == ALL_NULL) {
        return true;
      }
      if (n == SOME_NULLS) {
        ColumnVector c = v[f];
        boolean na = c.isNullAt(a);
        boolean nb = c.isNullAt(b);
        if (na || nb) {
          return na && nb;
        }
      }
      int[] d = idArrays[f];
      if (d != null) {
        return d[a] == d[b];
      }
      return v[f].getUTF8String(a).equals(v[f].getUTF8String(b));
    }
  }
}
