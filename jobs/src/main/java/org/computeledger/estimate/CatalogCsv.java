package org.computeledger.estimate;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The one reader of the catalog's CSV tables ({@link PeakCatalog}'s peaks, {@link MigProfiles}'
 * profiles, shipped or a lab's {@code --catalog-file}): it holds each file to its columns, reads
 * the typed fields every table shares, refuses a second row for one key, and words every problem
 * the same way, as one line naming the file, the line, the field and what was expected.
 */
final class CatalogCsv {
  private static final Pattern MODEL_ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private CatalogCsv() {}

  /** Reads a table from text under a file name, as {@code parse} methods of the catalog tables do. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(Reader csv, String fileName) throws IOException;
  }

  /**
   * The table shipped on the class path at {@code resource} ("/catalog/mig_gpus.csv"), read by {@code
   * parse} under its file name; {@code what} names it when it is missing ("MIG GPU table").
   */
  static <T> T shipped(String resource, String what, Parser<T> parse) {
    try (InputStream in = CatalogCsv.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(what + " " + resource + " is missing from the class path");
      }
      return parse.parse(new InputStreamReader(in, StandardCharsets.UTF_8),
          resource.substring(resource.lastIndexOf('/') + 1));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /**
   * Every record of {@code csv} read by {@code row}, in file order. {@code key} names a row's
   * identity as {@code keyField} shows it ("h100-sxm,bf16"); a key already seen is an error naming
   * the earlier line.
   */
  static <T> List<T> read(Reader csv, String fileName, List<String> columns, String keyField,
      Function<Field, T> row, Function<T, String> key) throws IOException {
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
    List<T> rows = new ArrayList<>();
    Map<String, Long> firstLine = new HashMap<>();
    try (CSVParser parser = CSVParser.parse(csv, format)) {
      if (!columns.equals(parser.getHeaderNames())) {
        throw new IllegalStateException(fileName + " header: expected " + String.join(",", columns) + ", '"
            + String.join(",", parser.getHeaderNames()) + "'");
      }
      for (CSVRecord r : parser) {
        Field f = new Field(fileName, parser.getCurrentLineNumber(), r);
        if (r.size() != columns.size()) {
          throw f.invalid("(record)", columns.size() + " fields", r.size() + " fields");
        }
        T value = row.apply(f);
        String k = key.apply(value);
        Long earlier = firstLine.putIfAbsent(k, f.line);
        if (earlier != null) {
          throw f.invalid(keyField, "one row per pair, already on line " + earlier, k);
        }
        rows.add(value);
      }
    }
    return rows;
  }

  /** One record's fields, read and checked by name; each check's failure names this file and line. */
  static final class Field {
    private final String file;
    private final long line;
    private final CSVRecord record;

    private Field(String file, long line, CSVRecord record) {
      this.file = file;
      this.line = line;
      this.record = record;
    }

    /** The record's fields as they stand in the file, untrimmed: what an audit sample copies. */
    List<String> values() {
      return List.of(record.values());
    }

    /** The field's text, trimmed. */
    String text(String name) {
      return record.get(name).trim();
    }

    /** A non-empty field; {@code expected} says what it should hold. */
    String required(String name, String expected) {
      String v = text(name);
      if (v.isEmpty()) {
        throw invalid(name, expected, "");
      }
      return v;
    }

    /** A catalog model id: lower case words joined by hyphens, as {@link GpuModels#normalize} returns. */
    String modelId(String name, String example) {
      String v = text(name);
      if (!MODEL_ID.matcher(v).matches()) {
        throw invalid(name, "a lower-case id like " + example, v);
      }
      return v;
    }

    /** A finite number above zero. */
    double positive(String name) {
      String raw = record.get(name);
      try {
        double v = Double.parseDouble(raw.trim());
        if (v > 0 && !Double.isInfinite(v)) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(name, "a positive number", raw);
    }

    /** A whole number above zero. */
    int count(String name) {
      String raw = record.get(name);
      try {
        int v = Integer.parseInt(raw.trim());
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(name, "a positive whole number", raw);
    }

    /** A source date, YYYY-MM or YYYY-MM-DD. */
    String date(String name) {
      String v = text(name);
      if (!isDate(v)) {
        throw invalid(name, "YYYY-MM or YYYY-MM-DD", v);
      }
      return v;
    }

    IllegalStateException invalid(String field, String expected, String value) {
      return new IllegalStateException(file + " line " + line + ": field " + field + ": expected " + expected + ", '"
          + value + "'");
    }
  }

  private static boolean isDate(String text) {
    try {
      if (text.length() == 7) {
        YearMonth.parse(text);
        return true;
      }
      if (text.length() == 10) {
        LocalDate.parse(text);
        return true;
      }
      return false;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
