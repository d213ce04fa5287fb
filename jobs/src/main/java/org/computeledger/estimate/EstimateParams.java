package org.computeledger.estimate;

import java.io.Serializable;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of the estimation stage, parsed once and written into the methodology. Their defaults are
 * the {@code DEFAULT_} constants below, the only place they are written.
 *
 * @param maxGapFactor a sample covers the time since the previous sample of its GPU, up to this many
 *     times the series' median cadence; a longer gap is "no telemetry"
 * @param pipeRelError relative uncertainty of the pipe-activity method: DCGM samples the pipe
 *     counters over a short window and reports ratios, not operation counts
 * @param utilLowFactor low end of the utilization method as a share of its point value: utilization
 *     is the share of time any kernel ran, an upper bound on tensor-pipe activity
 * @param utilHighFactor high end of the utilization method as a share of its point value
 * @param allocUtil assumed utilization of an allocation with no telemetry (a standard may set its own)
 * @param allocUtilLow low end of the allocation method's assumed utilization
 * @param allocUtilHigh high end of the allocation method's assumed utilization
 * @param defaultPrecision precision for compute that no project declares
 * @param bucketSeconds width of the time buckets that interval joins use as an equality key
 */
public record EstimateParams(
    double maxGapFactor,
    double pipeRelError,
    double utilLowFactor,
    double utilHighFactor,
    double allocUtil,
    double allocUtilLow,
    double allocUtilHigh,
    String defaultPrecision,
    long bucketSeconds)
    implements Serializable {

  // Each parameter's one default: the command line's options take theirs from here
  // (defaultValue = "" + DEFAULT_...), and methodology.md and the manifest quote the record.
  public static final double DEFAULT_MAX_GAP_FACTOR = 3.0;
  public static final double DEFAULT_PIPE_REL_ERROR = 0.10;
  public static final double DEFAULT_UTIL_LOW_FACTOR = 0.25;
  public static final double DEFAULT_UTIL_HIGH_FACTOR = 1.0;
  public static final double DEFAULT_ALLOC_UTIL = 0.4;
  public static final double DEFAULT_ALLOC_UTIL_LOW = 0.1;
  public static final double DEFAULT_ALLOC_UTIL_HIGH = 0.7;
  public static final String DEFAULT_PRECISION = "bf16";
  public static final long DEFAULT_BUCKET_SECONDS = 3600;

  /** The manifest's name of each component; {@link #manifestParameters} fails on a component without one. */
  private static final Map<String, String> MANIFEST_KEYS = Map.of(
      "maxGapFactor", "max_gap_factor",
      "pipeRelError", "pipe_relative_error",
      "utilLowFactor", "utilization_low_factor",
      "utilHighFactor", "utilization_high_factor",
      "allocUtil", "assumed_utilization",
      "allocUtilLow", "assumed_utilization_low",
      "allocUtilHigh", "assumed_utilization_high",
      "defaultPrecision", "default_precision",
      "bucketSeconds", "bucket_seconds");

  public static EstimateParams defaults() {
    return new EstimateParams(DEFAULT_MAX_GAP_FACTOR, DEFAULT_PIPE_REL_ERROR, DEFAULT_UTIL_LOW_FACTOR,
        DEFAULT_UTIL_HIGH_FACTOR, DEFAULT_ALLOC_UTIL, DEFAULT_ALLOC_UTIL_LOW, DEFAULT_ALLOC_UTIL_HIGH,
        DEFAULT_PRECISION, DEFAULT_BUCKET_SECONDS);
  }

  /**
   * Every component, in declaration order, under its manifest name: made from the record itself, so a
   * parameter added to it cannot be left out of the manifest (a component without a name fails here,
   * and EstimateParamsTest calls this).
   */
  public Map<String, Object> manifestParameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (RecordComponent c : EstimateParams.class.getRecordComponents()) {
      String key = MANIFEST_KEYS.get(c.getName());
      if (key == null) {
        throw new IllegalStateException("EstimateParams." + c.getName() + " has no manifest name");
      }
      try {
        m.put(key, c.getAccessor().invoke(this));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return m;
  }
}
