package org.computeledger.ingest;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells the bill lines that pay for accelerator time from the words providers put in them: Google Cloud
 * SKU descriptions ("Nvidia H100 80GB GPU running in Americas", "TPU v5e ... chip-hour"), Azure meter
 * names of GPU VM sizes ("ND96isr H100 v5"), and AWS usage types or instance types ("BoxUsage:p5.48xlarge").
 * The result is a short lower-case id ({@code h100}, {@code tpu-v5e}); null when a line names no
 * accelerator. It labels lines for the methodology; the money of a line is never changed by it.
 */
final class Accelerators {
  /**
   * NVIDIA and AMD data-centre GPU model names as SKUs and meters write them. Not taken from estimate's
   * GpuModels on purpose: ingest sits below estimate, a bill line is labelled with the family it names
   * ("h100", where GpuModels would guess a SKU, h100-sxm), and free bill text needs its own words (retired
   * K80 and P4 that the catalog has no rows for; none of GpuModels' short tokens such as "rtx" or "hl").
   * The export SKUs (H800, H20, A800, L20) are labelled as named, never as the GPU they derive from: their
   * compute differs. Whole tokens only, so "h20" is never read out of "h200" nor "mi300a" out of "mi300x";
   * and not before a disk's redundancy: Azure names its managed-disk tiers "P4 LRS", "P30 ZRS" (the shared
   * FOCUS sample's "Premium SSD Managed Disks - P4 LRS - US East" is storage, not a Tesla P4).
   */
  private static final Pattern GPU = Pattern.compile(
      "(?i)(?<![a-z0-9])(gb300|b300|gb200|b200|b100|h200|h100|h800|h20|gh200|a100|a800|a10g|a10|l40s|l40|l4|l20"
          + "|v100|p100|p4|t4|k80|mi355x|mi325x|mi300x|mi300a|mi250x)(?![a-z0-9])(?!\\s+[lz]rs\\b)");
  /**
   * Intel Gaudi by generation ("Gaudi 2", "Gaudi2", "Gaudi® 3"), labelled as the catalog names them; "Gaudi"
   * alone names no generation (the first had other rates) and is not labelled, as a TPU without its version.
   */
  private static final Pattern GAUDI = Pattern.compile("(?i)(?<![a-z0-9])gaudi[\\s_\\u00ae-]*([23])(?![0-9])");
  private static final Pattern TPU = Pattern.compile("(?i)\\btpu[\\s_-]*(v\\d+[a-z]*)");
  /** Google names its seventh TPU generation "TPU7x" (Ironwood), without the "v"; the catalog's id is tpu-v7. */
  private static final Pattern TPU7X = Pattern.compile("(?i)\\btpu[\\s_-]*7x\\b");
  /** AWS accelerated instance families and the accelerator each carries (EC2 accelerated computing types). */
  private static final Map<String, String> AWS_FAMILIES = Map.ofEntries(
      Map.entry("p5", "h100"), Map.entry("p5e", "h200"), Map.entry("p5en", "h200"), Map.entry("p6", "b200"),
      Map.entry("p4d", "a100"), Map.entry("p4de", "a100"), Map.entry("p3", "v100"), Map.entry("p3dn", "v100"),
      Map.entry("g6", "l4"), Map.entry("g6e", "l40s"), Map.entry("g5", "a10g"), Map.entry("g4dn", "t4"),
      Map.entry("trn1", "trainium"), Map.entry("trn1n", "trainium"), Map.entry("trn2", "trainium2"),
      Map.entry("inf2", "inferentia2"));
  private static final Pattern AWS_TYPE = Pattern.compile("(?i)(?:^|[:.\\s])([a-z]+[0-9][a-z]*)\\.[0-9]*[a-z]*large\\b");

  private Accelerators() {}

  /** The accelerator the first of {@code texts} that names one names, or null. */
  static String of(String... texts) {
    for (String t : texts) {
      if (t == null || t.isEmpty()) {
        continue;
      }
      if (TPU7X.matcher(t).find()) {
        return "tpu-v7";
      }
      Matcher tpu = TPU.matcher(t);
      if (tpu.find()) {
        return "tpu-" + tpu.group(1).toLowerCase(Locale.ROOT);
      }
      Matcher aws = AWS_TYPE.matcher(t);
      if (aws.find()) {
        String family = AWS_FAMILIES.get(aws.group(1).toLowerCase(Locale.ROOT));
        if (family != null) {
          return family;
        }
      }
      Matcher gpu = GPU.matcher(t);
      if (gpu.find()) {
        return gpu.group(1).toLowerCase(Locale.ROOT);
      }
      Matcher gaudi = GAUDI.matcher(t);
      if (gaudi.find()) {
        return "gaudi" + gaudi.group(1);
      }
    }
    return null;
  }
}
