package org.computeledger.ingest;

import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The parse's rows as a Dataset, converted to Spark's internal rows by Spark's own type converters
 * ({@link CatalystTypeConverters}) rather than by {@code createDataFrame}'s row encoder. The encoder is a
 * tree of expressions; where a small input runs without generated code ({@code cli/SmallInput}) it is
 * interpreted, a reflective call per field: on the sample logs' 36,000 parsed rows that was about 1.2 of
 * 12 task-CPU seconds. The converters are plain code either way and give the same values (strings as
 * {@code UTF8String}, timestamps as microseconds, maps as map data).
 */
final class InternalRows implements FlatMapFunction<Iterator<Row>, InternalRow> {
  private static final long serialVersionUID = 1L;
  private final StructType schema;

  private InternalRows(StructType schema) {
    this.schema = schema;
  }

  /** {@code rows}, each of {@code schema}'s shape, as a Dataset of that schema. */
  static Dataset<Row> dataset(SparkSession spark, JavaRDD<Row> rows, StructType schema) {
    JavaRDD<InternalRow> internal = rows.mapPartitions(new InternalRows(schema), true);
    return spark.internalCreateDataFrame(internal.rdd(), schema, false);
  }

  @Override
  public Iterator<InternalRow> call(Iterator<Row> rows) {
    scala.Function1<Object, Object> convert = CatalystTypeConverters.createToCatalystConverter(schema);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public InternalRow next() {
        return (InternalRow) convert.apply(rows.next());
      }
    };
  }
}
