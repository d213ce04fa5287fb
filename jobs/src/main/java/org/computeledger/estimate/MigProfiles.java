package org.computeledger.estimate;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The share of a GPU's compute a MIG instance holds, by its SMs: {@code catalog/mig_profiles.csv}
 * lists, per parent model and profile, the SMs of the instance and of the whole GPU (as {@code
 * nvidia-smi mig -lgip} reports them), so that the estimation stage scales the parent's peak by
 * instance SMs ÷ GPU SMs. A profile the table does not list falls back to the slice rule (compute
 * slices over the GPU's slice count, from {@link MigGpus}), and the ledger row says so ({@link
 * MethodReasons#MIG_SLICE_RULE}).
 *
 * <p>Why SMs and not slices: the slices of a MIG GPU do not hold equal SM counts (the whole GPU keeps
 * SMs that no 1g slice gets), so slices ÷ 7 can be off by tens of percent for small instances.
 */
public final class MigProfiles implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CSV_RESOURCE = "/catalog/mig_profiles.csv";
  static final List<String> COLUMNS = List.of("gpu_model", "profile", "instance_sms", "gpu_sms", "memory_gb",
      "memory_fraction", "source", "source_date");

  /**
   * One row: the instance's SMs of the GPU's, its memory (GB, as in the profile name) and its share
   * of the GPU's memory as NVIDIA's profile tables print it ("1/8": memory slices of eight); {@code addedBy}
   * is the {@code --catalog-file} that added it to the shipped table, null for a shipped row.
   */
  public record Profile(String model, String profile, int instanceSms, int gpuSms, double memoryGb,
      String memoryFraction, String source, String sourceDate, String addedBy) implements Serializable {
    public double share() {
      return instanceSms / (double) gpuSms;
    }

    public double memoryShare() {
      return fraction(memoryFraction);
    }
  }

  /**
   * How an instance's share was found: from the table (compute by SMs, {@code memory} its memory
   * share), or by the slice rule (then {@code bySlices}, and no memory share is known).
   */
  public record Share(double compute, boolean bySlices, Double memory) implements Serializable {}

  private final List<Profile> rows;
  private final MigGpus gpus;
  private final Map<String, Profile> byKey = new HashMap<>();

  private MigProfiles(List<Profile> rows, MigGpus gpus) {
    this.rows = List.copyOf(rows);
    this.gpus = gpus;
    for (Profile p : rows) {
      byKey.put(key(p.model(), p.profile()), p);
    }
  }

  /** The tables shipped on the class path: the profiles' SM counts and the MIG GPUs' slice counts. */
  public static MigProfiles load() {
    return new MigProfiles(CatalogCsv.shipped(CSV_RESOURCE, "MIG profile table", MigProfiles::read), MigGpus.load());
  }

  /**
   * Parses and validates table text, beside the shipped MIG GPUs; each problem names the file, line,
   * field and what was expected.
   */
  public static MigProfiles parse(Reader csv, String fileName) throws IOException {
    return new MigProfiles(read(csv, fileName), MigGpus.load());
  }

  private static List<Profile> read(Reader csv, String fileName) throws IOException {
    return CatalogCsv.read(csv, fileName, COLUMNS, "gpu_model,profile", MigProfiles::row,
        p -> p.model() + "," + p.profile());
  }

  private static Profile row(CatalogCsv.Field f) {
    String model = f.modelId("gpu_model", "h200-sxm");
    String profile = normalizeProfile(f.text("profile"));
    // every 4-slice instance size is also a 7-slice one: this reads any MIG profile name
    if (GpuModels.migFraction(profile) == null) {
      throw f.invalid("profile", "a MIG profile like 1g.18gb", f.text("profile"));
    }
    int inst = f.count("instance_sms");
    int gpu = f.count("gpu_sms");
    if (inst > gpu) {
      throw f.invalid("instance_sms", "at most gpu_sms (" + gpu + ")", String.valueOf(inst));
    }
    double mem = f.positive("memory_gb");
    String memFraction = f.text("memory_fraction");
    if (!memFraction.matches("\\d+/\\d+") || !(fraction(memFraction) > 0) || fraction(memFraction) > 1) {
      throw f.invalid("memory_fraction", "a share of the GPU's memory like 1/8", memFraction);
    }
    String source = f.required("source", "where the SM counts come from");
    return new Profile(model, profile, inst, gpu, mem, memFraction, source, f.date("source_date"), null);
  }

  private static double fraction(String text) {
    int slash = text.indexOf('/');
    return Double.parseDouble(text.substring(0, slash)) / Double.parseDouble(text.substring(slash + 1));
  }

  /** This table with {@code more}'s rows added, each marked as added by {@code fileName}; a pair in both is an error naming it. */
  public MigProfiles plus(MigProfiles more, String fileName) {
    List<Profile> all = new ArrayList<>(rows);
    for (Profile p : more.rows) {
      if (byKey.containsKey(key(p.model(), p.profile()))) {
        throw new IllegalStateException(fileName + ": field gpu_model,profile: expected a pair the shipped table does"
            + " not hold, '" + p.model() + "," + p.profile() + "'");
      }
      all.add(new Profile(p.model(), p.profile(), p.instanceSms(), p.gpuSms(), p.memoryGb(), p.memoryFraction(),
          p.source(), p.sourceDate(), fileName));
    }
    return new MigProfiles(all, gpus);
  }

  /** This table with a lab's MIG GPUs added; a GPU the shipped table holds is an error naming it. */
  public MigProfiles plus(MigGpus more, String fileName) {
    return new MigProfiles(rows, gpus.plus(more, fileName));
  }

  public List<Profile> rows() {
    return rows;
  }

  /** The MIG GPUs and their slice counts, for the slice rule. */
  public MigGpus gpus() {
    return gpus;
  }

  /**
   * The compute share of {@code profile} on a GPU of catalog model {@code modelId}: the table's SM
   * share, else the slice rule (flagged); null when neither applies (unknown parent or profile).
   */
  public Share share(String modelId, String profile) {
    if (profile == null) {
      return null;
    }
    String p = normalizeProfile(profile);
    if (modelId != null) {
      Profile row = byKey.get(key(modelId, p));
      if (row != null) {
        return new Share(row.share(), false, row.memoryShare());
      }
    }
    Double slices = modelId == null ? GpuModels.migFraction(p) : gpus.fraction(p, modelId);
    return slices == null ? null : new Share(slices, true, null);
  }

  /** "MIG 1g.18gb+me" and "1g.18gb" name one instance size: lower case, no "MIG ", no media extension. */
  static String normalizeProfile(String raw) {
    String p = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
    if (p.startsWith("mig ")) {
      p = p.substring(4).trim();
    }
    int plus = p.indexOf('+');
    return plus >= 0 ? p.substring(0, plus) : p;
  }

  private static String key(String model, String profile) {
    return model + '|' + profile;
  }
}
