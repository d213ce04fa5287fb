package org.computeledger.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;


import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The report tables are declared in schemas/ like the canonical ones, and written only in that shape. */
class ReportTablesTest extends SparkTestBase {
  /** PRODUCT.md §8, "Minimum columns": what every report must carry, whatever else it adds. */
  private static final Map<Table, List<String>> MINIMUM = Map.of(
      Table.LINE_ITEMS, List.of("line_item_id", "project", "branch", "activity", "status", "description",
          "gpu_seconds", "flop", "flop_low", "flop_high", "flop_counted", "flop_pipe_activity", "flop_utilization",
          "flop_allocation", "cost_billed", "cost_market", "currency", "risk_only", "justification",
          "open_resources", "calculation"),
      Table.STANDARD_TOTALS, List.of("standard_id", "standard_version", "project", "flop", "flop_low",
          "flop_high", "cost", "currency", "compute_threshold_flop", "cost_threshold", "crosses_compute",
          "crosses_cost", "may_cross_compute"));

  @Test
  void theProductsMinimumColumnsAreDeclared() {
    MINIMUM.forEach((table, columns) -> {
      List<String> declared = Arrays.asList(table.schema().fieldNames());
      for (String c : columns) {
        Assertions.assertTrue(declared.contains(c), table.tableName() + " declares " + c);
      }
    });
  }

  @Test
  void moneyIsDecimalAndFlopIsDouble() {
    for (Table t : new Table[] {Table.LINE_ITEMS, Table.JOBS, Table.GPU_USAGE, Table.COST_RECONCILIATION}) {
      for (var f : t.schema().fields()) {
        if (f.name().startsWith("cost_") || f.name().equals("input_total") || f.name().equals("allocated")) {
          Assertions.assertTrue(f.dataType().typeName().startsWith("decimal"), t.tableName() + "." + f.name() + " is money");
        }
        if (f.name().equals("flop") || f.name().startsWith("flop_")) {
          assertEquals("double", f.dataType().typeName(), t.tableName() + "." + f.name());
        }
      }
    }
  }

  @Test
  void conformingPutsColumnsInDeclaredOrder() {
    StructType shuffled = new StructType().add("precision", "string").add("model_id", "string")
        .add("counted_intervals", "bigint").add("counted_flop", "double").add("pipe_activity_estimate", "double")
        .add("utilization_estimate", "double").add("ratio_counted_to_utilization", "double")
        .add("ratio_counted_to_pipe_activity", "double").add("applied", "boolean").add("counted_gpu_hours", "double")
        .add("ratio_utilization_max", "double").add("ratio_utilization_min", "double")
        .add("ratio_pipe_activity_max", "double").add("ratio_pipe_activity_min", "double");
    Dataset<Row> df = spark().createDataFrame(List.of(RowFactory.create("bf16", "h100-sxm", 1L, 2.0, 3.0, 4.0, 5.0, 6.0,
        true, 7.0, 8.0, 9.0, 10.0, 11.0)), shuffled);
    Dataset<Row> out = Table.CALIBRATION.conform(df);
    assertEquals(Arrays.asList(Table.CALIBRATION.schema().fieldNames()), Arrays.asList(out.schema().fieldNames()));
    Row r = out.first();
    assertEquals("h100-sxm", r.getString(0));
    assertEquals(6.0, r.<Double>getAs("ratio_counted_to_pipe_activity"));
  }

  @Test
  void aMissingColumnAWrongTypeAndAnUndeclaredColumnAreAllNamed() {
    StructType wrong = new StructType().add("model_id", "string").add("precision", "string")
        .add("counted_intervals", "int").add("counted_flop", "double").add("pipe_activity_estimate", "double")
        .add("utilization_estimate", "double").add("ratio_counted_to_pipe_activity", "double")
        .add("extra", "string");
    Dataset<Row> df = spark().createDataFrame(List.of(), wrong);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Table.CALIBRATION.conform(df));
    Assertions.assertTrue(e.getMessage().contains("missing ratio_counted_to_utilization"), e.getMessage());
    Assertions.assertTrue(e.getMessage().contains("counted_intervals is int, declared bigint"), e.getMessage());
    Assertions.assertTrue(e.getMessage().contains("undeclared extra"), e.getMessage());
  }
}
