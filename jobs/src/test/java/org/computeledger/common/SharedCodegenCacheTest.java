package org.computeledger.common;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** Local mode: after {@link SharedCodegenCache#adopt} a query's generated class is compiled once, not by driver and task each. */
class SharedCodegenCacheTest extends SparkTestBase {
  private static final AtomicReference<ClassLoader> SEEN = new AtomicReference<>();

  @Test
  void afterAdoptingTheDriverThreadHasTheLoaderTasksRunWith() {
    SharedCodegenCache.adopt(spark());
    new JavaSparkContext(spark().sparkContext()).parallelize(List.of(1), 1)
        .foreach(x -> SEEN.set(Thread.currentThread().getContextClassLoader()));
    assertSame(SEEN.get(), Thread.currentThread().getContextClassLoader());
  }

  @Test
  void afterAdoptingAOneStageQueryCompilesItsGeneratedClassOnce() {
    SharedCodegenCache.adopt(spark());
    // a literal of its own, so that no earlier query left this stage's class in Spark's cache
    long unique = System.nanoTime();
    long before = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
    spark().range(0, 1000, 1, 1).filter(col("id").notEqual(lit(unique))).select(col("id").plus(1)).localCheckpoint();
    assertEquals(1, CodegenMetrics.METRIC_COMPILATION_TIME().getCount() - before);
  }
}
