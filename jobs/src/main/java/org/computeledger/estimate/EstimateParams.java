package org.computeledger.estimate;

import java.io.Serializable;

/**
 * Parameters of the estimation stage, parsed once and written into the methodology.
 *
 * @param maxGapFactor a sample covers the time since the previous sample of its GPU, up to this many
 *     times the series' median cadence; a longer gap is "no telemetry" (default 3)
 * @param pipeRelError relative uncertainty of the pipe-activity method (default ±10 %): DCGM samples
 *     the pipe counters over a short window and reports ratios, not operation counts
 * @param utilLowFactor low end of the utilization method as a share of its point value (default
 *     0.25): utilization is the share of time any kernel ran, an upper bound on tensor-pipe activity
 * @param utilHighFactor high end of the utilization method as a share of its point value (default 1)
 * @param allocUtil assumed utilization of an allocation with no telemetry (default 0.4; a standard
 *     may set its own)
 * @param allocUtilLow low end of the allocation method's assumed utilization (default 0.1)
 * @param allocUtilHigh high end of the allocation method's assumed utilization (default 0.7)
 * @param defaultPrecision precision for compute that no project declares (default bf16)
 * @param bucketSeconds width of the time buckets that interval joins use as an equality key (3600)
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

  public static EstimateParams defaults() {
    return new EstimateParams(3.0, 0.10, 0.25, 1.0, 0.4, 0.1, 0.7, "bf16", 3600);
  }
}
