package org.computeledger.estimate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps the GPU names that telemetry and schedulers write (nvidia-smi and DCGM product names,
 * Kubernetes product labels, vGPU type names, Slurm gres types) to the model ids of {@link
 * PeakCatalog}, and MIG profiles to the share of the parent GPU's compute they hold.
 *
 * <p>Names are few and repeat endlessly, so callers should map the distinct names of a table once
 * and join the result back, rather than call this per row.
 */
public final class GpuModels {
  private GpuModels() {}

  /**
   * A recognised name. {@code exact} is false when the name leaves the SKU open (a scheduler's
   * {@code a100}), names a vGPU or VF rather than the board, or names a family; {@code note} then
   * says what was assumed and what it may cost. {@code note} may also be set on an exact match (a MIG
   * instance of a known parent).
   */
  public record ModelMatch(String id, boolean exact, String note) implements Serializable {}

  /** Every id {@link #match} can return; each is a model of the shipped catalog. */
  public static final Set<String> IDS =
      Set.of(
          "p100-sxm2", "p100-pcie", "v100-sxm2-32gb", "v100-sxm2-16gb", "v100-pcie", "v100s-pcie", "t4",
          "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-40gb", "a100-pcie-80gb", "a30", "a10", "a40",
          "rtx-a6000", "l4", "l40s", "l40", "h100-sxm", "h100-pcie", "h100-nvl", "h200-sxm", "h200-nvl",
          "b200", "gb200", "mi300x", "mi250x", "mi250", "mi210", "mi300a", "mi325x", "mi350x", "mi355x",
          "tpu-v4", "tpu-v5e", "tpu-v5p", "tpu-v6e", "trainium1", "trainium2",
          "inferentia2", "gh200", "a10g", "rtx-6000-ada", "tpu-v7", "b300", "gb300", "gaudi2", "gaudi3",
          "h800");

  /**
   * Ids named explicitly (their nvidia-smi, DCGM, ROCm, hl-smi or Kubernetes names) that the shipped catalog
   * has no vendor-sourced figures for yet: they are never taken for a lookalike (an A10G is not an A10),
   * and their compute is unpriced until a lab adds their rows with {@code --catalog-file}.
   */
  public static final Set<String> UNPRICED_IDS =
      Set.of("h800-pcie", "h20", "a800", "l20", "b100", "rtx-pro-6000");

  private static final Set<String> VENDOR_WORDS = Set.of("nvidia", "tesla", "amd", "instinct", "radeon", "grid");

  /** The catalog id for a raw name, or null when the name is not a GPU the catalog knows. */
  public static String normalize(String raw) {
    ModelMatch m = match(raw);
    return m == null ? null : m.id();
  }

