package org.computeledger.devtools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.computeledger.cli.Ledger;

/**
 * How much of a run is the JVM warming up: the same {@code ledger run} several times in one JVM, each
 * through the command line as a user runs it (its own Spark session, started and stopped), timed one by
 * one. The first run pays for loading, interpreting and compiling Spark's code; the later ones find it
 * compiled, so the difference is what a cold start costs and the last runs are what the work itself
 * costs on this machine.
 *
 * <p>Usage: {@code BenchWarm INPUT OUT_PREFIX RUNS}; each run writes {@code OUT_PREFIX-N} (forced).
 */
public final class BenchWarm {
  private BenchWarm() {}

  public static void main(String[] args) {
    String input = args[0];
    String prefix = args[1];
    int runs = Integer.parseInt(args[2]);
    List<Double> seconds = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      long t0 = System.nanoTime();
      int rc = Ledger.execute("run", "--quiet", "--force", "--input", input, "--out", prefix + "-" + i);
      double s = (System.nanoTime() - t0) / 1e9;
      if (rc != 0) {
        throw new IllegalStateException("bench-warm: run " + i + " exited " + rc);
      }
      seconds.add(s);
      System.out.printf(Locale.ROOT, "bench-warm: run %d of %d in one JVM: %.2f s%n", i, runs, s);
    }
    List<Double> later = new ArrayList<>(seconds.subList(Math.max(1, runs - 3), runs));
    later.sort(null);
    if (!later.isEmpty()) {
      System.out.printf(Locale.ROOT, "bench-warm: first run %.2f s, median of the last %d %.2f s (%.0f %% of the first)%n",
          seconds.get(0), later.size(), later.get(later.size() / 2), 100 * later.get(later.size() / 2) / seconds.get(0));
    }
  }
}
