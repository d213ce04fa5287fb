package org.computeledger.estimate;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The share of a GPU's compute a MIG instance holds, by its SMs: {@code catalog/mig_profiles.csv}
 * lists, per parent model and profile, the SMs of the instance and of the whole GPU (as {@code
 * nvidia-smi mig -lgip} reports them), so that the estimation stage scales the parent's peak by
 * instance SMs ÷ GPU SMs. A profile the table does not list falls back to {@link
 * GpuModels#migFraction(String, String)} (compute slices over the GPU's slice count), and the ledger
 * row says so ({@link MethodReasons#MIG_SLICE_RULE}).
 *
 * <p>Why SMs and not slices: the slices of a MIG GPU do not hold equal SM counts (the whole GPU keeps
 * SMs that no 1g slice gets), so slices ÷ 7 can be off by tens of percent for small instances.
 */
public final class MigProfiles implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CSV_RESOURCE = "/catalog/mig_profiles.csv";
  static final List<String> COLUMNS =
      List.of("gpu_model", "profile", "instance_sms", "gpu_sms", "memory_gb", "source", "source_date");

  /** One row: the instance's SMs of the GPU's, and its memory (GB, as in the profile name). */
  public record Profile(String model, String profile, int instanceSms, int gpuSms, double memoryGb, String source,
      String sourceDate) implements Serializable {
    public double share() {
      return instanceSms / (double) gpuSms;
    }
  }

  /** How an instance's share was found: from the table, or by the slice rule (then {@code bySlices}). */
  public record Share(double compute, boolean bySlices) implements Serializable {}

  private final List<Profile> rows;
  private final Map<String, Profile> byKey = new HashMap<>();

  private MigProfiles(List<Profile> rows) {
    this.rows = List.copyOf(rows);
    for (Profile p : rows) {
      byKey.put(key(p.model(), p.profile()), p);
    }
  }

  /** The table shipped on the class path. */
  public static MigProfiles load() {
    try (InputStream in = MigProfiles.class.getResourceAsStream(CSV_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("MIG profile table " + CSV_RESOURCE + " is missing from the class path");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "mig_profiles.csv");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CSV_RESOURCE, e);
    }
  }

  /** Parses and validates table text; each problem names the file, line, field and what was expected. */
  public static MigProfiles parse(Reader csv, String fileName) throws IOException {
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
    List<Profile> rows = new ArrayList<>();
    Map<String, Long> first = new HashMap<>();
    try (CSVParser parser = CSVParser.parse(csv, format)) {
      if (!COLUMNS.equals(parser.getHeaderNames())) {
        throw new IllegalStateException(fileName + " header: expected " + String.join(",", COLUMNS) + ", '"
            + String.join(",", parser.getHeaderNames()) + "'");
      }
      for (CSVRecord r : parser) {
        long line = parser.getCurrentLineNumber();
        if (r.size() != COLUMNS.size()) {
          throw invalid(fileName, line, "(record)", COLUMNS.size() + " fields", r.size() + " fields");
        }
        String model = r.get("gpu_model").trim();
        if (!model.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
          throw invalid(fileName, line, "gpu_model", "a catalog model id like h200-sxm", model);
        }
        String profile = normalizeProfile(r.get("profile"));
        if (GpuModels.migFraction(profile) == null && GpuModels.migFraction(profile, "a30") == null) {
          throw invalid(fileName, line, "profile", "a MIG profile like 1g.18gb", r.get("profile"));
        }
        int inst = count(fileName, line, "instance_sms", r.get("instance_sms"));
        int gpu = count(fileName, line, "gpu_sms", r.get("gpu_sms"));
        if (inst > gpu) {
          throw invalid(fileName, line, "instance_sms", "at most gpu_sms (" + gpu + ")", String.valueOf(inst));
        }
        double mem;
        try {
          mem = Double.parseDouble(r.get("memory_gb").trim());
        } catch (NumberFormatException e) {
          throw invalid(fileName, line, "memory_gb", "a positive number", r.get("memory_gb"));
        }
        if (!(mem > 0)) {
          throw invalid(fileName, line, "memory_gb", "a positive number", r.get("memory_gb"));
        }
        String source = r.get("source").trim();
        if (source.isEmpty()) {
          throw invalid(fileName, line, "source", "where the SM counts come from", "");
        }
        String date = r.get("source_date").trim();
        if (!date.matches("\\d{4}-\\d{2}(-\\d{2})?")) {
          throw invalid(fileName, line, "source_date", "YYYY-MM or YYYY-MM-DD", date);
        }
        Long earlier = first.putIfAbsent(key(model, profile), line);
        if (earlier != null) {
          throw invalid(fileName, line, "gpu_model,profile", "one row per pair, already on line " + earlier,
              model + "," + profile);
        }
        rows.add(new Profile(model, profile, inst, gpu, mem, source, date));
      }
    }
    return new MigProfiles(rows);
  }

  /** This table with {@code more}'s rows added; a pair in both is an error naming it. */
  public MigProfiles plus(MigProfiles more, String fileName) {
    List<Profile> all = new ArrayList<>(rows);
    for (Profile p : more.rows) {
      if (byKey.containsKey(key(p.model(), p.profile()))) {
        throw new IllegalStateException(fileName + ": field gpu_model,profile: expected a pair the shipped table does"
            + " not hold, '" + p.model() + "," + p.profile() + "'");
      }
      all.add(p);
    }
    return new MigProfiles(all);
  }

  public List<Profile> rows() {
    return rows;
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
        return new Share(row.share(), false);
      }
    }
    Double slices = modelId == null ? GpuModels.migFraction(p) : GpuModels.migFraction(p, modelId);
    return slices == null ? null : new Share(slices, true);
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

  private static int count(String file, long line, String field, String text) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(file, line, field, "a positive whole number", text);
  }

  private static String key(String model, String profile) {
    return model + '|' + profile;
  }

  private static IllegalStateException invalid(String file, long line, String field, String expected, String value) {
    return new IllegalStateException(file + " line " + line + ": field " + field + ": expected " + expected + ", '"
        + value + "'");
  }
}
