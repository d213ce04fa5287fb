package org.computeledger.ingest;

import static org.computeledger.ingest.TextScan.isDigit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * Ingest of DCGM telemetry in Prometheus text form: dcgm-exporter scrapes, {@code promtool tsdb dump}
 * output and OpenMetrics, one {@code gpu_samples} row per used metric line, holding only that
 * metric's column; the ingest then merges rows per (file, host, GPU, MIG instance, ts).
 *
 * <p>Conventions of the input, as this parser reads them:
 *
 * <ul>
 *   <li><b>Time.</b> A sample's own timestamp wins. An integer below 10^11 or any number with a
 *       fraction or an exponent is epoch seconds (OpenMetrics writes {@code 1709373600.123});
 *       an integer of 10^11 or more is epoch milliseconds ({@code promtool tsdb dump}). 10^11
 *       seconds lies in the year 5138 and 10^11 ms in 1973, so the two never meet in real data.
 *       A bare scrape (dcgm-exporter's {@code /metrics}) carries no time at all, so the file must
 *       state it in a comment line {@code # scrape_time: 2026-03-02T10:00:00Z} (or
 *       {@code # scrape_time=...}; ISO-8601 with an offset) placed before the samples it dates;
 *       a later such comment dates the samples after it (concatenated scrapes). Without one, the
 *       run's {@code --scrape-time} dates it, or with {@code --scrape-time-from-mtime} the file's
 *       modification time; without any of these each sample is quarantined.
 *   <li><b>Blank values.</b> DCGM reports a field it could not read as a sentinel: 2^63−16…2^63−1
 *       for 64-bit integers, 2^47…2^47+15 for doubles and 0x7ffffff0…0x7fffffff for 32-bit
 *       integers. Such a line is ignored: it is no bad record, the field just had no value. The
 *       32-bit window is not applied to the energy counter, which passes through it honestly.
 *   <li><b>Labels.</b> Host from {@code Hostname}, else {@code hostname}, else {@code instance}
 *       without its port. Pod and namespace prefer {@code exported_pod}/{@code exported_namespace}:
 *       when Prometheus scrapes the exporter without honor_labels, the plain {@code pod} names the
 *       exporter's own pod and the workload moves to {@code exported_pod}. Empty values (the
 *       exporter writes {@code pod=""} on unmapped GPUs) are absent.
 *   <li><b>NaN and staleness markers.</b> When a series disappears from a scrape, Prometheus stores
 *       a staleness marker: a sample whose value is the NaN of bit pattern 0x7ff0000000000002
 *       ({@code StaleNaN} in prometheus/prometheus {@code model/value/value.go}; "Staleness" in
 *       https://prometheus.io/docs/prometheus/latest/querying/basics/). It ends the series and is no
 *       measurement. In text every NaN prints as {@code NaN}, so the marker cannot be told from an
 *       ordinary NaN by its bits; it is told by where it can occur. Only a dump of the TSDB
 *       ({@code promtool tsdb dump}, lines in the {@code {__name__="..."} value ms} form) holds
 *       markers: there a NaN counts as a staleness marker ({@link RowSink#staleMarker}). A NaN
 *       anywhere else is an ordinary NaN (exposition cannot carry markers and {@code /federate}
 *       drops them, web/federate.go) and is a line without a record, as it always was. Neither kind
 *       is quarantined: NaN says "no reading", not "bad reading".
 *   <li><b>MIG.</b> MIG rows repeat the parent GPU's UUID; {@code GPU_I_PROFILE}/{@code GPU_I_ID}
 *       are kept as mig_profile/mig_instance so that each instance is a series of its own.
 * </ul>
 *
 * <p>Lines are scanned by hand (no regular expression, label values cached across lines) because
 * telemetry runs to billions of lines.
 */
public final class PrometheusParser extends FormatParserBase {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "prometheus-dcgm";

  /** How a metric's value is checked and scaled into its column. */
  private enum Kind {
    PERCENT,
    RATIO,
    NON_NEGATIVE,
    /** A non-negative counter whose real values may cross the 32-bit blank window. */
    COUNTER
  }

  private record Metric(String name, String column, Kind kind) {}

  /**
   * Metrics used, under dcgm-exporter's names and the lowercase names of its 1.x compatibility
   * list (dcgm-exporter_1.x-compatibility-metrics.csv). That list has no fp16/fp32/fp64 pipes; their
   * 1.x names follow its {@code dcgm_fi_prof_} pattern. {@code _total} is OpenMetrics' counter suffix.
   */
  private static final Metric[] METRICS = {
    new Metric("DCGM_FI_DEV_GPU_UTIL", GpuSamples.GPU_UTIL, Kind.PERCENT),
    new Metric("DCGM_FI_PROF_SM_ACTIVE", GpuSamples.SM_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_PROF_SM_OCCUPANCY", GpuSamples.SM_OCCUPANCY, Kind.RATIO),
    new Metric("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", GpuSamples.PIPE_TENSOR_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_PROF_PIPE_FP64_ACTIVE", GpuSamples.PIPE_FP64_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_PROF_PIPE_FP32_ACTIVE", GpuSamples.PIPE_FP32_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_PROF_PIPE_FP16_ACTIVE", GpuSamples.PIPE_FP16_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_PROF_DRAM_ACTIVE", GpuSamples.DRAM_ACTIVE, Kind.RATIO),
    new Metric("DCGM_FI_DEV_SM_CLOCK", GpuSamples.SM_CLOCK_MHZ, Kind.NON_NEGATIVE),
    new Metric("DCGM_FI_DEV_POWER_USAGE", GpuSamples.POWER_W, Kind.NON_NEGATIVE),
    new Metric("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", GpuSamples.ENERGY_MJ, Kind.COUNTER),
    new Metric("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total", GpuSamples.ENERGY_MJ, Kind.COUNTER),
    new Metric("dcgm_gpu_utilization", GpuSamples.GPU_UTIL, Kind.PERCENT),
    new Metric("dcgm_fi_prof_sm_active", GpuSamples.SM_ACTIVE, Kind.RATIO),
    new Metric("dcgm_fi_prof_sm_occupancy", GpuSamples.SM_OCCUPANCY, Kind.RATIO),
    new Metric("dcgm_fi_prof_pipe_tensor_active", GpuSamples.PIPE_TENSOR_ACTIVE, Kind.RATIO),
    new Metric("dcgm_fi_prof_pipe_fp64_active", GpuSamples.PIPE_FP64_ACTIVE, Kind.RATIO),
    new Metric("dcgm_fi_prof_pipe_fp32_active", GpuSamples.PIPE_FP32_ACTIVE, Kind.RATIO),
    new Metric("dcgm_fi_prof_pipe_fp16_active", GpuSamples.PIPE_FP16_ACTIVE, Kind.RATIO),
    new Metric("dcgm_fi_prof_dram_active", GpuSamples.DRAM_ACTIVE, Kind.RATIO),
    new Metric("dcgm_sm_clock", GpuSamples.SM_CLOCK_MHZ, Kind.NON_NEGATIVE),
    new Metric("dcgm_power_usage", GpuSamples.POWER_W, Kind.NON_NEGATIVE),
    new Metric("dcgm_total_energy_consumption", GpuSamples.ENERGY_MJ, Kind.COUNTER),
    new Metric("dcgm_total_energy_consumption_total", GpuSamples.ENERGY_MJ, Kind.COUNTER),
  };

  private static final int[] METRIC_COLUMN = new int[METRICS.length];

  // Labels read, by slot. __name__ carries the metric name in promtool's {__name__="...", ...} form.
  private static final String[] LABELS = {
    "Hostname", "hostname", "instance", "UUID", "gpu", "modelName", "GPU_I_PROFILE", "GPU_I_ID",
    "pod", "namespace", "exported_pod", "exported_namespace", "hpc_job", "__name__"
  };
  private static final int HOSTNAME_UPPER = 0;
  private static final int HOSTNAME_LOWER = 1;
  private static final int INSTANCE = 2;
  private static final int UUID = 3;
  private static final int GPU = 4;
  private static final int MODEL = 5;
  private static final int MIG_PROFILE = 6;
  private static final int MIG_ID = 7;
  private static final int POD = 8;
  private static final int NAMESPACE = 9;
  private static final int EXPORTED_POD = 10;
  private static final int EXPORTED_NAMESPACE = 11;
  private static final int HPC_JOB = 12;
  private static final int NAME = 13;

  private static final Table TABLE = Table.GPU_SAMPLES;
  private static final int I_TS = TABLE.index(GpuSamples.TS);
  private static final int I_HOST = TABLE.index(GpuSamples.HOST);
  private static final int I_UUID = TABLE.index(GpuSamples.GPU_UUID);
  private static final int I_INDEX = TABLE.index(GpuSamples.GPU_INDEX);
  private static final int I_MODEL = TABLE.index(GpuSamples.GPU_MODEL);
  private static final int I_MIG_PROFILE = TABLE.index(GpuSamples.MIG_PROFILE);
  private static final int I_MIG_INSTANCE = TABLE.index(GpuSamples.MIG_INSTANCE);
  private static final int I_HPC_JOB = TABLE.index(GpuSamples.HPC_JOB);
  private static final int I_POD = TABLE.index(GpuSamples.POD);
  private static final int I_NAMESPACE = TABLE.index(GpuSamples.NAMESPACE);

  static {
    for (int m = 0; m < METRICS.length; m++) {
      METRIC_COLUMN[m] = TABLE.index(METRICS[m].column());
    }
  }

  private static final double INT64_BLANK_FLOOR = 9.2e18;
  private static final double FP64_BLANK = 140737488355328.0;
  private static final double INT32_BLANK = 0x7ffffff0;
  /** Integers at or above this are epoch milliseconds; below, epoch seconds. */
  private static final long MILLIS_FLOOR = 100_000_000_000L;
  /** 10000-01-01T00:00:00Z: Spark timestamps end before it. */
  private static final long MAX_EPOCH_SECONDS = 253_402_300_800L;

  static final String NO_SCRAPE_TIME = "no timestamp and the file states no '# scrape_time:' comment"
      + " (a raw scrape is dated by --scrape-time or --scrape-time-from-mtime)";

  public PrometheusParser() {
    super(FORMAT, TABLE);
  }

  @Override
  public boolean mergesSamples() {
    return true;
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    if (head == null) {
      return false;
    }
    try {
      FileScan probe = new FileScan(null, params);
      for (String line : head) {
        if (line == null) {
          continue;
        }
        String t = line.strip();
        if (t.startsWith("# HELP ") || t.startsWith("# TYPE ")) {
          String rest = t.substring(7);
          if (rest.startsWith("DCGM_") || rest.startsWith("dcgm_")) {
            return true;
          }
        } else if (t.startsWith("# scrape_time")) {
          return true;
        } else if (!t.isEmpty() && t.charAt(0) != '#' && probe.looksLikeSample(t)) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    BufferedReader reader =
        in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    FileScan scan = new FileScan(sink, file.params());
    scan.scrapeTs = givenScrapeTime(file);
    long lineNo = 0;
    String line;
    while ((line = reader.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      scan.line(lineNo, line);
    }
  }

  /**
   * The byte path (see {@link ByteLines}): lines numbered from {@code firstLine} until one starts at or
   * after stream offset {@code endOffset}; clean sample lines read by {@link PrometheusBytes}, every
   * other line by the text path. Returns the number of the last line read.
   */
  long parse(InputFile file, ByteLines lines, long firstLine, long endOffset, RowSink sink) throws IOException {
    return parse(file, lines, firstLine, endOffset, sink, null);
  }

  /**
   * As {@link #parse(InputFile, ByteLines, long, long, RowSink)} for a byte range after a file's start
   * ({@link LineSplits}): a {@code # scrape_time:} comment before the range still dates its samples, so
   * when a sample without a timestamp comes before any such comment in the range, {@code before} reads
   * the lines before the range into the given scan (once, and only then; null for a file's first range).
   */
  long parse(InputFile file, ByteLines lines, long firstLine, long endOffset, RowSink sink, Before before)
      throws IOException {
    FileScan scan = new FileScan(sink, file.params());
    scan.scrapeTs = givenScrapeTime(file);
    scan.before = before;
    PrometheusBytes bytes = scan.bytes();
    return lines.read(firstLine, endOffset, new ByteLines.Consumer() {
      @Override
      public void clean(long lineNo, byte[] b, int s, int e) {
        int kind = bytes.scan(b, s, e);
        if (kind == PrometheusBytes.IGNORED) {
          sink.ignore(lineNo);
        } else if (kind != PrometheusBytes.SAMPLE || !scan.scanned(lineNo, bytes)) {
          scan.line(lineNo, new String(b, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
      }

      @Override
      public void text(long lineNo, String line) {
        scan.line(lineNo, lineNo == 1 ? TextScan.stripBom(line) : line);
      }
    });
  }

  /**
   * When the run says a raw scrape was taken: {@code --scrape-time}, else with
   * {@code --scrape-time-from-mtime} the file's modification time, else null (its samples without a
   * timestamp are quarantined). A {@code # scrape_time:} comment in the file overrides either for the
   * samples after it.
   */
  static Timestamp givenScrapeTime(InputFile file) {
    IngestParams p = file.params();
    if (p == null) {
      return null;
    }
    if (p.scrapeTime() != null) {
      return Timestamp.from(p.scrapeTime());
    }
    if (p.scrapeTimeFromMtime() && file.modifiedMillis() >= 0) {
      return new Timestamp(file.modifiedMillis());
    }
    return null;
  }

  /** Reads the lines before a range into a scan (see {@link #commentsBefore}). */
  interface Before {
    void read(ByteLines.Consumer comments) throws IOException;
  }

  /**
   * What the lines before a range leave as the scrape time: each comment line among them read as the
   * range's own scan would, into a scan whose quarantine and counts are dropped (the range that holds
   * those lines reports them).
   */
  private static Timestamp commentsBefore(Before before, IngestParams params, Timestamp given) {
    FileScan prior = new FileScan(new RowSink() {
      @Override
      public Object[] newRow() {
        return new Object[0];
      }

      @Override
      public void emit(long line, Object[] row) {}

      @Override
      public void recordAccepted() {}

      @Override
      public void quarantine(long line, String reason, String raw) {}

      @Override
      public void ignore(long line) {}
    }, params);
    prior.scrapeTs = given;
    try {
      before.read(new ByteLines.Consumer() {
        @Override
        public void clean(long lineNo, byte[] b, int s, int e) {
          int i = s;
          while (i < e && (b[i] == ' ' || b[i] == '\t')) {
            i++;
          }
          if (i < e && b[i] == '#') {
            prior.line(lineNo, new String(b, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1));
          }
        }

        @Override
        public void text(long lineNo, String line) {
          String t = lineNo == 1 ? TextScan.stripBom(line) : line;
          int i = skipSpaces(t, 0);
          if (i < t.length() && t.charAt(i) == '#') {
            prior.line(lineNo, t);
          }
        }
      });
    } catch (IOException e) {
      throw new InputFileException("cannot read the lines before a range for its scrape time: " + e.getMessage(), e);
    }
    return prior.scrapeTs;
  }

  /** State of one file's parse: the current scrape time and the label values of the last lines. */
  private static final class FileScan {
    private final RowSink sink;
    private final String[] vals = new String[LABELS.length];
    private final String[] last = new String[LABELS.length];
    private final StringBuilder sb = new StringBuilder(64);
    private final IngestParams params;
    /** The plausible window of sample times, in epoch seconds (see {@link Plausibility}). */
    private final long earliestSeconds;
    private final long latestSeconds;
    private Timestamp scrapeTs;
    /** For a range after the file's start: the lines before it, read when a sample first needs the scrape time. */
    private Before before;
    private long lastTsSeconds = Long.MIN_VALUE;
    private long lastTsNanos;
    private Timestamp lastTs;

    // Results of scanning one sample line.
    private int seen;
    private int metric;
    private int nameStart;
    private int nameEnd;
    private int labelsEnd;
    /** Whether the label value {@link #quotedValueEnd} last read holds a backslash escape. */
    private boolean valueEscaped;
    private int valueStart;
    private int valueEnd;
    private int tsStart;
    private int tsEnd;

    /** The scan found a metric we do not use; the line is ignored. */
    private static final String UNUSED = new String("unused metric");

    FileScan(RowSink sink, IngestParams params) {
      this.sink = sink;
      this.params = params;
      this.earliestSeconds = Plausibility.EARLIEST.getEpochSecond();
      this.latestSeconds = params == null ? Long.MAX_VALUE : Plausibility.latest(params).getEpochSecond();
    }

    /** A byte-level reader of this scan's lines, sharing its label values. */
    PrometheusBytes bytes() {
      String[] names = new String[METRICS.length];
      for (int m = 0; m < METRICS.length; m++) {
        names[m] = METRICS[m].name();
      }
      return new PrometheusBytes(names, LABELS, NAME, vals);
    }

    /**
     * A sample line read by {@link PrometheusBytes}: emitted or ignored when it passes every check the
     * text path makes; false when it does not, and the text path must read it for the reason.
     */
    boolean scanned(long lineNo, PrometheusBytes b) {
      Metric m = METRICS[b.metric];
      double v = b.value;
      if (isBlank(v, m.kind())) {
        sink.ignore(lineNo);
        return true;
      }
      String host = host();
      if (!inRange(m, v) || host == null || absurd(m, v, null) != null) {
        return false;
      }
      Integer index = null;
      if (vals[GPU] != null) {
        index = PrometheusParser.gpuIndex(vals[GPU]);
        if (index == null) {
          return false;
        }
      }
      if (vals[UUID] == null && index == null) {
        return false;
      }
      Timestamp ts;
      if (!b.hasTs) {
        ts = scrapeTime();
        if (ts == null) {
          return false;
        }
      } else {
        long whole = b.tsWhole;
        long seconds = whole < MILLIS_FLOOR ? whole : whole / 1000;
        long nanos = whole < MILLIS_FLOOR ? 0 : (whole % 1000) * 1_000_000L;
        if (seconds >= MAX_EPOCH_SECONDS) {
          return false;
        }
        ts = cachedTime(seconds, nanos);
      }
      long seconds = Math.floorDiv(ts.getTime(), 1000L);
      if (seconds < earliestSeconds || seconds > latestSeconds) {
        return false;
      }
      metric = b.metric;
      emit(lineNo, m, v, host, index, ts);
      return true;
    }

    void line(long lineNo, String line) {
      String damage = Plausibility.textDamage(line);
      if (damage != null) {
        sink.quarantine(lineNo, damage, line);
        return;
      }
      int n = line.length();
      int i = skipSpaces(line, 0);
      if (i == n) {
        sink.ignore(lineNo);
        return;
      }
      if (line.charAt(i) == '#') {
        comment(lineNo, line, i + 1);
        return;
      }
      String bad = scan(line, i, false);
      if (bad == UNUSED) {
        sink.ignore(lineNo);
        return;
      }
      if (bad != null) {
        sink.quarantine(lineNo, bad, line);
        return;
      }
      Metric m = METRICS[metric];
      double v = parseNumber(line, valueStart, valueEnd);
      if (Double.isNaN(v) && !isNanToken(line, valueStart, valueEnd)) {
        sink.quarantine(lineNo, "value of " + m.name() + ": expected a number, '"
            + line.substring(valueStart, valueEnd) + "'", line);
        return;
      }
      if (Double.isNaN(v)) {
        // No reading either way; only a dump of the TSDB can hold staleness markers (see the class comment)
        if (line.charAt(i) == '{' && tsStart >= 0) {
          sink.staleMarker(lineNo);
        } else {
          sink.ignore(lineNo);
        }
        return;
      }
      if (isBlank(v, m.kind())) {
        sink.ignore(lineNo);
        return;
      }
      String range = checkRange(m, v, line, valueStart, valueEnd);
      if (range != null) {
        sink.quarantine(lineNo, range, line);
        return;
      }
      String host = host();
      if (host == null) {
        sink.quarantine(lineNo, "labels of " + m.name()
            + ": expected Hostname, hostname or instance to name the host", line);
        return;
      }
      try {
        Integer index = gpuIndex(m);
        Timestamp ts = timestamp(line);
        String absurd = absurd(m, v, line);
        if (absurd != null) {
          throw new Rejected(absurd);
        }
        emit(lineNo, m, v, host, index, ts);
      } catch (Rejected e) {
        sink.quarantine(lineNo, e.getMessage(), line);
      }
    }

    /** The gpu label as an index (null without one); the GPU must be named by it or by UUID. */
    private Integer gpuIndex(Metric m) throws Rejected {
      return gpuIndexOf(vals, m.name());
    }

    /** The sample's own timestamp, else the last scrape time; plausible. */
    private Timestamp timestamp(String line) throws Rejected {
      Timestamp ts;
      if (tsStart < 0) {
        ts = scrapeTime();
        if (ts == null) {
          throw new Rejected(NO_SCRAPE_TIME);
        }
      } else {
        ts = sampleTime(line, tsStart, tsEnd);
        if (ts == null) {
          throw new Rejected("timestamp: expected epoch seconds or milliseconds, '"
              + line.substring(tsStart, tsEnd) + "'");
        }
      }
      long seconds = Math.floorDiv(ts.getTime(), 1000L);
      if (seconds < earliestSeconds || seconds > latestSeconds) {
        String printed = tsStart < 0 ? "" : line.substring(tsStart, tsEnd) + " = ";
        throw new Rejected(Plausibility.implausibleTime("timestamp", ts.toInstant(), printed + ts.toInstant(), params));
      }
      return ts;
    }

    private void emit(long lineNo, Metric m, double v, String host, Integer index, Timestamp ts) {
      Object[] row = sink.newRow();
      row[I_TS] = ts;
      seriesColumns(row, vals, host, index);
      putValue(row, metric, v);
      sink.emit(lineNo, row);
      sink.recordAccepted();
    }

    /** The scrape time in force, with the comments before a range read the first time it is needed. */
    private Timestamp scrapeTime() {
      if (before != null) {
        scrapeTs = commentsBefore(before, params, scrapeTs);
        before = null;
      }
      return scrapeTs;
    }

    /** A {@code # scrape_time:} comment dates the samples after it; any other comment is ignored. */
    private void comment(long lineNo, String line, int from) {
      int i = skipSpaces(line, from);
      String key = "scrape_time";
      if (!line.startsWith(key, i)) {
        sink.ignore(lineNo);
        return;
      }
      i = skipSpaces(line, i + key.length());
      if (i >= line.length() || (line.charAt(i) != ':' && line.charAt(i) != '=')) {
        sink.ignore(lineNo);
        return;
      }
      // a scrape time in the range overrides whatever came before it
      before = null;
      String value = line.substring(i + 1).strip();
      try {
        Instant t = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, Instant::from);
        String implausible = Plausibility.implausibleTime("# scrape_time", t, value, params);
        if (implausible != null) {
          // the samples after it cannot be placed in time, as after an unreadable scrape time
          scrapeTs = null;
          sink.quarantine(lineNo, implausible, line);
          return;
        }
        scrapeTs = Timestamp.from(t);
        sink.ignore(lineNo);
      } catch (DateTimeParseException e) {
        // Samples after a scrape time we cannot read belong to an unknown time, not the previous one.
        scrapeTs = null;
        sink.quarantine(lineNo,
            "# scrape_time: expected an ISO-8601 time with offset, '" + value + "'", line);
      }
    }

    /** Whether a head line is a Prometheus sample of a DCGM metric, or of any metric with labels. */
    boolean looksLikeSample(String line) {
      String bad = scan(line, 0, true);
      if (bad != null && bad != UNUSED) {
        return false;
      }
      boolean dcgm = line.startsWith("DCGM_", nameStart) || line.startsWith("dcgm_", nameStart);
      boolean labelled = line.indexOf('{') >= 0;
      if (!dcgm && !labelled) {
        return false;
      }
      double v = parseNumber(line, valueStart, valueEnd);
      return !Double.isNaN(v) || isNanToken(line, valueStart, valueEnd);
    }

    /**
     * Scans {@code NAME{labels} value [timestamp]} or promtool's {@code {__name__="NAME", ...} value
     * timestamp}. Returns null when the line is a sample of a used metric, {@link #UNUSED} for other
     * metrics, or the reason it is malformed. Lines of other metrics are only scanned to the end
     * when {@code whole} (detection), to keep the ingest's common case cheap.
     */
    private String scan(String line, int from, boolean whole) {
      reset();
      int n = line.length();
      int i = from;
      char c = line.charAt(i);
      if (c != '{') {
        if (!isNameStart(c)) {
          return "expected a metric name at the start of the line";
        }
        nameStart = i;
        while (i < n && isNameChar(line.charAt(i))) {
          i++;
        }
        nameEnd = i;
        metric = lookupMetric(line, nameStart, nameEnd);
        if (metric < 0 && !whole) {
          return UNUSED;
        }
      }
      if (i < n && line.charAt(i) == '{') {
        String bad = labels(line, i + 1);
        if (bad != null) {
          return bad;
        }
        i = labelsEnd;
        if (metric < 0) {
          if (nameStart < 0) {
            return "labels: expected __name__ to name the metric";
          }
          metric = lookupMetric(line, nameStart, nameEnd);
          if (metric < 0 && !whole) {
            return UNUSED;
          }
        }
      }
      String bad = valueAndTimestamp(line, i);
      if (bad != null) {
        return bad;
      }
      return metric < 0 ? UNUSED : null;
    }

    /** Forgets the previous line's scan results. */
    private void reset() {
      seen = 0;
      metric = -1;
      nameStart = -1;
      nameEnd = -1;
      tsStart = -1;
      tsEnd = -1;
      for (int k = 0; k < vals.length; k++) {
        vals[k] = null;
      }
    }

    /**
     * Finds the value and the optional timestamp after the name and labels, which end at {@code i};
     * null, or the reason the rest of the line is malformed.
     */
    private String valueAndTimestamp(String line, int i) {
      int n = line.length();
      int j = skipSpaces(line, i);
      if (j == i || j == n) {
        return "value of " + line.substring(nameStart, nameEnd) + ": expected a space and a number";
      }
      valueStart = j;
      while (j < n && !isSpace(line.charAt(j))) {
        j++;
      }
      valueEnd = j;
      j = skipSpaces(line, j);
      if (j < n && line.charAt(j) != '#') {
        tsStart = j;
        while (j < n && !isSpace(line.charAt(j))) {
          j++;
        }
        tsEnd = j;
        j = skipSpaces(line, j);
      }
      // An OpenMetrics exemplar (" # {...} v") may follow; anything else is garbage.
      if (j < n && line.charAt(j) != '#') {
        return "expected the line to end after the timestamp, '" + line.substring(j) + "'";
      }
      return null;
    }

    /** Reads labels from just after '{' through '}'; {@link #labelsEnd} is the position after it. */
    private String labels(String line, int from) {
      int n = line.length();
      int i = from;
      while (true) {
        i = skipSpaces(line, i);
        if (i >= n) {
          return "labels: expected '}' before the end of the line";
        }
        if (line.charAt(i) == '}') {
          labelsEnd = i + 1;
          return null;
        }
        int ls = i;
        if (!isLabelStart(line.charAt(i))) {
          return "labels: expected a label name at column " + (i + 1);
        }
        while (i < n && isLabelChar(line.charAt(i))) {
          i++;
        }
        int le = i;
        i = skipSpaces(line, i);
        if (i >= n || line.charAt(i) != '=') {
          return "labels: expected '=' after label '" + line.substring(ls, le) + "'";
        }
        i = skipSpaces(line, i + 1);
        if (i >= n || line.charAt(i) != '"') {
          return "labels: expected a quoted value for label '" + line.substring(ls, le) + "'";
        }
        int vs = ++i;
        i = quotedValueEnd(line, vs);
        if (i >= n) {
          return "labels: unterminated value of label '" + line.substring(ls, le) + "'";
        }
        int ve = i++;
        String bad = keepLabel(line, ls, le, vs, ve, valueEscaped);
        if (bad != null) {
          return bad;
        }
        i = skipSpaces(line, i);
        if (i < n && line.charAt(i) == ',') {
          i++;
        } else if (i >= n || line.charAt(i) != '}') {
          return "labels: expected ',' or '}' after the value of label '" + line.substring(ls, le) + "'";
        }
      }
    }

    /**
     * The position of the quote that closes a label value starting at {@code vs} (at or past the end
     * of the line when none does); {@link #valueEscaped} tells whether a backslash escape was on the way.
     */
    private int quotedValueEnd(String line, int vs) {
      int n = line.length();
      int i = vs;
      boolean escaped = false;
      while (i < n) {
        char d = line.charAt(i);
        if (d == '"') {
          break;
        }
        if (d == '\\') {
          escaped = true;
          i += 2;
        } else {
          i++;
        }
      }
      valueEscaped = escaped;
      return i;
    }

    /**
     * Keeps the value {@code [vs, ve)} of label {@code [ls, le)} when it is one we use (the metric name
     * from {@code __name__}, the others in {@link #vals}); null, or the reason when it appears twice.
     */
    private String keepLabel(String line, int ls, int le, int vs, int ve, boolean escaped) {
      int slot = labelSlot(line, ls, le);
      if (slot < 0) {
        return null;
      }
      if ((seen & (1 << slot)) != 0) {
        return "labels: label '" + LABELS[slot] + "' appears twice";
      }
      seen |= 1 << slot;
      if (slot == NAME) {
        if (nameStart < 0) {
          nameStart = vs;
          nameEnd = ve;
        }
      } else if (ve > vs) {
        vals[slot] = escaped ? unescaped(slot, line, vs, ve) : plain(slot, line, vs, ve);
      }
      return null;
    }

    /** The value as a String, reusing the previous line's instance when equal: labels repeat. */
    private String plain(int slot, String line, int vs, int ve) {
      String prev = last[slot];
      int len = ve - vs;
      if (prev != null && prev.length() == len && line.regionMatches(vs, prev, 0, len)) {
        return prev;
      }
      String s = line.substring(vs, ve);
      last[slot] = s;
      return s;
    }

    private String unescaped(int slot, String line, int vs, int ve) {
      sb.setLength(0);
      for (int i = vs; i < ve; i++) {
        char c = line.charAt(i);
        if (c == '\\' && i + 1 < ve) {
          char e = line.charAt(++i);
          if (e == 'n') {
            sb.append('\n');
          } else if (e == '"' || e == '\\') {
            sb.append(e);
          } else {
            // Not an escape the format defines: keep both characters as written.
            sb.append(c).append(e);
          }
        } else {
          sb.append(c);
        }
      }
      String prev = last[slot];
      if (prev != null && prev.contentEquals(sb)) {
        return prev;
      }
      String s = sb.toString();
      last[slot] = s;
      return s;
    }

    private String host() {
      return hostOf(vals);
    }

    /** The sample's own time, or null when the token is no epoch time of years 1970..9999. */
    private Timestamp sampleTime(String line, int s, int e) {
      long whole = 0;
      int i = s;
      while (i < e && isDigit(line.charAt(i)) && i - s < 18) {
        whole = whole * 10 + (line.charAt(i) - '0');
        i++;
      }
      if (i == s) {
        return null;
      }
      long seconds;
      long nanos;
      if (i == e) {
        seconds = whole < MILLIS_FLOOR ? whole : whole / 1000;
        nanos = whole < MILLIS_FLOOR ? 0 : (whole % 1000) * 1_000_000L;
      } else if (line.charAt(i) == '.' && whole < MILLIS_FLOOR) {
        long frac = 0;
        int digits = 0;
        i++;
        while (i < e && isDigit(line.charAt(i))) {
          if (digits < 9) {
            frac = frac * 10 + (line.charAt(i) - '0');
            digits++;
          }
          i++;
        }
        if (i != e) {
          return exponentTime(line, s, e);
        }
        for (; digits < 9; digits++) {
          frac *= 10;
        }
        seconds = whole;
        nanos = frac;
      } else {
        return exponentTime(line, s, e);
      }
      if (seconds >= MAX_EPOCH_SECONDS) {
        return null;
      }
      return cachedTime(seconds, nanos);
    }

    /** The previous line's Timestamp when the time is the same: a scrape's lines share one. */
    private Timestamp cachedTime(long seconds, long nanos) {
      if (seconds != lastTsSeconds || nanos != lastTsNanos) {
        lastTsSeconds = seconds;
        lastTsNanos = nanos;
        lastTs = Timestamp.from(Instant.ofEpochSecond(seconds, nanos));
      }
      return lastTs;
    }

    /** Rare forms such as {@code 1.7093736e9}: seconds below 10^11, milliseconds above. */
    private static Timestamp exponentTime(String line, int s, int e) {
      double d = parseNumber(line, s, e);
      if (!(d >= 0) || Double.isInfinite(d)) {
        return null;
      }
      double seconds = d < MILLIS_FLOOR ? d : d / 1000.0;
      if (seconds >= MAX_EPOCH_SECONDS) {
        return null;
      }
      long whole = (long) Math.floor(seconds);
      long nanos = Math.min(999_999_999L, Math.round((seconds - whole) * 1e9));
      return Timestamp.from(Instant.ofEpochSecond(whole, nanos));
    }

    private int lookupMetric(String line, int s, int e) {
      int len = e - s;
      for (int m = 0; m < METRICS.length; m++) {
        String name = METRICS[m].name();
        if (name.length() == len && line.regionMatches(s, name, 0, len)) {
          return m;
        }
      }
      return -1;
    }

    private static int labelSlot(String line, int s, int e) {
      int len = e - s;
      for (int k = 0; k < LABELS.length; k++) {
        String name = LABELS[k];
        if (name.length() == len && line.regionMatches(s, name, 0, len)) {
          return k;
        }
      }
      return -1;
    }
  }

  private static boolean inRange(Metric m, double v) {
    return switch (m.kind()) {
      case PERCENT -> v >= 0 && v <= 100;
      case RATIO -> v >= 0 && v <= 1;
      default -> v >= 0 && !Double.isInfinite(v);
    };
  }

  // What the other Prometheus-derived format (PrometheusJsonParser, the HTTP API's JSON) shares with
  // this one, so that both map a metric, its value and its labels to the same gpu_samples columns.

  /** Index of a metric we use, by its exact name; -1 for any other metric. */
  static int metricIndex(String name) {
    for (int m = 0; m < METRICS.length; m++) {
      if (METRICS[m].name().equals(name)) {
        return m;
      }
    }
    return -1;
  }

  static String metricName(int metric) {
    return METRICS[metric].name();
  }

  /** Slot of a label we read (as in a {@code String[]} of {@link #labelCount()} values), or -1. */
  static int labelSlot(String name) {
    for (int k = 0; k < LABELS.length; k++) {
      if (LABELS[k].equals(name) && k != NAME) {
        return k;
      }
    }
    return -1;
  }

  static int labelCount() {
    return LABELS.length;
  }

  /** The host a series names: {@code Hostname}, else {@code hostname}, else {@code instance} without its port. */
  static String hostOf(String[] vals) {
    if (vals[HOSTNAME_UPPER] != null) {
      return vals[HOSTNAME_UPPER];
    }
    if (vals[HOSTNAME_LOWER] != null) {
      return vals[HOSTNAME_LOWER];
    }
    String inst = vals[INSTANCE];
    if (inst == null) {
      return null;
    }
    if (inst.startsWith("[")) {
      int close = inst.indexOf(']');
      return close > 1 ? inst.substring(1, close) : null;
    }
    int colon = inst.indexOf(':');
    // More than one colon is a bare IPv6 address, which has no port to strip.
    if (colon >= 0 && inst.indexOf(':', colon + 1) < 0) {
      return colon > 0 ? inst.substring(0, colon) : null;
    }
    return inst;
  }

  /** The gpu label as an index (null without one); the GPU must be named by it or by UUID. */
  static Integer gpuIndexOf(String[] vals, String metricName) throws Rejected {
    Integer index = null;
    if (vals[GPU] != null) {
      index = PrometheusParser.gpuIndex(vals[GPU]);
      if (index == null) {
        throw new Rejected("label gpu: expected a GPU index, '" + vals[GPU] + "'");
      }
    }
    if (vals[UUID] == null && index == null) {
      throw new Rejected("labels of " + metricName + ": expected UUID or gpu to name the GPU");
    }
    return index;
  }

  /** Whether a value is a DCGM blank sentinel for this metric: the field had no value, no error. */
  static boolean isBlankValue(int metric, double v) {
    return isBlank(v, METRICS[metric].kind());
  }

  /** Why a number (printed as {@code printed}) is no reading of this metric, or null. */
  static String valueProblem(int metric, double v, String printed) {
    Metric m = METRICS[metric];
    String range = checkRange(m, v, printed, 0, printed.length());
    return range != null ? range : absurd(m, v, printed);
  }

  /** Puts a metric's value into its column, percent scaled to a ratio. */
  static void putValue(Object[] row, int metric, double v) {
    row[METRIC_COLUMN[metric]] = METRICS[metric].kind() == Kind.PERCENT ? v / 100.0 : v;
  }

  /** Fills the series columns of a row (host, GPU, model, MIG instance, job, pod) from label values by slot. */
  static void seriesColumns(Object[] row, String[] vals, String host, Integer index) {
    row[I_HOST] = host;
    row[I_UUID] = vals[UUID];
    row[I_INDEX] = index;
    row[I_MODEL] = vals[MODEL];
    row[I_MIG_PROFILE] = vals[MIG_PROFILE];
    row[I_MIG_INSTANCE] = vals[MIG_ID];
    row[I_HPC_JOB] = vals[HPC_JOB];
    row[I_POD] = vals[EXPORTED_POD] != null ? vals[EXPORTED_POD] : vals[POD];
    row[I_NAMESPACE] = vals[EXPORTED_NAMESPACE] != null ? vals[EXPORTED_NAMESPACE] : vals[NAMESPACE];
  }

  private static String checkRange(Metric m, double v, String line, int s, int e) {
    String expected;
    if (m.kind() == Kind.PERCENT) {
      expected = v >= 0 && v <= 100 ? null : "a percent within 0..100";
    } else if (m.kind() == Kind.RATIO) {
      expected = v >= 0 && v <= 1 ? null : "a ratio within 0..1";
    } else {
      expected = v >= 0 && !Double.isInfinite(v) ? null : "a finite number >= 0";
    }
    return expected == null
        ? null
        : "value of " + m.name() + ": expected " + expected + ", '" + line.substring(s, e) + "'";
  }

  /** Why a value in range is still no plausible reading of one GPU (see {@link Plausibility}), or null. */
  private static String absurd(Metric m, double v, String line) {
    if (m.column().equals(GpuSamples.POWER_W) && v > Plausibility.MAX_POWER_W) {
      return "value of " + m.name() + ": " + v + " W is more than 5000 W, the plausible limit for one GPU";
    }
    if (m.column().equals(GpuSamples.SM_CLOCK_MHZ) && v > Plausibility.MAX_SM_CLOCK_MHZ) {
      return "value of " + m.name() + ": " + v + " MHz is more than 10000 MHz, the plausible limit";
    }
    return null;
  }

  /** A DCGM blank sentinel: the field had no value when the exporter read it. */
  private static boolean isBlank(double v, Kind kind) {
    if (Double.isInfinite(v)) {
      return false;
    }
    if (v >= INT64_BLANK_FLOOR) {
      return true;
    }
    if (v >= FP64_BLANK && v <= FP64_BLANK + 15) {
      return true;
    }
    return kind != Kind.COUNTER && v >= INT32_BLANK && v <= INT32_BLANK + 15;
  }

  /**
   * The number in {@code [s, e)}, NaN when it is not one. The characters are checked first so that
   * bad values cost no exception; {@code NaN} and {@code Inf} spellings are Go's, as Prometheus uses.
   */
  static double parseNumber(String line, int s, int e) {
    if (s >= e) {
      return Double.NaN;
    }
    boolean numeric = true;
    boolean digit = false;
    for (int i = s; i < e; i++) {
      char c = line.charAt(i);
      if (isDigit(c)) {
        digit = true;
      } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
        numeric = false;
        break;
      }
    }
    if (numeric && digit) {
      try {
        return Double.parseDouble(line.substring(s, e));
      } catch (NumberFormatException ex) {
        return Double.NaN;
      }
    }
    int i = s;
    boolean negative = false;
    if (line.charAt(i) == '+' || line.charAt(i) == '-') {
      negative = line.charAt(i) == '-';
      i++;
    }
    int len = e - i;
    if ((len == 3 && line.regionMatches(true, i, "inf", 0, 3))
        || (len == 8 && line.regionMatches(true, i, "infinity", 0, 8))) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return Double.NaN;
  }

  static boolean isNanToken(String line, int s, int e) {
    int i = s;
    if (i < e && (line.charAt(i) == '+' || line.charAt(i) == '-')) {
      i++;
    }
    return e - i == 3 && line.regionMatches(true, i, "nan", 0, 3);
  }

  private static Integer gpuIndex(String s) {
    int len = s.length();
    if (len == 0 || len > 6) {
      return null;
    }
    int v = 0;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return null;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int skipSpaces(String s, int i) {
    int n = s.length();
    while (i < n && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }


  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isNameChar(char c) {
    return isNameStart(c) || isDigit(c);
  }

  private static boolean isLabelStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isLabelChar(char c) {
    return isLabelStart(c) || isDigit(c);
  }

  @Override
  public boolean endsEveryLine() {
    return true;
  }
}
