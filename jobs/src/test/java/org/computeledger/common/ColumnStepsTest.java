package org.computeledger.common;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** ColumnSteps gives what the same withColumn chain gives, in fewer selects. */
class ColumnStepsTest extends SparkTestBase {
  private Dataset<Row> input() {
    return spark().range(0, 4).toDF("n").selectExpr("n", "n * 10 AS a", "CAST(n AS STRING) AS s");
  }

  private static List<Row> rows(Dataset<Row> ds) {
    return ds.orderBy("n").collectAsList();
  }

  private static int projects(Dataset<Row> ds) {
    int n = 0;
    for (LogicalPlan p = ds.queryExecution().analyzed(); p instanceof Project; p = p.children().head()) {
      n++;
    }
    return n;
  }

  @Test
  void aReplacedColumnKeepsItsPlaceAndNewColumnsFollowInOrder() {
    Dataset<Row> chained = input().withColumn("z", lit(1)).withColumn("a", col("a").plus(1)).withColumn("b", lit("x"));
    Dataset<Row> stepped = ColumnSteps.steps().set("z", lit(1)).set("a", col("a").plus(1)).set("b", lit("x"))
        .applyTo(input());
    assertArrayEquals(chained.columns(), stepped.columns());
    assertEquals(chained.schema(), stepped.schema());
    assertEquals(rows(chained), rows(stepped));
  }

  @Test
  void independentStepsAreOneSelect() {
    Dataset<Row> stepped = ColumnSteps.steps().set("x", col("a").plus(1)).set("y", col("n").multiply(2))
        .set("a", lit(0L)).applyTo(input());
    assertEquals(1 + projects(input()), projects(stepped));
  }

  @Test
  void aStepReadingAColumnSetBeforeItSeesTheNewValue() {
    Dataset<Row> chained = input().withColumn("a", col("a").plus(1)).withColumn("d", when(col("a").gt(10), col("a")))
        .withColumn("a", col("a").multiply(2)).withColumn("e", col("d").plus(col("a")));
    Dataset<Row> stepped = ColumnSteps.steps().set("a", col("a").plus(1)).set("d", when(col("a").gt(10), col("a")))
        .set("a", col("a").multiply(2)).set("e", col("d").plus(col("a"))).applyTo(input());
    assertArrayEquals(chained.columns(), stepped.columns());
    assertEquals(rows(chained), rows(stepped));
  }

  @Test
  void aStepReadingTheOldValueOfAColumnReplacedLaterStaysInTheSameSelect() {
    Dataset<Row> chained = input().withColumn("b", col("a").plus(1)).withColumn("a", lit(0L));
    Dataset<Row> stepped = ColumnSteps.steps().set("b", col("a").plus(1)).set("a", lit(0L)).applyTo(input());
    assertEquals(rows(chained), rows(stepped));
    assertEquals(1 + projects(input()), projects(stepped));
  }

  @Test
  void namesMatchWithoutRegardToCaseAsSparkResolvesThem() {
    Dataset<Row> chained = input().withColumn("A", col("a").plus(1)).withColumn("c", col("A"));
    Dataset<Row> stepped = ColumnSteps.steps().set("A", col("a").plus(1)).set("c", col("A")).applyTo(input());
    assertArrayEquals(chained.columns(), stepped.columns());
    assertEquals(rows(chained), rows(stepped));
  }
}
