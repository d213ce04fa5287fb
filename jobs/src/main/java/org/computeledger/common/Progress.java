package org.computeledger.common;

/** Progress lines for the person running a job: short, on stderr, so stdout stays for results. */
public final class Progress {
  private static volatile boolean quiet;

  private Progress() {}

  public static void setQuiet(boolean q) {
    quiet = q;
  }

  public static void say(String fmt, Object... args) {
    if (!quiet) {
      System.err.println("ledger: " + String.format(java.util.Locale.ROOT, fmt, args));
    }
  }
}
