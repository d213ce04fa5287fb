package org.computeledger.common;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The order-independent sum, against exact decimal arithmetic. */
class ExactSumTest extends SparkTestBase {

  private Row sums(List<Double> values, int partitions) {
    Dataset<Double> d = spark().createDataset(values, Encoders.DOUBLE()).repartition(partitions);
    return d.agg(ExactSum.of(col("value"))).first();
  }

  @Test
  void theSumIsExactToItsResolutionAndTheSameInAnyOrder() {
    Random rnd = new Random(7);
    List<Double> values = new ArrayList<>();
    BigDecimal exact = BigDecimal.ZERO;
    for (int i = 0; i < 3000; i++) {
      // FLOP-sized, second-sized and tiny values, some negative
      double v = switch (i % 3) {
        case 0 -> rnd.nextDouble() * 1e21;
        case 1 -> rnd.nextDouble() * 3600 - 100;
        default -> rnd.nextDouble() * 1e-3;
      };
      values.add(v);
      exact = exact.add(new BigDecimal(v));
    }
    double first = sums(values, 3).getDouble(0);
    Collections.shuffle(values, rnd);
    double again = sums(values, 5).getDouble(0);
    assertEquals(first, again, 0.0, "bit for bit, whatever the order and the partitions");
    // each value is rounded to 2^-32 at most: the error is below 3000 × 2^-33 plus one rounding of the total
    double tolerance = 3000 * Math.scalb(1.0, -33) + Math.ulp(exact.doubleValue());
    assertEquals(exact.doubleValue(), first, tolerance);
  }

  @Test
  void smallValuesKeepTheirDigitsAndNullsAreSkipped() {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      values.add(0.1);
    }
    values.add(null);
    double s = sums(values, 2).getDouble(0);
    assertEquals(1.0, s, 1e-9);
    org.junit.jupiter.api.Assertions.assertTrue(sums(java.util.Arrays.asList((Double) null), 1).isNullAt(0), "all null gives null, as sum does");
  }
}
