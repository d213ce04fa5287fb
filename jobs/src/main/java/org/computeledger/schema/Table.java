package org.computeledger.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The canonical tables that ingest writes, and the report tables the main job and the standards
 * stage write. Each schema is declared once, in {@code schemas/NAME.ddl} (shipped in the jar under
 * {@code schemas/}), and every read and write goes through it.
 */
public enum Table {
  ALLOCATIONS("allocations"),
  GPU_SAMPLES("gpu_samples"),
  FLOP_COUNTS("flop_counts"),
  CHARGES("charges"),
  QUARANTINE("quarantine"),
  STANDARD_TOTALS("standard_totals"),
  TREATMENT("treatment"),
  LINE_ITEMS("line_items"),
  JOBS("jobs"),
  GPU_USAGE("gpu_usage"),
  COST_RECONCILIATION("cost_reconciliation"),
  CALIBRATION("calibration"),
  // ledger trends (trends/Trends)
  TRENDS_BRANCH_MONTH("trends_branch_month"),
  TRENDS_PROJECT_MONTH("trends_project_month"),
  TRENDS_STANDARD_MONTH("trends_standard_month"),
  TRENDS_GROWTH("trends_growth"),
  TRENDS_METHOD_MIX("trends_method_mix"),
  TRENDS_THRESHOLD_CROSSING("trends_threshold_crossing");

  private final String tableName;
  private volatile StructType schema;

  Table(String tableName) {
    this.tableName = tableName;
  }

  /** The tables {@code ledger ingest} writes (the others belong to the report). */
  public static Table[] canonical() {
    return new Table[] {ALLOCATIONS, GPU_SAMPLES, FLOP_COUNTS, CHARGES, QUARANTINE};
  }

  public String tableName() {
    return tableName;
  }

  public StructType schema() {
    StructType s = schema;
    if (s == null) {
      s = StructType.fromDDL(loadDdl(tableName));
      schema = s;
    }
    return s;
  }

  /**
   * {@code df} in this table's declared shape: the declared columns in declared order. A column
   * missing, left over or of another type than declared fails here, before anything is written, so a
   * report table cannot drift from its DDL unnoticed (nullability is not compared: Spark widens it
   * freely through joins and aggregations).
   */
  public Dataset<Row> conform(Dataset<Row> df) {
    StructType declared = schema();
    Map<String, DataType> actual = new LinkedHashMap<>();
    for (StructField f : df.schema().fields()) {
      actual.put(f.name(), f.dataType());
    }
    List<String> problems = new ArrayList<>();
    for (StructField f : declared.fields()) {
      DataType t = actual.remove(f.name());
      if (t == null) {
        problems.add("missing " + f.name());
      } else if (!t.sameType(f.dataType())) {
        problems.add(f.name() + " is " + t.simpleString() + ", declared " + f.dataType().simpleString());
      }
    }
    actual.keySet().forEach(n -> problems.add("undeclared " + n));
    if (!problems.isEmpty()) {
      throw new IllegalStateException("table " + tableName + " does not match schemas/" + tableName + ".ddl: "
          + String.join("; ", problems));
    }
    return df.select(Arrays.stream(declared.fieldNames()).map(functions::col).toArray(Column[]::new));
  }

  /** Position of a column in this table's declared order; fails loudly on a name the DDL lacks. */
  public int index(String column) {
    return schema().fieldIndex(column);
  }

  public int width() {
    return schema().size();
  }

  static String loadDdl(String name) {
    String resource = "/schemas/" + name + ".ddl";
    try (InputStream in = Table.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema " + resource + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema " + resource, e);
    }
  }
}
