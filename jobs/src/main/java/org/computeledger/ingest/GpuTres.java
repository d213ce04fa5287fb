package org.computeledger.ingest;

import static org.computeledger.ingest.TextScan.parseWhole;

/**
 * GPUs named in one sacct AllocTRES value: the job's total over all its nodes, and the type if given.
 * {@link SacctParser} reads a record's GPU count and model through it, then splits the total over the nodes.
 */
final class GpuTres {
  static final GpuTres BAD = new GpuTres(-1, null);

  final int total;
  final String model;

  GpuTres(int total, String model) {
    this.total = total;
    this.model = model;
  }

  /**
   * Null for an empty value (nothing allocated). Slurm lists GPUs both untyped ({@code gres/gpu=4})
   * and per type ({@code gres/gpu:a100=4}) for the same devices, so the untyped total wins when it is
   * there and the typed counts are summed only when it is not. {@code gres/gpumem} and
   * {@code gres/gpuutil} are usage, not devices.
   */
  static GpuTres parse(String tres) {
    if (tres == null) {
      return null;
    }
    long untyped = -1;
    long typed = 0;
    String model = null;
    int start = 0;
    int len = tres.length();
    for (int i = 0; i <= len; i++) {
      if (i < len && tres.charAt(i) != ',') {
        continue;
      }
      if (tres.startsWith("gres/gpu", start)) {
        int eq = tres.indexOf('=', start);
        if (eq < 0 || eq > i) {
          return BAD;
        }
        int nameEnd = start + "gres/gpu".length();
        if (eq == nameEnd || tres.charAt(nameEnd) == ':') {
          long v = parseWhole(tres.substring(eq + 1, i));
          if (v < 0) {
            return BAD;
          }
          if (eq == nameEnd) {
            untyped = v;
          } else {
            typed += v;
            String type = tres.substring(nameEnd + 1, eq);
            if (model == null) {
              model = type;
            } else if (!model.equals(type)) {
              // one job on several GPU types: name them all rather than pick one
              model = model + "," + type;
            }
          }
        }
      }
      start = i + 1;
    }
    long total = untyped >= 0 ? untyped : typed;
    return total > Integer.MAX_VALUE ? BAD : new GpuTres((int) total, model);
  }

  /**
   * GPUs of node {@code i} of {@code nodes} when the job holds {@code total}. AllocTRES gives the
   * job's total only; an even split is exact when it divides, and otherwise the remainder goes one
   * each to the first nodes in list order, so a job's rows always add up to its total.
   */
  static int gpusOnNode(int total, int nodes, int i) {
    return total / nodes + (i < total % nodes ? 1 : 0);
  }
}
