package org.computeledger.common;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Run once after a local session starts, before its first query: lets the driver's threads and the executor's
 * task threads share the classes Spark generates for a query. Spark keys its cache of compiled generated code by
 * the thread's context class loader as well as by the source, and in local mode the executor's task threads run
 * with a class loader of their own: every whole-stage class was compiled with Janino twice in the one JVM, once
 * when the driver planned the stage and again in its first task (the same source, seen in Spark's own codegen
 * log). Giving the driver's thread the task threads' loader makes the task's compile a cache hit.
 */
public final class SharedCodegenCache {
  private static final AtomicReference<ClassLoader> TASK_LOADER = new AtomicReference<>();

  private SharedCodegenCache() {}

  /**
   * In local mode, sets the calling thread's context class loader to the one Spark's task threads run with (threads
   * it starts later inherit it); on a cluster, where driver and executors are separate JVMs, or when nothing is
   * compiled, does nothing. The executor's loader delegates to the driver's, so every class the driver could load
   * it still loads.
   */
  public static void adopt(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    // a small local input runs interpreted (cli/SmallInput): nothing is compiled, so nothing to share
    boolean interpreted = !spark.conf().get("spark.sql.codegen.wholeStage", "true").equals("true")
        && spark.conf().get("spark.sql.codegen.factoryMode", "FALLBACK").equals("NO_CODEGEN");
    if (!sc.isLocal() || interpreted) {
      return;
    }
    // one task of one element: in local mode it runs in this JVM, where it can hand back its own thread's loader
    new JavaSparkContext(sc).parallelize(List.of(1), 1)
        .foreach(x -> TASK_LOADER.set(Thread.currentThread().getContextClassLoader()));
    ClassLoader loader = TASK_LOADER.get();
    if (loader != null) {
      Thread.currentThread().setContextClassLoader(loader);
    }
  }
}
