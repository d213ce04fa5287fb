package org.computeledger.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.computeledger.ingest.EvidenceText;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.InputFile;
import org.computeledger.ingest.RowSink;
import org.computeledger.schema.Table;

/**
 * Raw lines of input files, as evidence: found by running the product's own parser over a file once
 * and keeping the lines whose rows an audit unit needs, copied out with their numbers, and parsed
 * again from the copies alone. A record's context (the header lines before the file's first record, and
 * the header or comment line nearest before each kept line) travels with it, so that a parser reading
 * the copies sees what it saw in the file.
 */
public final class RawLines {
  /** One row a parser emitted, with the physical line (1-based) it came from. */
  public record Parsed(long line, Object[] row) {}

  /** What one parser pass saw: rows emitted and lines that hold no record. */
  public static final class Collecting implements RowSink {
    private final Table table;
    public final List<Parsed> rows = new ArrayList<>();
    public final TreeSet<Long> ignored = new TreeSet<>();
    public final TreeSet<Long> quarantined = new TreeSet<>();
    public long firstRecord = Long.MAX_VALUE;

    public Collecting(Table table) {
      this.table = table;
    }

    @Override
    public Object[] newRow() {
      return new Object[table.width()];
    }

    @Override
    public void emit(long line, Object[] row) {
      rows.add(new Parsed(line, row));
      firstRecord = Math.min(firstRecord, line);
    }

    @Override
    public void recordAccepted() {}

    @Override
    public void quarantine(long line, String reason, String raw) {
      quarantined.add(line);
      firstRecord = Math.min(firstRecord, line);
    }

    @Override
    public void ignore(long line) {
      ignored.add(line);
    }
  }

  private RawLines() {}

  /**
   * The line numbers of a stored file that hold rows {@code wanted} accepts, plus their context
   * lines (flagged false in the map; evidence lines true).
   */
  public static TreeMap<Long, Boolean> findAt(InputStream stored, FormatParser parser, InputFile file,
      java.util.function.BiPredicate<Long, Object[]> wanted) throws IOException {
    return findAt(EvidenceText.open(stored, parser), parser, file, wanted);
  }

  /** {@link #findAt(InputStream, FormatParser, InputFile, java.util.function.BiPredicate)} over decoded text. */
  public static TreeMap<Long, Boolean> findAt(Reader text, FormatParser parser, InputFile file,
      java.util.function.BiPredicate<Long, Object[]> wanted) throws IOException {
    Collecting sink = new Collecting(parser.table());
    try (Reader r = text) {
      parser.parse(file, r, sink);
    }
    TreeMap<Long, Boolean> out = new TreeMap<>();
    for (Parsed p : sink.rows) {
      if (wanted.test(p.line(), p.row())) {
        out.put(p.line(), true);
      }
    }
    List<Long> evidence = new ArrayList<>(out.keySet());
    // the header block: ignored lines before the file's first record
    for (Long l = sink.ignored.ceiling(1L); l != null && l < sink.firstRecord; l = sink.ignored.higher(l)) {
      out.putIfAbsent(l, false);
    }
    for (long l : evidence) {
      Long before = sink.ignored.lower(l);
      if (before != null) {
        out.putIfAbsent(before, false);
      }
    }
    return out;
  }

  /** The text of the given lines of a stored file, read once in order. */
  public static Map<Long, String> copy(InputStream stored, FormatParser parser, java.util.Set<Long> lines)
      throws IOException {
    Map<Long, String> out = new TreeMap<>();
    long last = lines.isEmpty() ? 0 : java.util.Collections.max(lines);
    // the caller's stream stays open: it goes on reading the rest of the file for its hash
    InputStream keepOpen = new java.io.FilterInputStream(stored) {
      @Override
      public void close() {}
    };
    return copy(EvidenceText.open(keepOpen, parser), lines);
  }

  /** The text of the given lines of decoded text, read once in order. */
  public static Map<Long, String> copy(Reader text, java.util.Set<Long> lines) throws IOException {
    Map<Long, String> out = new TreeMap<>();
    long last = lines.isEmpty() ? 0 : java.util.Collections.max(lines);
    try (BufferedReader r = new BufferedReader(text, 1 << 16)) {
      String line;
      long n = 0;
      while (n < last && (line = r.readLine()) != null) {
        n++;
        if (lines.contains(n)) {
          out.put(n, line);
        }
      }
    }
    return out;
  }

  /**
   * Parses copied lines (line number → text, in order) as the file they came from: the parser reads
   * them one after another, and each row it emits is given back the line number it had in the file.
   */
  public static List<Parsed> reparse(FormatParser parser, InputFile file, TreeMap<Long, String> lines)
      throws IOException {
    StringBuilder text = new StringBuilder();
    long[] original = new long[lines.size() + 1];
    int i = 0;
    for (Map.Entry<Long, String> e : lines.entrySet()) {
      text.append(e.getValue()).append('\n');
      original[++i] = e.getKey();
    }
    Collecting sink = new Collecting(parser.table());
    parser.parse(file, new StringReader(text.toString()), sink);
    List<Parsed> out = new ArrayList<>();
    for (Parsed p : sink.rows) {
      out.add(new Parsed(original[(int) p.line()], p.row()));
    }
    return out;
  }
}
