package org.computeledger.attribute;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.common.LedgerException;

/**
 * The small CSV files a lab puts beside its logs ({@code prices.csv}, {@code fx.csv},
 * {@code resources.csv}) are read one way: a header whose column names match in any case and order,
 * trimmed fields, blank lines and {@code #} lines skipped, a UTF-8 byte-order mark ignored, and every
 * error one line naming the file, the line and the field.
 */
final class SideCsv {
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
      .setIgnoreHeaderCase(true).setTrim(true).setIgnoreEmptyLines(true).setCommentMarker('#').build();

  /** What a side file's reader does with the open parser and its header. */
  @FunctionalInterface
  interface Body<T> {
    T read(CSVParser parser, List<String> header) throws IOException;
  }

  private SideCsv() {}

  /**
   * Runs {@code body} over {@code text}; a duplicate header or a broken quote (which Commons CSV
   * reports as unchecked exceptions) becomes "{@code name}: not a readable {@code what} CSV: ...".
   */
  static <T> T read(Reader text, String name, String what, Body<T> body) throws IOException {
    try (CSVParser parser = FORMAT.parse(skipBom(text))) {
      return body.read(parser, parser.getHeaderNames());
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      throw new LedgerException(name + ": not a readable " + what + " CSV: " + e.getMessage(), e);
    }
  }

  static boolean has(List<String> header, String column) {
    return header.stream().anyMatch(h -> h.equalsIgnoreCase(column));
  }

  /** The record's non-empty value of {@code column}, or the one-line refusal. */
  static String required(CSVRecord record, String column, String name, long line) {
    String v = record.isSet(column) ? record.get(column) : null;
    if (v == null || v.isEmpty()) {
      throw new LedgerException(name + " line " + line + ": field " + column + " is empty or missing");
    }
    return v;
  }

  static LedgerException bad(String name, long line, String column, String expected, String value) {
    return new LedgerException(name + " line " + line + ": field " + column + ": expected " + expected + ", '"
        + value + "'");
  }

  private static Reader skipBom(Reader in) throws IOException {
    BufferedReader buffered = in instanceof BufferedReader b ? b : new BufferedReader(in);
    buffered.mark(1);
    if (buffered.read() != '\uFEFF') {
      buffered.reset();
    }
    return buffered;
  }
}
