package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.computeledger.schema.FlopCounts;
import org.computeledger.schema.Table;

/**
 * Reads profiler FLOP counts (PRODUCT.md §6) into {@code flop_counts}: exact counts per GPU interval,
 * which estimation prefers over every other method. Times must carry Z or an offset: a profiler's
 * interval is absolute, and guessing its zone would move exact counts into the wrong window.
 */
public final class FlopCounterParser extends FormatParserBase {
  public static final String FORMAT = "flop-counter";
  private static final long serialVersionUID = 1L;

  private static final Table TABLE = Table.FLOP_COUNTS;
  private static final int INTERVAL_START = TABLE.index(FlopCounts.INTERVAL_START);
  private static final int INTERVAL_END = TABLE.index(FlopCounts.INTERVAL_END);
  private static final int HOST = TABLE.index(FlopCounts.HOST);
  private static final int GPU_UUID = TABLE.index(FlopCounts.GPU_UUID);
  private static final int GPU_INDEX = TABLE.index(FlopCounts.GPU_INDEX);
  private static final int FLOP = TABLE.index(FlopCounts.FLOP);
  private static final int PRECISION = TABLE.index(FlopCounts.PRECISION);
  private static final int SOURCE = TABLE.index(FlopCounts.SOURCE);

  /** Precisions the peak catalog knows; a count in any other cannot be compared with estimates. */
  static final Set<String> PRECISIONS = Set.of("bf16", "fp16", "fp8", "tf32", "fp32", "fp64", "int8");

  /** Columns of §6 that every file must have; {@code source} may be left out. */
  private static final List<String> REQUIRED = List.of(FlopCounts.INTERVAL_START,
      FlopCounts.INTERVAL_END, FlopCounts.HOST, FlopCounts.GPU_UUID, FlopCounts.GPU_INDEX,
      FlopCounts.FLOP, FlopCounts.PRECISION);

  public FlopCounterParser() {
    super(FORMAT, TABLE);
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    return Csv.headerNames(head).containsAll(REQUIRED);
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    Csv.read(in, sink, new Lines(sink, file.params()));
  }

  /** The state of one file: its header's column positions. */
  private static final class Lines extends Csv.HeaderedLines {
    private int start;
    private int end;
    private int host;
    private int uuid;
    private int index;
    private int flop;
    private int precision;
    private int source;

    Lines(RowSink sink, IngestParams params) {
      super(sink, params);
    }

    @Override
    String header(Csv.Cursor c, Map<String, Integer> h) {
      start = Csv.column(h, FlopCounts.INTERVAL_START);
      end = Csv.column(h, FlopCounts.INTERVAL_END);
      host = Csv.column(h, FlopCounts.HOST);
      uuid = Csv.column(h, FlopCounts.GPU_UUID);
      index = Csv.column(h, FlopCounts.GPU_INDEX);
      flop = Csv.column(h, FlopCounts.FLOP);
      precision = Csv.column(h, FlopCounts.PRECISION);
      source = Csv.column(h, FlopCounts.SOURCE);
      return Csv.missingColumn(h, REQUIRED);
    }

    @Override
    Object[] row(Csv.Cursor c) {
      Instant from = f.time(FlopCounts.INTERVAL_START, c.value(start), true);
      Instant to = f.time(FlopCounts.INTERVAL_END, c.value(end), true);
      if (from != null && to != null && !to.isAfter(from)) {
        f.fail(FlopCounts.INTERVAL_END, "a time after interval_start " + c.value(start), c.value(end));
      }
      String hostName = f.required(FlopCounts.HOST, c.value(host));
      String gpuUuid = c.value(uuid);
      Integer gpuIndex = f.index(FlopCounts.GPU_INDEX, c.value(index));
      if (gpuUuid == null && c.value(index) == null) {
        f.fail(FlopCounts.GPU_UUID, "a GPU UUID or a gpu_index", null);
      }
      Double count = f.number(FlopCounts.FLOP, c.value(flop), true, true);
      if (count != null && from != null && to != null && to.isAfter(from)) {
        double seconds = (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
        if (count / seconds > Plausibility.MAX_FLOP_PER_GPU_SECOND) {
          f.failRecord("field flop: " + c.value(flop) + " FLOP in " + seconds + " s is more than "
              + "1e17 FLOP per GPU-second, the plausible limit (20 times the densest peak in the catalog)");
        }
      }
      String p = c.value(precision);
      String prec = p == null ? null : p.strip().toLowerCase(Locale.ROOT);
      if (prec == null || !PRECISIONS.contains(prec)) {
        f.fail(FlopCounts.PRECISION, "one of bf16|fp16|fp8|tf32|fp32|fp64|int8", p);
      }
      if (!f.ok()) {
        return null;
      }
      Object[] row = sink.newRow();
      row[INTERVAL_START] = Timestamp.from(from);
      row[INTERVAL_END] = Timestamp.from(to);
      row[HOST] = hostName;
      row[GPU_UUID] = gpuUuid;
      row[GPU_INDEX] = gpuIndex;
      row[FLOP] = count;
      row[PRECISION] = prec;
      row[SOURCE] = c.value(source);
      return row;
    }
  }
}
