package org.computeledger.common;

/**
 * Progress lines for the person running a job: short, on stderr, so stdout stays for results. Each
 * {@link #say} names a stage; once Spark is attached ({@link #attach}), the stage's progress (share of
 * tasks done, rows/s, time left) is redrawn in place every second on a terminal, or printed as a line
 * every {@link #LINE_SECONDS} seconds when stderr is not a terminal; nothing with {@code --quiet}.
 */
public final class Progress {
  /** How often a progress line is printed when stderr is a file or pipe (a log should not fill with them). */
  public static final int LINE_SECONDS = 30;
  private static volatile boolean quiet;
  private static final ProgressMeter METER = new ProgressMeter();
  private static final boolean TERMINAL = System.console() != null;
  private static volatile Thread ticker;
  private static boolean lineOpen;

  private Progress() {}

  public static void setQuiet(boolean q) {
    quiet = q;
  }

  public static void say(String fmt, Object... args) {
    String text = String.format(java.util.Locale.ROOT, fmt, args);
    METER.restart(text);
    if (!quiet) {
      synchronized (Progress.class) {
        clearLine();
        System.err.println("ledger: " + text);
      }
    }
  }

  /** Follows {@code spark}'s tasks for the progress of each stage; a ticker thread draws it (not with --quiet). */
  public static void attach(org.apache.spark.SparkContext spark) {
    spark.addSparkListener(METER);
    if (quiet || ticker != null) {
      return;
    }
    Thread t = new Thread(Progress::tick, "ledger-progress");
    t.setDaemon(true);
    ticker = t;
    t.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (Progress.class) {
        clearLine();
      }
    }));
  }

  /** The current stage's progress line (what the ticker draws), or null before any of its tasks. */
  static String currentLine() {
    return METER.line();
  }

  private static void tick() {
    long n = 0;
    while (true) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      n++;
      String line = METER.line();
      if (line == null || quiet) {
        continue;
      }
      synchronized (Progress.class) {
        if (TERMINAL) {
          // one line redrawn in place, cut to a usual terminal's width
          String l = "ledger: " + line;
          System.err.print("\r" + (l.length() > 119 ? l.substring(0, 119) : l) + "\033[K");
          System.err.flush();
          lineOpen = true;
        } else if (n % LINE_SECONDS == 0) {
          System.err.println("ledger: " + line);
        }
      }
    }
  }

  /** Ends the stage's progress (its line cleared), before a command prints its result on stdout. */
  public static void clear() {
    METER.restart("");
    synchronized (Progress.class) {
      clearLine();
    }
  }

  private static void clearLine() {
    if (lineOpen) {
      System.err.print("\r\033[K");
      lineOpen = false;
    }
  }
}
