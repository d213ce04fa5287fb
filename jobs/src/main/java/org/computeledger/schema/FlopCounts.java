package org.computeledger.schema;

/** Column names of the {@code flop_counts} table: exact profiler counts per GPU interval (PRODUCT.md §6). */
public final class FlopCounts {
  public static final String INTERVAL_START = "interval_start";
  public static final String INTERVAL_END = "interval_end";
  public static final String HOST = "host";
  public static final String GPU_UUID = "gpu_uuid";
  public static final String GPU_INDEX = "gpu_index";
  public static final String FLOP = "flop";
  public static final String PRECISION = "precision";
  public static final String SOURCE = "source";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";

  private FlopCounts() {}
}
