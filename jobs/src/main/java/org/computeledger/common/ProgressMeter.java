package org.computeledger.common;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * How far the current stage of a command is (the stage {@link Progress#say} last named): Spark's tasks
 * done of those submitted since, input rows read per second, and the time left at that pace. Fed by
 * Spark's listener bus on the driver; read by {@link Progress}'s ticker.
 */
final class ProgressMeter extends SparkListener {
  private final AtomicLong tasksSubmitted = new AtomicLong();
  private final AtomicLong tasksDone = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private volatile long startNanos = System.nanoTime();
  private volatile String label = "";

  void restart(String stage) {
    label = stage;
    tasksSubmitted.set(0);
    tasksDone.set(0);
    rows.set(0);
    startNanos = System.nanoTime();
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    tasksSubmitted.addAndGet(e.stageInfo().numTasks());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    tasksDone.incrementAndGet();
    if (e.taskMetrics() != null) {
      rows.addAndGet(e.taskMetrics().inputMetrics().recordsRead());
    }
  }

  /** The current stage's progress in one line, or null before any task was submitted. */
  String line() {
    long submitted = tasksSubmitted.get();
    if (submitted == 0) {
      return null;
    }
    double share = Math.min(1.0, tasksDone.get() / (double) submitted);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    String left = share > 0.02 && share < 1 ? ", about " + duration(seconds * (1 - share) / share) + " left" : "";
    return String.format(Locale.ROOT, "%s: %3.0f%% of %,d Spark tasks, %s rows/s, %s elapsed%s", label, 100 * share,
        submitted, rate(rows.get() / Math.max(seconds, 1e-3)), duration(seconds), left);
  }

  /**
   * Spark submits a stage's tasks as it reaches it, so the share done is of the work seen so far: it
   * can fall when a new stage starts, and the time left is a guess at the present pace.
   */
  static String rate(double perSecond) {
    if (perSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.1f M", perSecond / 1e6);
    }
    if (perSecond >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", perSecond);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
