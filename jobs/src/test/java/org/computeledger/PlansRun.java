package org.computeledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * For tests that assert how Spark ran some work, not only what it gave: the physical plan of every query
 * the work ran (collects, writes, checkpoints), as Spark executed it. Spark tells a query's listeners after
 * the query has ended, from its listener bus, so the bus is drained before the plans are returned.
 */
public final class PlansRun {
  private PlansRun() {}

  /**
   * Runs {@code work} and returns the executed plan of every query that succeeded in {@code spark} meanwhile,
   * printed as Spark prints it (with adaptive execution, the final plan), in the order the queries ended.
   */
  public static List<String> during(SparkSession spark, Runnable work) throws TimeoutException {
    List<String> plans = Collections.synchronizedList(new ArrayList<>());
    QueryExecutionListener listener = new QueryExecutionListener() {
      @Override
      public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
        plans.add(qe.executedPlan().toString());
      }

      @Override
      public void onFailure(String funcName, QueryExecution qe, Exception e) {}
    };
    spark.listenerManager().register(listener);
    try {
      work.run();
      // the last queries' ends may still be on their way to the listener
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.listenerManager().unregister(listener);
    }
    return new ArrayList<>(plans);
  }
}
