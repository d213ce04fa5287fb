package org.computeledger.schema;

/** Column names of the {@code quarantine} table: every rejected input record with its context. */
public final class Quarantine {
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";
  public static final String FORMAT = "format";
  public static final String REASON = "reason";
  public static final String RAW = "raw";

  private Quarantine() {}
}
