package org.computeledger.common;

import org.apache.spark.sql.SparkSession;

/**
 * The one session setting that says "this local run is on a small input". {@code cli/SmallInput} decides it
 * from the input's size and sets it with the rest of a small input's Spark settings; the stages that do
 * something else for such a run (ingest keeps its parse as rows rather than in Spark's columnar cache) read
 * it here, so that none of them infers a small input from another stage's own setting. It lives in
 * {@code common} because {@code cli}, above, sets it and the stages below {@code cli} read it.
 */
public final class SmallInputFlag {
  /** The Spark setting: {@code true} for a small local run; unset (or anything else) otherwise. */
  public static final String CONF_KEY = "spark.ledger.smallInput";

  private SmallInputFlag() {}

  /** Whether {@code spark}'s session runs on a small input ({@link #CONF_KEY} set to {@code true}). */
  public static boolean isSet(SparkSession spark) {
    return Boolean.parseBoolean(spark.conf().get(CONF_KEY, "false"));
  }
}
