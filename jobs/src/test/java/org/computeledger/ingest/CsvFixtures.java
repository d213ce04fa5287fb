package org.computeledger.ingest;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Real CSV files taken apart for tests, independently of the parsers under test: one real line with
 * one field changed, and column sums computed straight from the file.
 */
final class CsvFixtures {
  private CsvFixtures() {}

  /** The physical lines of a file (none of the billing samples has a multi-line record). */
  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> fields(String line) {
    try {
      return CSVFormat.RFC4180.parse(new StringReader(line)).getRecords().get(0).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line of CSV with every field quoted, as FOCUS exports write text. */
  static String line(List<String> fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('"').append(fields.get(i).replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }

  /** {@code line} with the field under {@code column} (named in {@code headerLine}) replaced. */
  static String withField(String headerLine, String line, String column, String value) {
    int i = fields(headerLine).indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + column);
    }
    List<String> f = new ArrayList<>(fields(line));
    f.set(i, value);
    return line(f);
  }

  /** The sum of a decimal column over every record of a file, NULL and empty counting as nothing. */
  static BigDecimal sum(Path file, String column) {
    try (var parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
        .parse(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      BigDecimal total = BigDecimal.ZERO;
      for (CSVRecord r : parser) {
        String v = r.get(column);
        if (!v.isEmpty() && !"NULL".equals(v)) {
          total = total.add(new BigDecimal(v));
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Text of a file made of the given lines. */
  static String text(String... lines) {
    return String.join("\n", lines) + "\n";
  }
}
