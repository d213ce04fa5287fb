package org.computeledger.ingest;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.computeledger.schema.Table;

/** A {@link RowSink} for parser tests: keeps every row and rejection in memory, with counts. */
public final class CollectingSink implements RowSink {
  public record Rejected(long line, String reason, String raw) {}

  public final Table table;
  public final List<Object[]> rows = new ArrayList<>();
  public final List<Long> rowLines = new ArrayList<>();
  public final List<Rejected> rejected = new ArrayList<>();
  public long accepted;
  public long ignored;
  /** Prometheus staleness markers, also counted in {@link #ignored}. */
  public long staleMarkers;

  public CollectingSink(Table table) {
    this.table = table;
  }

  @Override
  public Object[] newRow() {
    return new Object[table.width()];
  }

  @Override
  public void emit(long line, Object[] row) {
    rows.add(row);
    rowLines.add(line);
  }

  @Override
  public void recordAccepted() {
    accepted++;
  }

  @Override
  public void quarantine(long line, String reason, String raw) {
    rejected.add(new Rejected(line, reason, raw));
  }

  @Override
  public void ignore(long line) {
    ignored++;
  }

  @Override
  public void staleMarker(long line) {
    staleMarkers++;
    ignore(line);
  }

  /** Value of a column in row {@code i}. */
  public Object get(int i, String column) {
    return rows.get(i)[table.index(column)];
  }

  /** Parses a real file with a parser and the given params; host folder is the file's parent name. */
  public static CollectingSink parse(FormatParser parser, Path file, IngestParams params) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return parseText(parser, file.getFileName().toString(),
          file.getParent() == null ? "" : file.getParent().getFileName().toString(), text, params);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CollectingSink parseText(
      FormatParser parser, String path, String folder, String text, IngestParams params) {
    CollectingSink sink = new CollectingSink(parser.table());
    try {
      parser.parse(new InputFile(path, folder, params), new StringReader(text), sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }

  /**
   * Path of a file of the project's own bundled {@code sample-logs/} (tests run in {@code jobs/});
   * the generated logs are real-format too, and are what a damaged copy must still give.
   */
  public static Path bundledSample(String relative) {
    return Path.of(System.getProperty("ledger.sampleLogs", "../sample-logs")).resolve(relative);
  }

  /**
   * Kept for tests written against it: the same as {@link org.computeledger.RealSamples#file}, which
   * skips the test when the shared samples are absent.
   */
  public static Path realSample(String relative) {
    return org.computeledger.RealSamples.file(relative);
  }
}
