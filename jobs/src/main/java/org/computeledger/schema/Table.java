package org.computeledger.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.types.StructType;

/**
 * The canonical tables that ingest writes, and the report tables the standards stage writes. Each
 * schema is declared once, in {@code schemas/NAME.ddl} (shipped in the jar under {@code schemas/}),
 * and every read and write goes through it.
 */
public enum Table {
  ALLOCATIONS("allocations"),
  GPU_SAMPLES("gpu_samples"),
  FLOP_COUNTS("flop_counts"),
  CHARGES("charges"),
  QUARANTINE("quarantine"),
  STANDARD_TOTALS("standard_totals"),
  TREATMENT("treatment");

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
