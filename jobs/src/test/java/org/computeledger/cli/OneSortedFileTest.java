package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.PlansRun;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The run's sorted one-file tables (jobs, cost reconciliation): one partition, in key order, no sampling job. */
class OneSortedFileTest extends SparkTestBase {
  private Dataset<Row> shuffledAcrossPartitions() {
    StructType schema = new StructType().add("provider", DataTypes.StringType).add("currency", DataTypes.StringType)
        .add("n", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    String[] providers = {"gcp", "aws", "onprem", "azure"};
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(providers[(i * 7) % 4], i % 3 == 0 ? "EUR" : "USD", i));
    }
    return spark().createDataFrame(rows, schema).repartition(4);
  }

  @Test
  void theRowsComeInOnePartitionInKeyOrder() {
    Dataset<Row> in = shuffledAcrossPartitions();
    Dataset<Row> out = RunCommand.oneSortedFile(in, "provider", "currency");

    assertEquals(1, out.rdd().getNumPartitions());
    List<Row> rows = out.collectAsList();
    assertEquals(40, rows.size());
    for (int i = 1; i < rows.size(); i++) {
      String prev = rows.get(i - 1).getString(0) + "/" + rows.get(i - 1).getString(1);
      String cur = rows.get(i).getString(0) + "/" + rows.get(i).getString(1);
      assertFalse(prev.compareTo(cur) > 0, "out of order at row " + i + ": " + prev + " before " + cur);
    }
  }

  @Test
  void noRangePartitioningSoNoSamplingJob() throws Exception {
    Dataset<Row> in = shuffledAcrossPartitions();
    List<String> plans = PlansRun.during(spark(), () -> RunCommand.oneSortedFile(in, "provider", "currency").collectAsList());
    assertEquals(1, plans.size());
    assertFalse(plans.get(0).contains("rangepartitioning"), plans.get(0));
  }
}
