package org.computeledger.attribute;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.LedgerException;
import org.computeledger.common.UntrustedInput;

/**
 * The optional {@code fx.csv} of the input folder: dated exchange rates that {@link FxConversion} uses
 * to give line items a converted cost in the run's reporting currency. Without it nothing is converted.
 *
 * <p>A header names the columns {@code date, from_currency, to_currency, rate, source} (any order,
 * other columns ignored). A line says: on {@code date} (YYYY-MM-DD), one unit of {@code from_currency}
 * was worth {@code rate} units of {@code to_currency} (ISO 4217 codes, compared upper-cased), as
 * published by {@code source}. One rate per pair and date. Blank lines and lines starting with
 * {@code #} are skipped; any error stops the run with the file, line and field. At most
 * {@link UntrustedInput#SIDE_FILE_MAX_BYTES} of it are read.
 */
public final class FxRates {
  public static final String FILE_NAME = "fx.csv";
  public static final String DATE = "date";
  public static final String FROM = "from_currency";
  public static final String TO = "to_currency";
  public static final String RATE = "rate";
  public static final String SOURCE = "source";

  public static final StructType SCHEMA = StructType.fromDDL(
      "date DATE, from_currency STRING, to_currency STRING, rate DECIMAL(38,12), source STRING");

  /** One validated line; {@code line} is its line number in the file. */
  public record Rate(LocalDate date, String from, String to, BigDecimal rate, String source, long line) {}

  private FxRates() {}

  /** Parses the file's text; any error is a {@link LedgerException} starting with {@code name} and the line. */
  public static List<Rate> parse(Reader text, String name) throws IOException {
    return SideCsv.read(text, name, "rates", (parser, header) -> {
      for (String column : List.of(DATE, FROM, TO, RATE, SOURCE)) {
        if (!SideCsv.has(header, column)) {
          throw new LedgerException(name + " line 1: header needs the columns " + DATE + ", " + FROM + ", " + TO
              + ", " + RATE + ", " + SOURCE + "; '" + column + "' is missing");
        }
      }
      List<Rate> rates = new ArrayList<>();
      Map<String, Rate> byKey = new HashMap<>();
      for (CSVRecord record : parser) {
        long line = parser.getCurrentLineNumber();
        LocalDate date = date(SideCsv.required(record, DATE, name, line), name, line);
        String from = SideCsv.required(record, FROM, name, line).toUpperCase(Locale.ROOT);
        String to = SideCsv.required(record, TO, name, line).toUpperCase(Locale.ROOT);
        BigDecimal rate = rate(SideCsv.required(record, RATE, name, line), name, line);
        String source = SideCsv.required(record, SOURCE, name, line);
        Rate r = new Rate(date, from, to, rate, source, line);
        Rate earlier = byKey.putIfAbsent(from + "/" + to + "/" + date, r);
        if (earlier != null) {
          throw new LedgerException(name + " line " + line + ": a second rate " + from + "->" + to + " for " + date
              + " (the first is on line " + earlier.line() + ")");
        }
        rates.add(r);
      }
      return rates;
    });
  }

  /** The rates at {@code file}, or null when there is no such file; read as untrusted input, bounded in size. */
  public static Dataset<Row> readIfPresent(SparkSession spark, org.apache.hadoop.fs.Path file) {
    return UntrustedInput.readIfPresent(spark.sparkContext().hadoopConfiguration(), file, FILE_NAME,
        UntrustedInput.SIDE_FILE_MAX_BYTES, in -> toDataset(spark, parse(in, FILE_NAME)));
  }

  public static Dataset<Row> toDataset(SparkSession spark, List<Rate> rates) {
    List<Row> rows = new ArrayList<>(rates.size());
    for (Rate r : rates) {
      rows.add(RowFactory.create(Date.valueOf(r.date()), r.from(), r.to(), r.rate(), r.source()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static LocalDate date(String v, String name, long line) {
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw SideCsv.bad(name, line, DATE, "a date YYYY-MM-DD", v);
    }
  }

  private static BigDecimal rate(String v, String name, long line) {
    try {
      BigDecimal r = new BigDecimal(v);
      // FxConversion multiplies in DECIMAL(23,12): at most 11 integer digits and 12 decimals
      if (r.signum() > 0 && r.precision() - r.scale() <= 11 && r.scale() <= 12) {
        return r;
      }
    } catch (NumberFormatException e) {
      // falls through to the one refusal below
    }
    throw SideCsv.bad(name, line, RATE, "a positive decimal number", v);
  }
}
