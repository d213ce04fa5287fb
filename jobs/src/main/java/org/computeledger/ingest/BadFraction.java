package org.computeledger.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.common.LedgerException;
import org.computeledger.schema.Table;

/**
 * The limit on quarantined input (issue 11, item 3): a run or ingest whose share of quarantined
 * records of any input kind is above {@code --max-bad-fraction} stops before its output is
 * committed, so a report is never made from mostly rejected logs without the user choosing so.
 * A kind is a canonical table: scheduler, telemetry, counters, billing; the share is quarantined ÷
 * read (read = accepted + quarantined) over all files of the kind. Ignored lines (headers, comments,
 * unused metrics, staleness markers) are no records and do not count.
 */
public final class BadFraction {
  /** The default of {@code --max-bad-fraction}: one record in a hundred. */
  public static final String DEFAULT = "0.01";
  /** Files named in the message, worst first. */
  static final int WORST_FILES = 3;

  /** One parsed file's counts, with the kind of input it is. */
  public record Count(String file, Table table, long read, long quarantined) {}

  private BadFraction() {}

  /** Counts of the files an ingest parsed. */
  public static List<Count> counts(Ingest.Result result) {
    Map<String, Table> tables = new java.util.HashMap<>();
    for (Ingest.Source s : result.sources()) {
      if (s.parser() != null) {
        tables.put(s.display(), s.parser().table());
      }
    }
    List<Count> out = new ArrayList<>();
    for (Ingest.FileCounts f : result.files()) {
      Table t = tables.getOrDefault(f.file(), Formats.byId(f.format()).table());
      out.add(new Count(f.file(), t, f.read(), f.quarantined()));
    }
    return out;
  }

  /** Counts of the inputs an ingest output's manifest lists (a run from an ingest output). */
  public static List<Count> counts(JsonNode manifest) {
    List<Count> out = new ArrayList<>();
    for (JsonNode n : manifest.path("inputs")) {
      Table t;
      try {
        t = Formats.byId(n.path("format").asText()).table();
      } catch (IllegalArgumentException e) {
        continue;
      }
      out.add(new Count(n.path("path").asText(), t, n.path("records_read").asLong(),
          n.path("records_quarantined").asLong()));
    }
    return out;
  }

  /** Throws one line naming the kind, its share and its worst files when a kind is above {@code max}. */
  public static void check(List<Count> counts, double max) {
    Map<Table, List<Count>> byTable = new EnumMap<>(Table.class);
    for (Count c : counts) {
      byTable.computeIfAbsent(c.table(), t -> new ArrayList<>()).add(c);
    }
    for (Map.Entry<Table, List<Count>> e : byTable.entrySet()) {
      long read = e.getValue().stream().mapToLong(Count::read).sum();
      long bad = e.getValue().stream().mapToLong(Count::quarantined).sum();
      if (read == 0 || (double) bad / read <= max) {
        continue;
      }
      List<String> worst = e.getValue().stream().filter(c -> c.quarantined() > 0)
          .sorted(Comparator.comparingLong(Count::quarantined).reversed().thenComparing(Count::file))
          .limit(WORST_FILES)
          .map(c -> String.format(Locale.ROOT, "%s %,d of %,d", c.file(), c.quarantined(), c.read()))
          .toList();
      long more = e.getValue().stream().filter(c -> c.quarantined() > 0).count() - worst.size();
      throw new LedgerException(String.format(Locale.ROOT,
          "%.2f %% of %s records were quarantined (%,d of %,d), more than --max-bad-fraction %s allows; worst"
              + " files: %s%s. Nothing was written; rerun with --max-bad-fraction 1 to keep them in quarantine/"
              + " and go on",
          100.0 * bad / read, kind(e.getKey()), bad, read, plain(max), String.join(", ", worst),
          more > 0 ? " (and " + more + " more)" : ""));
    }
  }

  /** The word users know an input kind by. */
  static String kind(Table t) {
    return switch (t) {
      case ALLOCATIONS -> "scheduler";
      case GPU_SAMPLES -> "telemetry";
      case FLOP_COUNTS -> "counters";
      case CHARGES -> "billing";
      default -> t.tableName();
    };
  }

  /** Checks an option value: a share in [0, 1]. */
  public static double parse(double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new LedgerException("--max-bad-fraction: expected a share between 0 and 1, got " + value);
    }
    return value;
  }

  private static String plain(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
