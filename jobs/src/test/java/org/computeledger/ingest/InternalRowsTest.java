package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/** The parse's rows converted by Spark's type converters read back as the row encoder would have made them. */
class InternalRowsTest extends SparkTestBase {

  /** A value of {@code type}, varied by {@code i}; decimals with more digits than their scale, to be rounded. */
  private static Object value(DataType type, int i) {
    if (type.equals(DataTypes.StringType)) {
      return "v" + i + "-é✓";
    } else if (type.equals(DataTypes.LongType)) {
      return 1_000_000_007L * (i + 1);
    } else if (type.equals(DataTypes.IntegerType)) {
      return 7 * i - 3;
    } else if (type.equals(DataTypes.DoubleType)) {
      return 0.1 * i + 1e-17;
    } else if (type.equals(DataTypes.BooleanType)) {
      return i % 2 == 0;
    } else if (type.equals(DataTypes.TimestampType)) {
      return new Timestamp(1_772_000_000_123L + 1000L * i);
    } else if (type.equals(DataTypes.DateType)) {
      return Date.valueOf("2026-03-0" + (1 + i % 9));
    } else if (type instanceof DecimalType) {
      return new BigDecimal("1234.5678901234567890123").add(BigDecimal.valueOf(i));
    } else if (type instanceof MapType) {
      return JavaConverters.mapAsScalaMap(new java.util.TreeMap<>(java.util.Map.of("k" + i, "v" + i, "z", "ü")));
    }
    throw new IllegalArgumentException("no test value for " + type);
  }

  @Test
  void everyTableSEnvelopeConvertsToTheRowsTheEncoderMakes() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
    for (Table t : Table.canonical()) {
      StructType schema = Envelope.schema(t);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Object[] values = new Object[schema.size()];
        StructField[] fields = schema.fields();
        for (int f = 0; f < fields.length; f++) {
          // every nullable field null in one row of each three
          values[f] = fields[f].nullable() && (i + f) % 3 == 0 ? null : value(fields[f].dataType(), i);
        }
        rows.add(RowFactory.create(values));
      }
      JavaRDD<Row> rdd = jsc.parallelize(rows, 2);
      List<Row> expected = spark().createDataFrame(rdd, schema).collectAsList();
      List<Row> actual = InternalRows.dataset(spark(), rdd, schema).collectAsList();
      assertEquals(expected, actual, t.tableName());
      assertEquals(schema, InternalRows.dataset(spark(), rdd, schema).schema(), t.tableName());
    }
  }
}