  /** The catalog id for a raw name with how sure the mapping is, or null when it is not a known GPU. */
  public static ModelMatch match(String raw) {
    if (raw == null) {
      return null;
    }
    String text = raw.trim().toLowerCase(Locale.ROOT);
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1).trim();
    }
    List<String> tokens = new ArrayList<>(List.of(text.split("[\\s_/-]+")));
    tokens.removeIf(String::isEmpty);
    if (tokens.isEmpty()) {
      return null;
    }
    boolean vendorNamed = VENDOR_WORDS.contains(tokens.get(0));
    boolean grid = tokens.contains("grid");
    String migProfile = null;
    // nvidia-smi names MIG devices "NVIDIA A100-SXM4-80GB MIG 1g.10gb"; Slurm types them "a100_1g.10gb"
    for (int i = tokens.size() - 1; i >= 0; i--) {
      String t = tokens.get(i);
      if (t.equals("mig")) {
        tokens.remove(i);
      } else if (isMigProfile(t)) {
        migProfile = t;
        tokens.remove(i);
      }
    }
    // "Tesla" alone is a brand (K80, P100, V100, T4 ...), not a model: unknown, never guessed
    tokens.removeIf(VENDOR_WORDS::contains);
    if (tokens.isEmpty()) {
      return null;
    }
    ModelMatch m = byFamily(tokens, vendorNamed, grid);
    if (m == null || migProfile == null) {
      return m;
    }
    String mig = "MIG instance " + migProfile + " of this GPU: scale by migFraction";
    return new ModelMatch(m.id(), m.exact(), m.note() == null ? mig : m.note() + "; " + mig);
  }

  private static ModelMatch byFamily(List<String> t, boolean vendorNamed, boolean grid) {
    String family = t.get(0);
    List<String> rest = t.subList(1, t.size());
    if (grid || isVgpuType(rest)) {
      return vgpu(family);
    }
    ModelMatch accelerator = accelerator(family, rest, vendorNamed);
    if (accelerator != null) {
      return accelerator;
    }
    switch (family) {
      case "h100":
        return h100(rest);
      case "h200":
        return h200(rest, vendorNamed);
      case "b200":
        return exact("b200");
      case "gb200":
        return exact("gb200");
      case "a100":
        return a100(rest);
      case "a30":
        return exact("a30");
      case "a10":
        return exact("a10");
      case "a40":
        return exact("a40");
      case "a6000":
        return exact("rtx-a6000");
      case "rtx":
        if (rest.size() == 1 && rest.get(0).equals("a6000")) {
          return exact("rtx-a6000");
        }
        // "NVIDIA RTX 6000 Ada Generation"; "NVIDIA RTX PRO 6000 Blackwell Server Edition"
        if (rest.size() >= 2 && rest.get(0).equals("6000") && rest.get(1).equals("ada")) {
          return exact("rtx-6000-ada");
        }
        if (rest.size() >= 2 && rest.get(0).equals("pro") && rest.get(1).equals("6000")) {
          return exact("rtx-pro-6000");
        }
        return null;
      case "l4":
        return exact("l4");
      case "l40s":
        return exact("l40s");
      case "l40":
        return exact("l40");
      case "t4":
        return exact("t4");
      case "v100s":
        return exact("v100s-pcie");
      case "v100":
        return v100(rest);
      case "volta":
        return guess("v100-sxm2-32gb", "'volta' names the architecture: assumed V100 SXM2; V100 PCIe peaks are about 10% lower");
      case "p100":
        return p100(rest);
      case "mi300x":
        return mi300x(rest);
      case "mi250x":
        return mi250x(rest);
      default:
        return null;
    }
  }

  /**
   * Accelerators other than the catalog's first GPUs, by explicit name only: nvidia-smi/DCGM names
   * ("NVIDIA GH200 480GB", "NVIDIA A10G"), ROCm names ("AMD Instinct MI325X"), hl-smi names ("HL-225" is
   * Gaudi 2, "HL-325L" Gaudi 3), GKE TPU labels ("tpu-v5-lite-podslice", "tpu-v6e-slice"), TPU
   * accelerator types ("v5litepod-16", "v5p-8", "v6e-8") and AWS Neuron names and instance types
   * ("trainium2", "trn1.32xlarge", "inf2.xlarge"). A name that is none of these stays unknown.
   */
  private static ModelMatch accelerator(String family, List<String> rest, boolean vendorNamed) {
    switch (family) {
      case "h800":
        return h800(rest, vendorNamed);
      case "gh200":
      case "h20":
      case "a800":
      case "l20":
      case "a10g":
      case "b100":
      case "b300":
      case "gb300":
      case "mi325x":
      case "mi350x":
      case "mi355x":
      case "mi300a":
      case "mi250":
      case "mi210":
      case "gaudi2":
      case "gaudi3":
      case "trainium2":
      case "inferentia2":
        return exact(family);
      case "trainium":
      case "trainium1":
        return exact("trainium1");
      case "gaudi":
        return rest.isEmpty() ? null : rest.get(0).equals("2") ? exact("gaudi2") : rest.get(0).equals("3")
            ? exact("gaudi3") : null;
      case "hl":
        if (rest.isEmpty()) {
          return null;
        }
        return rest.get(0).startsWith("225") ? exact("gaudi2") : rest.get(0).startsWith("325") ? exact("gaudi3") : null;
      case "tpu":
        return tpu(rest.isEmpty() ? "" : rest.get(0), rest.size() > 1 ? rest.get(1) : "");
      case "v5litepod":
      case "v5e":
        return exact("tpu-v5e");
      case "v5p":
        return exact("tpu-v5p");
      case "v6e":
      case "trillium":
        return exact("tpu-v6e");
      // Google names the seventh generation "TPU7x" (GKE label and accelerator types "tpu7x", "tpu7x-8"); "Ironwood"
      // alone names the family, of which TPU7x is the first release: not matched
      case "tpu7x":
        return exact("tpu-v7");
      default:
        break;
    }
    // Lambda instance types name count and GPU: gpu_1x_gh200, gpu_8x_h100_sxm5 (the GPU part is matched as a name)
    if (family.equals("gpu") && rest.size() > 1 && rest.get(0).matches("\\d+x")) {
      return byFamily(rest.subList(1, rest.size()), false, false);
    }
    // every g5 size carries A10G GPUs (EC2 accelerated computing instances); g5g is Graviton with T4G: not matched
    if (family.startsWith("g5.")) {
      return exact("a10g");
    }
    // EC2 P6-B300 (and SageMaker's ml.p6-b300) carry B300 GPUs: aws/sagemaker-hyperpod-cli lists the B300's MIG
    // profiles (1g.34gb ... 7g.269gb) for 'ml.p6-b300.48xlarge'; the hyphen splits the type into "p6" and "b300.48xlarge"
    if ((family.equals("p6") || family.equals("ml.p6")) && rest.size() == 1
        && rest.get(0).matches("b300\\.\\d*xlarge")) {
      return exact("b300");
    }
    // AWS instance types name the accelerator: trn1.32xlarge, trn1n.32xlarge, trn2.48xlarge, inf2.xlarge
    if (family.startsWith("trn1.") || family.startsWith("trn1n.") || family.equals("trn1")) {
      return exact("trainium1");
    }
    if (family.startsWith("trn2.") || family.startsWith("trn2u.") || family.equals("trn2")) {
      return exact("trainium2");
    }
    if (family.startsWith("inf2.") || family.equals("inf2")) {
      return exact("inferentia2");
    }
    return null;
  }

  /** "tpu-v4-podslice", "tpu-v5-lite-podslice", "tpu-v5p-slice", "tpu-v6e-slice" after the "tpu" token. */
  private static ModelMatch tpu(String version, String next) {
    switch (version) {
      case "v4":
        return exact("tpu-v4");
      case "v5":
        return next.equals("lite") ? exact("tpu-v5e") : null;
      case "v5e":
      case "v5litepod":
        return exact("tpu-v5e");
      case "v5p":
        return exact("tpu-v5p");
      case "v6e":
        return exact("tpu-v6e");
      case "v7":
      case "v7x":
        return exact("tpu-v7");
      default:
        return null;
    }
  }

  /**
   * The H800's catalog rows are the SXM module's datasheet figures. nvidia-smi names that module plain
   * "NVIDIA H800" (as NCCL logs of H800 SXM5 nodes show); the PCIe card, with fewer SMs and lower clocks,
   * is its own id without figures.
   */
  private static ModelMatch h800(List<String> rest, boolean vendorNamed) {
    if (rest.contains("pcie")) {
      return exact("h800-pcie");
    }
    if (vendorNamed || hasSxm(rest) || rest.contains("hbm3")) {
      return exact("h800");
    }
    return guess("h800", "'h800' names no form factor: assumed H800 SXM; the H800 PCIe card has fewer SMs and lower peaks");
  }

  private static ModelMatch h200(List<String> rest, boolean vendorNamed) {
    if (rest.contains("nvl")) {
      return exact("h200-nvl");
    }
    if (vendorNamed || hasSxm(rest)) {
      // nvidia-smi and DCGM name the SXM module plain "NVIDIA H200"
      return exact("h200-sxm");
    }
    return guess("h200-sxm", "'h200' names no form factor: assumed H200 SXM; H200 NVL peaks are about 15% lower");
  }

  private static ModelMatch p100(List<String> rest) {
    if (rest.contains("pcie")) {
      return exact("p100-pcie");
    }
    if (hasSxm(rest)) {
      return exact("p100-sxm2");
    }
    return guess("p100-pcie", "'p100' names no form factor: assumed P100 PCIe; P100 SXM2 peaks are about 14% higher");
  }

  private static ModelMatch mi300x(List<String> rest) {
    if (rest.contains("vf")) {
      return new ModelMatch("mi300x", false, "SR-IOV virtual function of an MI300X: assumed to hold the whole GPU");
    }
    return exact("mi300x");
  }

  private static ModelMatch mi250x(List<String> rest) {
    if (rest.contains("mi250")) {
      return guess("mi250x", "ROCm's combined 'MI250X/MI250' name: assumed MI250X (the MI250 has fewer compute units)");
    }
    return exact("mi250x");
  }

  private static ModelMatch h100(List<String> rest) {
    if (rest.contains("nvl")) {
      return exact("h100-nvl");
    }
    if (rest.contains("pcie")) {
      return exact("h100-pcie");
    }
    // "NVIDIA H100 80GB HBM3" is the SXM5 module: the PCIe card reports "NVIDIA H100 PCIe"
    if (hasSxm(rest) || rest.contains("hbm3")) {
      return exact("h100-sxm");
    }
    return guess("h100-sxm", "'h100' names no form factor: assumed H100 SXM, the most common in clusters; H100 PCIe peaks are about a quarter lower");
  }

  private static ModelMatch a100(List<String> rest) {
    boolean pcie = rest.contains("pcie");
    boolean sxm = hasSxm(rest);
    boolean gb80 = rest.contains("80gb") || rest.contains("80g");
    boolean gb40 = rest.contains("40gb") || rest.contains("40g");
    if ((pcie || sxm) && (gb80 || gb40)) {
      return exact((pcie ? "a100-pcie-" : "a100-sxm4-") + (gb80 ? "80gb" : "40gb"));
    }
    String id = (pcie ? "a100-pcie-" : "a100-sxm4-") + (gb80 ? "80gb" : "40gb");
    return guess(id, "'" + String.join(" ", prepend("a100", rest)) + "' leaves form factor or memory open: assumed "
        + id + "; every A100 variant has the same datasheet peaks, so the estimate is unaffected");
  }

  private static ModelMatch v100(List<String> rest) {
    if (rest.contains("pcie")) {
      return exact("v100-pcie");
    }
    if (rest.contains("sxm2")) {
      if (rest.contains("16gb")) {
        return exact("v100-sxm2-16gb");
      }
      if (rest.contains("32gb")) {
        return exact("v100-sxm2-32gb");
      }
      return guess("v100-sxm2-32gb", "V100 SXM2 of unnamed memory: 16GB and 32GB modules have the same peaks");
    }
    if (rest.isEmpty() || rest.stream().allMatch(GpuModels::isMemory)) {
      return guess("v100-sxm2-32gb", "'v100' names no form factor: assumed V100 SXM2; V100 PCIe peaks are about 10% lower");
    }
    // SXM3 (DGX-2), the 150 W FHHL card and others run other clocks than any catalog row
    return null;
  }

  /**
   * vGPU type names are the parent's name, a letter for the board variant and the framebuffer:
   * "A100-40C", "A100X-40C", "A100-3-20C" (MIG-backed). A vGPU computes on its parent, so it maps to
   * the parent, inexact: a time-sliced vGPU shares the parent with other VMs.
   */
  private static ModelMatch vgpu(String family) {
    String parent;
    switch (family) {
      case "a100":
        parent = "a100-pcie-40gb";
        break;
      case "a100x":
        parent = "a100-sxm4-40gb";
        break;
      case "a100d":
        parent = "a100-pcie-80gb";
        break;
      case "a100dx":
        parent = "a100-sxm4-80gb";
        break;
      case "a30":
      case "a10":
      case "a40":
      case "l4":
      case "l40s":
      case "l40":
      case "t4":
        parent = family;
        break;
      default:
        return null;
    }
    String variant = family.startsWith("a100")
        ? " (board variant read from the type's prefix; all A100 variants share peaks)"
        : "";
    return new ModelMatch(parent, false,
        "vGPU type whose parent is " + parent + variant + ": a time-sliced vGPU shares the parent's compute with other VMs");
  }

  /** True for the framebuffer-and-series suffix of vGPU types ("40c", "24q") after the family token. */
  private static boolean isVgpuType(List<String> rest) {
    if (rest.isEmpty()) {
      return false;
    }
    String last = rest.get(rest.size() - 1);
    int n = last.length();
    if (n < 2 || "abcq".indexOf(last.charAt(n - 1)) < 0) {
      return false;
    }
    for (int i = 0; i < n - 1; i++) {
      if (!Character.isDigit(last.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasSxm(List<String> rest) {
    for (String s : rest) {
      if (s.startsWith("sxm") || s.equals("hgx")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> prepend(String head, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(head);
    all.addAll(rest);
    return all;
  }

  private static ModelMatch exact(String id) {
    return new ModelMatch(id, true, null);
  }

  private static ModelMatch guess(String id, String note) {
    return new ModelMatch(id, false, note);
  }

  /**
   * The share of the parent GPU's compute a MIG profile holds when the parent is not known: compute
   * slices over 7, the geometry of every data-centre MIG GPU but the A30 and the RTX PRO 6000 (the parents and
   * their slice counts are catalog data, {@link MigGpus}). "1g.10gb+me" holds one slice like "1g.10gb"; a compute-instance
   * profile "1c.3g.40gb" holds its 1 slice. Memory does not enter: "1g.20gb" is still one seventh of the
   * slices. Accepts a leading "MIG ". Null (never 0) for anything else.
   */
  public static Double migFraction(String profile) {
    return slicesOver(profile, 7);
  }

  /**
   * As {@link #migFraction(String)} on a GPU of {@code gpuSlices} compute slices (7, or 4 as on the A30 and the RTX PRO 6000),
   * from {@link MigGpus}; null for a profile that geometry does not offer.
   */
  static Double migFraction(String profile, int gpuSlices) {
    return slicesOver(profile, gpuSlices);
  }

  private static Double slicesOver(String profile, int gpuSlices) {
    if (profile == null) {
      return null;
    }
    String p = profile.trim().toLowerCase(Locale.ROOT);
    if (p.startsWith("mig ")) {
      p = p.substring(4).trim();
    }
    int plus = p.indexOf('+');
    if (plus >= 0) {
      p = p.substring(0, plus);
    }
    String[] parts = p.split("\\.");
    int computeSlices;
    int instanceSlices;
    if (parts.length == 2) {
      instanceSlices = count(parts[0], 'g');
      computeSlices = instanceSlices;
    } else if (parts.length == 3) {
      computeSlices = count(parts[0], 'c');
      instanceSlices = count(parts[1], 'g');
    } else {
      return null;
    }
    if (computeSlices <= 0 || instanceSlices <= 0 || computeSlices > instanceSlices
        || !validInstance(instanceSlices, gpuSlices) || !isMemory(parts[parts.length - 1])) {
      return null;
    }
    return computeSlices / (double) gpuSlices;
  }

  private static boolean validInstance(int slices, int gpuSlices) {
    // 7-slice GPUs offer 1g, 2g, 3g, 4g and 7g instances; 4-slice GPUs 1g, 2g and 4g (NVIDIA MIG User Guide,
    // 'Supported MIG Profiles': the A100 section against the A30-24GB table)
    return gpuSlices == 7 ? slices <= 4 || slices == 7 : slices == 1 || slices == 2 || slices == 4;
  }

  /** "3g" with suffix 'g' is 3; anything else is -1. */
  private static int count(String part, char suffix) {
    int n = part.length();
    if (n < 2 || n > 3 || part.charAt(n - 1) != suffix) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = part.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isMemory(String part) {
    int n = part.length();
    if (n < 3 || !part.endsWith("gb")) {
      return false;
    }
    for (int i = 0; i < n - 2; i++) {
      if (!Character.isDigit(part.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isMigProfile(String token) {
    return token.indexOf('.') > 0 && slicesOver(token, 7) != null;
  }
}
