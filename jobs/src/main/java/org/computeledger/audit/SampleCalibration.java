package org.computeledger.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.estimate.SelfCalibration;
import org.computeledger.schema.Table;

/**
 * The self-calibration factors an audit sample carries ({@code evidence/calibration.csv}): the rows of the
 * report's {@code calibration} table that were applied, for the drawn GPU models. {@link AuditSample} writes
 * them, {@link Recompute} scales pipe-activity and utilization FLOP by them. They are method parameters
 * like the catalog's peaks: recomputing a factor would need every counter row overlapping telemetry on that
 * model, far more than a sample holds, so the sample takes it from the report and says where from.
 */
final class SampleCalibration {
  static final List<String> COLUMNS = List.of("model_id", "precision", SelfCalibration.GPU_HOURS,
      SelfCalibration.PIPE_RATIO, SelfCalibration.UTIL_RATIO, "source");

  private SampleCalibration() {}

  /** The applied calibration rows of the report for {@code models}, as RFC 4180 CSV (a header alone when none). */
  static String rows(SparkSession spark, String report, Set<String> models) {
    StringBuilder out = new StringBuilder();
    try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
      printer.printRecord(COLUMNS);
      Path dir = Path.of(report, Table.CALIBRATION.tableName());
      // no calibration table: the run had no counter overlapping telemetry, so nothing was calibrated
      if (Files.isDirectory(dir)) {
        List<Row> rows = spark.read().schema(Table.CALIBRATION.schema()).parquet(dir.toString())
            .filter(SelfCalibration.applies())
            .orderBy("model_id", "precision").collectAsList();
        for (Row r : rows) {
          if (models.contains(r.<String>getAs("model_id"))) {
            printer.printRecord(r.getAs("model_id"), r.getAs("precision"), r.getAs(SelfCalibration.GPU_HOURS),
                text(r.getAs(SelfCalibration.PIPE_RATIO)), text(r.getAs(SelfCalibration.UTIL_RATIO)),
                "report calibration table (" + Table.CALIBRATION.tableName() + "/), applied row");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String text(Object ratio) {
    // Double.toString round-trips exactly, so the recompute multiplies by the report's own factor
    return ratio == null ? "" : Double.toString((Double) ratio);
  }

  /** Parses the sample's file: "model|precision" to {pipe ratio, utilization ratio}, NaN where none. */
  static Map<String, double[]> parse(Path file) throws IOException {
    Map<String, double[]> out = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
    try (CSVParser parser = CSVParser.parse(Files.readString(file), format)) {
      for (CSVRecord r : parser) {
        out.put(r.get("model_id") + "|" + r.get("precision"),
            new double[] {ratio(r.get(SelfCalibration.PIPE_RATIO)), ratio(r.get(SelfCalibration.UTIL_RATIO))});
      }
    }
    return out;
  }

  private static double ratio(String s) {
    return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.trim());
  }
}
