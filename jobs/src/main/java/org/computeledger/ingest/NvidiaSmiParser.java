package org.computeledger.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * Ingest of {@code nvidia-smi --query-gpu=... --format=csv} logs into {@code gpu_samples}: one row
 * per GPU per logged line, with utilization, power and SM clock.
 *
 * <p>The header line names the columns (units in brackets are dropped), so any query order works,
 * with or without {@code nounits}; a repeated header (logs appended to) restarts the columns. A file
 * logged with {@code noheader} cannot be read: its rows are quarantined, as nothing names their
 * columns. Times are local, read in {@link IngestParams#schedulerZone()}. nvidia-smi names no host,
 * so by the input contract (PRODUCT.md §4) the host is the folder holding the file. Placeholders
 * ({@code [N/A]}, {@code [Not Supported]}, any bracketed message, {@code N/A}, empty) are null.
 */
public final class NvidiaSmiParser extends FormatParserBase {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "nvidia-smi";

  private static final CSVFormat CSV =
      CSVFormat.DEFAULT.builder().setIgnoreSurroundingSpaces(true).setTrim(true).build();

  /** Query names read, including nvidia-smi's aliases; power and clock alternatives in preference order. */
  private static final Map<String, Integer> FIELDS = Map.ofEntries(
      Map.entry("timestamp", Columns.TIMESTAMP),
      Map.entry("name", Columns.NAME),
      Map.entry("gpu_name", Columns.NAME),
      Map.entry("uuid", Columns.UUID),
      Map.entry("gpu_uuid", Columns.UUID),
      Map.entry("index", Columns.INDEX),
      Map.entry("utilization.gpu", Columns.UTIL),
      Map.entry("power.draw", Columns.POWER),
      // The 1 s average suits integration over sampling intervals better than one instant reading.
      Map.entry("power.draw.average", Columns.POWER_AVERAGE),
      Map.entry("power.draw.instant", Columns.POWER_INSTANT),
      Map.entry("clocks.sm", Columns.CLOCK),
      Map.entry("clocks.current.sm", Columns.CLOCK));

  private static final String NO_HEADER =
      "no header line before this row: nvidia-smi CSV needs its header (--format=csv without noheader)"
          + " to name the columns";

  private static final Table TABLE = Table.GPU_SAMPLES;
  private static final int I_TS = TABLE.index(GpuSamples.TS);
  private static final int I_HOST = TABLE.index(GpuSamples.HOST);
  private static final int I_UUID = TABLE.index(GpuSamples.GPU_UUID);
  private static final int I_INDEX = TABLE.index(GpuSamples.GPU_INDEX);
  private static final int I_MODEL = TABLE.index(GpuSamples.GPU_MODEL);
  private static final int I_UTIL = TABLE.index(GpuSamples.GPU_UTIL);
  private static final int I_POWER = TABLE.index(GpuSamples.POWER_W);
  private static final int I_CLOCK = TABLE.index(GpuSamples.SM_CLOCK_MHZ);

  public NvidiaSmiParser() {
    super(FORMAT, TABLE);
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    if (head == null) {
      return false;
    }
    try {
      for (String line : head) {
        if (line == null || line.isBlank()) {
          continue;
        }
        String t = line.strip();
        if (startsWithTimestamp(t) && t.length() > 23 && t.startsWith(", ", 23)) {
          return true;
        }
        List<String> cells = cells(t);
        return cells != null && isHeader(cells) && namesNvidiaSmiQuery(cells);
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    BufferedReader reader = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    LocalClock clock = new LocalClock(file.params());
    // --nvidia-smi-columns names the columns of a file written with noheader; a header line wins
    List<String> named = file.params().nvidiaSmiColumns();
    Columns given = named == null || named.isEmpty() ? null : Columns.of(named);
    if (given != null) {
      given.origin = "--nvidia-smi-columns";
    }
    String host = file.folderName() == null || file.folderName().isBlank() ? null : file.folderName();
    Columns cols = null;
    long lineNo = 0;
    String line;
    while ((line = reader.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      String damage = Plausibility.textDamage(line);
      if (damage != null) {
        sink.quarantine(lineNo, damage, line);
        continue;
      }
      if (line.isBlank()) {
        sink.ignore(lineNo);
        continue;
      }
      List<String> cells = cells(line);
      if (cells == null) {
        sink.quarantine(lineNo, "expected comma-separated values, found unbalanced quotes", line);
      } else if (isHeader(cells)) {
        cols = Columns.of(cells);
        sink.ignore(lineNo);
      } else if (cols == null && given == null) {
        sink.quarantine(lineNo, NO_HEADER, line);
      } else {
        String bad = row(cells, cols != null ? cols : given, clock, host, lineNo, sink);
        if (bad != null) {
          sink.quarantine(lineNo, bad, line);
        }
      }
    }
  }

  /** Emits the row of one data line, or returns why it cannot be read. */
  private static String row(
      List<String> cells, Columns cols, LocalClock localClock, String host, long lineNo, RowSink sink) {
    if (cells.size() != cols.width) {
      return "expected " + cols.width + " fields as in " + cols.origin + ", found " + cells.size();
    }
    if (cols.at[Columns.TIMESTAMP] < 0) {
      return "the header has no timestamp column, so rows cannot be placed in time";
    }
    if (host == null) {
      return "host: the file sits in no folder, and nvidia-smi names no host (PRODUCT.md §4)";
    }
    try {
      Timestamp ts = timestamp(cells.get(cols.at[Columns.TIMESTAMP]), localClock);
      String uuid = value(cells, cols.at[Columns.UUID]);
      Integer index = index(value(cells, cols.at[Columns.INDEX]));
      if (uuid == null && index == null) {
        return "fields uuid and index: expected one of them to name the GPU";
      }
      Double util = utilization(value(cells, cols.at[Columns.UTIL]));
      Double power = power(cells, cols);
      Double clock = clock(value(cells, cols.at[Columns.CLOCK]), cols);
      Object[] row = sink.newRow();
      row[I_TS] = ts;
      row[I_HOST] = host;
      row[I_UUID] = uuid;
      row[I_INDEX] = index;
      row[I_MODEL] = value(cells, cols.at[Columns.NAME]);
      row[I_UTIL] = util;
      row[I_POWER] = power;
      row[I_CLOCK] = clock;
      sink.emit(lineNo, row);
      sink.recordAccepted();
      return null;
    } catch (Rejected e) {
      return e.getMessage();
    }
  }

  /** The sample's instant: a local time in the host's zone, plausible, and noted by the clock. */
  private static Timestamp timestamp(String tsText, LocalClock localClock) throws Rejected {
    LocalDateTime local = localDateTime(tsText);
    if (local == null) {
      throw new Rejected("field timestamp: expected a local time yyyy/MM/dd HH:mm:ss.SSS, '" + tsText + "'");
    }
    Instant instant = localClock.toInstant(local);
    if (instant == null) {
      throw new Rejected("field timestamp: local time '" + tsText + "' does not exist in " + localClock.zone
          + " (skipped by the spring-forward change): the host's clock is not in --scheduler-timezone");
    }
    String implausible = Plausibility.implausibleTime("timestamp", instant, tsText, localClock.params);
    if (implausible != null) {
      throw new Rejected(implausible);
    }
    localClock.seen(instant);
    return Timestamp.from(instant);
  }

  private static Integer index(String indexText) throws Rejected {
    if (indexText == null) {
      return null;
    }
    double d = number(indexText, "");
    if (!(d >= 0) || d != Math.rint(d) || d > 1_000_000) {
      throw new Rejected("field index: expected a GPU index, '" + indexText + "'");
    }
    return (int) d;
  }

  /** utilization.gpu as a share of 1. */
  private static Double utilization(String utilText) throws Rejected {
    if (utilText == null) {
      return null;
    }
    double d = number(utilText, "%");
    if (!(d >= 0 && d <= 100)) {
      throw new Rejected("field utilization.gpu: expected a percent within 0..100, '" + utilText + "'");
    }
    return d / 100.0;
  }

  /** Watts from the first power column the header has, in {@link Columns#POWER_CHOICES} order. */
  private static Double power(List<String> cells, Columns cols) throws Rejected {
    for (int k : Columns.POWER_CHOICES) {
      String p = value(cells, cols.at[k]);
      if (p != null) {
        double d = number(p, "W");
        if (!(d >= 0) || Double.isInfinite(d)) {
          throw new Rejected("field " + cols.names[k] + ": expected watts >= 0, '" + p + "'");
        }
        if (d > Plausibility.MAX_POWER_W) {
          throw new Rejected("field " + cols.names[k] + ": '" + p
              + "' is more than 5000 W, the plausible limit for one GPU");
        }
        return d;
      }
    }
    return null;
  }

  private static Double clock(String clockText, Columns cols) throws Rejected {
    if (clockText == null) {
      return null;
    }
    double d = number(clockText, "MHz");
    if (!(d >= 0) || Double.isInfinite(d)) {
      throw new Rejected("field " + cols.names[Columns.CLOCK] + ": expected MHz >= 0, '" + clockText + "'");
    }
    if (d > Plausibility.MAX_SM_CLOCK_MHZ) {
      throw new Rejected("field " + cols.names[Columns.CLOCK] + ": '" + clockText
          + "' is more than 10000 MHz, the plausible limit");
    }
    return d;
  }

  /** Where each used field sits in the current header; -1 when the header lacks it. */
  private static final class Columns {
    static final int TIMESTAMP = 0;
    static final int NAME = 1;
    static final int UUID = 2;
    static final int INDEX = 3;
    static final int UTIL = 4;
    static final int POWER = 5;
    static final int POWER_AVERAGE = 6;
    static final int POWER_INSTANT = 7;
    static final int CLOCK = 8;
    static final int[] POWER_CHOICES = {POWER, POWER_AVERAGE, POWER_INSTANT};

    final int[] at = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
    final String[] names = new String[at.length];
    int width;
    /** Where the column list came from, for reasons. */
    String origin = "the header";

    static Columns of(List<String> header) {
      Columns c = new Columns();
      c.width = header.size();
      for (int i = 0; i < header.size(); i++) {
        String name = queryName(header.get(i));
        Integer k = FIELDS.get(name);
        if (k != null && c.at[k] < 0) {
          c.at[k] = i;
          c.names[k] = name;
        }
      }
      return c;
    }
  }

  /** A header line: every cell a query name (lowercase start, dotted words, optional [unit]). */
  private static boolean isHeader(List<String> cells) {
    boolean known = false;
    for (String cell : cells) {
      String name = queryName(cell);
      if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
        return false;
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.')) {
          return false;
        }
      }
      known |= FIELDS.containsKey(name);
    }
    return known;
  }

  /**
   * Whether a header is nvidia-smi's rather than another lowercase CSV header (the FLOP counter CSV
   * has {@code gpu_uuid} too): it starts with {@code timestamp} or names a dotted query field.
   */
  private static boolean namesNvidiaSmiQuery(List<String> header) {
    if (queryName(header.get(0)).equals("timestamp")) {
      return true;
    }
    for (String cell : header) {
      String name = queryName(cell);
      if (name.indexOf('.') > 0 && FIELDS.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code power.draw [W]} → {@code power.draw}. */
  private static String queryName(String cell) {
    int bracket = cell.indexOf(" [");
    return bracket >= 0 && cell.endsWith("]") ? cell.substring(0, bracket).strip() : cell;
  }

  /** The cells of one line, or null when its quoting is broken. */
  private static List<String> cells(String line) {
    try (CSVParser p = CSVParser.parse(line, CSV)) {
      Iterator<CSVRecord> records = p.iterator();
      return records.hasNext() ? records.next().toList() : List.of();
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      return null;
    }
  }

  /** The cell's text, or null for a missing column or a placeholder. */
  private static String value(List<String> cells, int at) {
    if (at < 0) {
      return null;
    }
    String v = cells.get(at);
    if (v.isEmpty() || v.equals("N/A") || (v.startsWith("[") && v.endsWith("]"))) {
      return null;
    }
    return v;
  }

  /**
   * The number in {@code 631.95 W} or {@code 631.95} (nounits); NaN unless the unit, when present,
   * is {@code unit}. Characters are checked before parsing so that bad input costs no exception.
   */
  private static double number(String text, String unit) {
    int space = text.indexOf(' ');
    String digits = text;
    if (space >= 0) {
      if (!text.substring(space + 1).strip().equals(unit)) {
        return Double.NaN;
      }
      digits = text.substring(0, space);
    }
    if (digits.isEmpty()) {
      return Double.NaN;
    }
    boolean digit = false;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
        return Double.NaN;
      }
    }
    if (!digit) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static boolean startsWithTimestamp(String s) {
    return s.length() >= 19
        && TextScan.digits(s, 0, 4) >= 0 && s.charAt(4) == '/' && TextScan.digits(s, 5, 7) >= 0
        && s.charAt(7) == '/' && TextScan.digits(s, 8, 10) >= 0 && s.charAt(10) == ' '
        && TextScan.digits(s, 11, 13) >= 0 && s.charAt(13) == ':' && TextScan.digits(s, 14, 16) >= 0
        && s.charAt(16) == ':' && TextScan.digits(s, 17, 19) >= 0;
  }

  /** {@code 2026/07/14 08:12:53.353} (milliseconds optional) in {@code zone}, or null. */
  static Timestamp localTime(String s, ZoneId zone) {
    LocalDateTime local = localDateTime(s);
    // In the autumn overlap the earlier offset is taken; nvidia-smi prints no offset to tell.
    return local == null ? null : Timestamp.from(local.atZone(zone).toInstant());
  }

  /**
   * Local times of one file to instants. nvidia-smi prints the host's wall clock, which never shows
   * a time of the spring-forward gap: such a time means the host is not in --scheduler-timezone, and
   * shifting it an hour (as java.time would) could lay it over the real samples of that hour, so it
   * is quarantined. In the autumn overlap a time is taken at the earlier offset (the first pass
   * through the hour), unless the file already holds a sample after that instant: a log is written
   * in time order, so the file is then in the second pass and the later offset is taken.
   */
  static final class LocalClock {
    final ZoneId zone;
    final IngestParams params;
    private final java.time.zone.ZoneRules rules;
    private Instant latest;

    LocalClock(IngestParams params) {
      this.params = params;
      this.zone = params.schedulerZone();
      this.rules = zone.getRules();
    }

    /** The instant of a local time, or null when it falls in a gap. */
    Instant toInstant(LocalDateTime local) {
      List<java.time.ZoneOffset> offsets = rules.getValidOffsets(local);
      if (offsets.isEmpty()) {
        return null;
      }
      Instant earlier = local.toInstant(offsets.get(0));
      if (offsets.size() == 1 || latest == null || !earlier.isBefore(latest)) {
        return earlier;
      }
      // java.time lists the earlier offset first: the larger one, i.e. the earlier instant
      return local.toInstant(offsets.get(offsets.size() - 1));
    }

    void seen(Instant t) {
      if (latest == null || t.isAfter(latest)) {
        latest = t;
      }
    }
  }

  /** {@code 2026/07/14 08:12:53.353} (milliseconds optional) as printed, or null. */
  static LocalDateTime localDateTime(String s) {
    if (!startsWithTimestamp(s)) {
      return null;
    }
    int nanos = 0;
    if (s.length() > 19) {
      if (s.charAt(19) != '.' || s.length() == 20 || s.length() > 29 || TextScan.digits(s, 20, s.length()) < 0) {
        return null;
      }
      int scale = 100_000_000;
      for (int i = 20; i < s.length(); i++, scale /= 10) {
        nanos += (s.charAt(i) - '0') * scale;
      }
    }
    try {
      return LocalDateTime.of(num(s, 0, 4), num(s, 5, 7), num(s, 8, 10),
          num(s, 11, 13), num(s, 14, 16), num(s, 17, 19), nanos);
    } catch (DateTimeException e) {
      return null;
    }
  }


  private static int num(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }
}
