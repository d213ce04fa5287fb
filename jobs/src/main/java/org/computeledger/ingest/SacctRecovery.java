package org.computeledger.ingest;

import static org.computeledger.ingest.SchedulerClock.BAD_TIME;
import static org.computeledger.ingest.SchedulerClock.parseLocalTime;
import static org.computeledger.ingest.TextScan.isDigit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a sacct {@code --parsable} record that has more fields than its layout: sacct does not escape
 * its delimiter, so a job name or comment holding {@code |} splits into several fields. {@link SacctParser}
 * asks for a reading when {@link SacctLayout#split} finds too many fields.
 *
 * <p>Only columns of free text (JobName, Comment, WCKey, SubmitLine, Constraints, WorkDir, ...) may absorb
 * extra fields; every other column takes exactly one, and those of fixed shape (JobID, State, times,
 * durations, counts, exit codes, TRES lists) must show that shape. A record is read when every reading
 * that passes these checks gives the same values to the columns the parser uses. When they differ (two
 * free-text columns side by side, like JobName and Comment, or a shift through a run of empty columns), the
 * readings with fewer signs of a wrong split win: field boundaries next to a space ({@code a | b} is how
 * people write a bar in text, while a value that starts or ends with a space is rare) and free-text values
 * that start or end with the delimiter. If readings still differ after that, the record is not guessed at.
 */
final class SacctRecovery {
  /** What a column may hold, as sacct prints it. */
  enum Shape { FREE, ANY, JOB_ID, JOB_ID_RAW, STATE, TIME, DURATION, COUNT, EXIT_CODE, TRES, SIZE }

  /** Columns whose text users or admins choose, so they may hold any delimiter. */
  static final Set<String> FREE_TEXT = Set.of("jobname", "comment", "admincomment", "systemcomment", "wckey",
      "submitline", "constraints", "workdir", "stdout", "stderr", "stdin", "container", "extra", "mcslabel");

  private static final Set<String> TIMES = Set.of("submit", "start", "end", "eligible");
  private static final Set<String> DURATIONS = Set.of("elapsed", "timelimit", "cputime", "totalcpu", "usercpu",
      "systemcpu", "reserved", "planned", "plannedcpu", "suspended", "avecpu", "mincpu", "resvcpu");
  private static final Set<String> COUNTS = Set.of("elapsedraw", "cputimeraw", "nnodes", "ncpus", "ntasks",
      "reqcpus", "alloccpus", "allocnodes", "reqnodes", "uid", "gid", "priority", "plannedcpuraw",
      "resvcpuraw", "arrayjobid", "hetjobid", "hetjoboffset", "maxdiskreadtask",
      "maxdiskwritetask", "maxrsstask", "maxvmsizetask", "maxpagestask", "mincputask", "dbindex");
  private static final Set<String> EXIT_CODES = Set.of("exitcode", "derivedexitcode");
  private static final Set<String> SIZES = Set.of("reqmem", "maxrss", "averss", "maxvmsize", "avevmsize",
      "maxdiskread", "avediskread", "maxdiskwrite", "avediskwrite", "maxpages", "avepages");

  private static final Pattern STATE = Pattern.compile("[A-Z_]+( by [0-9]+)?\\+?");
  private static final Pattern EXIT = Pattern.compile("[0-9]+:[0-9]+");
  private static final Pattern TRES = Pattern.compile("[a-z][a-zA-Z0-9_/:.-]*=[^,=]*(,[a-z][a-zA-Z0-9_/:.-]*=[^,=]*)*");
  private static final Pattern SIZE = Pattern.compile("[0-9]+(\\.[0-9]+)?[KMGTP]?[nc]?");

  /** More readings than this are not compared one by one: the record is called ambiguous. */
  private static final int MAX_READINGS = 64;

  /** The field bounds of the one reading (as {@link SacctLayout#split} gives them), or why there is none. */
  record Reading(int[] bounds, String reason) {}

  private SacctRecovery() {}

  static Shape shapeOf(String columnName) {
    String name = columnName.strip().toLowerCase(Locale.ROOT);
    int pct = name.indexOf('%');
    if (pct >= 0) {
      name = name.substring(0, pct);
    }
    if (FREE_TEXT.contains(name)) {
      return Shape.FREE;
    }
    if (name.equals("jobid")) {
      return Shape.JOB_ID;
    }
    if (name.equals("jobidraw")) {
      return Shape.JOB_ID_RAW;
    }
    if (name.equals("state")) {
      return Shape.STATE;
    }
    if (TIMES.contains(name)) {
      return Shape.TIME;
    }
    if (DURATIONS.contains(name)) {
      return Shape.DURATION;
    }
    if (COUNTS.contains(name)) {
      return Shape.COUNT;
    }
    if (EXIT_CODES.contains(name)) {
      return Shape.EXIT_CODE;
    }
    if (name.equals("reqtres") || name.equals("alloctres") || name.startsWith("tres")) {
      return Shape.TRES;
    }
    if (SIZES.contains(name)) {
      return Shape.SIZE;
    }
    return Shape.ANY;
  }

  /** Whether a single field's text fits a shape; every shape allows the empty field of a step or a pending job. */
  static boolean fits(Shape shape, String v) {
    if (v.isEmpty() || shape == Shape.ANY || shape == Shape.FREE) {
      return true;
    }
    return switch (shape) {
      case JOB_ID -> SacctParser.splitJobId(v, new String[3]);
      case JOB_ID_RAW -> jobIdRaw(v);
      case STATE -> STATE.matcher(v).matches();
      case TIME -> parseLocalTime(v) != BAD_TIME;
      case DURATION -> v.equals("UNLIMITED") || v.equals("Partition_Limit") || v.equals("INVALID")
          || SacctParser.parseElapsed(v) >= 0;
      case COUNT -> TextScan.parseWhole(v) >= 0;
      case EXIT_CODE -> EXIT.matcher(v).matches();
      case TRES -> TRES.matcher(v).matches();
      case SIZE -> SIZE.matcher(v).matches();
      default -> true;
    };
  }

  private static boolean jobIdRaw(String v) {
    int i = 0;
    while (i < v.length() && isDigit(v.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    if (i == v.length()) {
      return true;
    }
    return v.charAt(i) == '.' && i + 1 < v.length() && SacctParser.splitJobId("0" + v.substring(i), new String[3]);
  }

  /**
   * The one reading of a record with too many fields, or the reason it has none (no free-text column, no
   * reading fits the shapes, or readings that disagree on a used column, named with both of its values).
   */
  static Reading read(String line, SacctLayout layout) {
    String d = layout.delimiter;
    List<int[]> pieces = pieces(line, d, layout.trailingDelimiter);
    int m = layout.names.length;
    int extra = pieces.size() - m;
    String found = "wrong field count: expected " + m + " fields separated by '" + printable(d) + "', found "
        + pieces.size();
    Shape[] shapes = new Shape[m];
    List<String> freeNames = new ArrayList<>();
    for (int c = 0; c < m; c++) {
      shapes[c] = shapeOf(layout.names[c]);
      if (shapes[c] == Shape.FREE) {
        freeNames.add(layout.names[c]);
      }
    }
    if (extra <= 0 || freeNames.isEmpty()) {
      return new Reading(null, found);
    }
    boolean[][] viable = viable(line, pieces, shapes, extra);
    if (!viable[0][0]) {
      return new Reading(null, found + ": no reading lets the free-text columns (" + String.join(", ", freeNames)
          + ") take the " + extra + " extra '" + printable(d) + "' while the other columns keep their shape");
    }
    List<int[]> readings = new ArrayList<>();
    enumerate(pieces, shapes, extra, viable, 0, 0, new int[2 * m], readings);
    if (readings.size() > MAX_READINGS) {
      return new Reading(null, found + ": ambiguous, more than " + MAX_READINGS + " readings of the free-text"
          + " columns (" + String.join(", ", freeNames) + ")");
    }
    readings = mostPlausible(line, d, shapes, readings);
    int[] first = readings.get(0);
    for (int[] other : readings.subList(1, readings.size())) {
      int c = firstDifference(line, layout, first, other);
      if (c >= 0) {
        return new Reading(null, found + ": ambiguous, the free-text columns (" + String.join(", ", freeNames)
            + ") can take the " + extra + " extra '" + printable(d) + "' in more than one way, and "
            + layout.names[c] + " would be '" + line.substring(first[2 * c], first[2 * c + 1]) + "' or '"
            + line.substring(other[2 * c], other[2 * c + 1]) + "'; export with --delimiter=$'\\x1f' to remove"
            + " the doubt");
      }
    }
    return new Reading(first, null);
  }

  /**
   * {@code viable[c][o]}: whether columns c.. can be read from piece {@code c + o} on, having already
   * absorbed o extra pieces into free-text columns; computed from the last column back.
   */
  private static boolean[][] viable(String line, List<int[]> pieces, Shape[] shapes, int extra) {
    int m = shapes.length;
    boolean[][] viable = new boolean[m + 1][extra + 1];
    viable[m][extra] = true;
    for (int c = m - 1; c >= 0; c--) {
      for (int o = 0; o <= extra; o++) {
        if (shapes[c] == Shape.FREE) {
          for (int k = o; k <= extra && !viable[c][o]; k++) {
            viable[c][o] = viable[c + 1][k];
          }
        } else {
          int[] p = pieces.get(c + o);
          viable[c][o] = viable[c + 1][o] && fits(shapes[c], line.substring(p[0], p[1]));
        }
      }
    }
    return viable;
  }

  /** Collects up to one more than {@link #MAX_READINGS} readings, walking only viable states. */
  private static void enumerate(List<int[]> pieces, Shape[] shapes, int extra, boolean[][] viable, int c, int o,
      int[] bounds, List<int[]> out) {
    if (out.size() > MAX_READINGS) {
      return;
    }
    if (c == shapes.length) {
      out.add(bounds.clone());
      return;
    }
    int maxTake = shapes[c] == Shape.FREE ? extra - o : 0;
    for (int k = 0; k <= maxTake; k++) {
      if (!viable[c + 1][o + k]) {
        continue;
      }
      bounds[2 * c] = pieces.get(c + o)[0];
      bounds[2 * c + 1] = pieces.get(c + o + k)[1];
      enumerate(pieces, shapes, extra, viable, c + 1, o + k, bounds, out);
    }
  }

  /**
   * The readings with the fewest signs of a wrong split: a field boundary with a space on either side of
   * the delimiter, and a free-text value that starts or ends with the delimiter (an empty piece: the
   * bar taken from between two empty columns, which happens when a shift runs through a stretch of
   * empty fields).
   */
  private static List<int[]> mostPlausible(String line, String d, Shape[] shapes, List<int[]> readings) {
    List<int[]> best = new ArrayList<>();
    int bestScore = Integer.MAX_VALUE;
    for (int[] r : readings) {
      int score = 0;
      for (int c = 0; c < shapes.length; c++) {
        int from = r[2 * c];
        int to = r[2 * c + 1];
        if (c + 1 < shapes.length) {
          int next = r[2 * c + 2];
          if ((to > 0 && Character.isWhitespace(line.charAt(to - 1)))
              || (next < line.length() && next > to && Character.isWhitespace(line.charAt(next)))) {
            score++;
          }
        }
        if (shapes[c] == Shape.FREE && to > from && (line.startsWith(d, from) || line.startsWith(d, to - d.length()))) {
          score++;
        }
      }
      if (score < bestScore) {
        best.clear();
        bestScore = score;
      }
      if (score == bestScore) {
        best.add(r);
      }
    }
    return best;
  }

  /** The first column the parser reads on which two readings differ, or -1. */
  private static int firstDifference(String line, SacctLayout layout, int[] a, int[] b) {
    for (int c : layout.readColumns()) {
      int la = a[2 * c + 1] - a[2 * c];
      if (la != b[2 * c + 1] - b[2 * c] || !line.regionMatches(a[2 * c], line, b[2 * c], la)) {
        return c;
      }
    }
    return -1;
  }

  /** Start and end of every delimiter-separated piece, without the empty one after a --parsable trailing delimiter. */
  private static List<int[]> pieces(String line, String d, boolean trailing) {
    List<int[]> pieces = new ArrayList<>();
    int start = 0;
    int next;
    while ((next = line.indexOf(d, start)) >= 0) {
      pieces.add(new int[] {start, next});
      start = next + d.length();
    }
    if (!trailing || start < line.length() || pieces.isEmpty()) {
      pieces.add(new int[] {start, line.length()});
    }
    return pieces;
  }

  static String printable(String delimiter) {
    StringBuilder sb = new StringBuilder();
    for (char ch : delimiter.toCharArray()) {
      sb.append(ch < 0x20 ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
    }
    return sb.toString();
  }
}
