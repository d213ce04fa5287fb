package org.computeledger.estimate;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which GPUs have MIG and in how many compute slices ({@code catalog/mig_gpus.csv}): the parent's side of
 * {@link MigProfiles}' slice rule, for the profiles its SM table does not list. A GPU without a row has
 * no MIG share at all, so a lab adds a MIG-capable GPU here (with {@code --catalog-file}) rather than in code.
 */
public final class MigGpus implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CSV_RESOURCE = "/catalog/mig_gpus.csv";
  static final List<String> COLUMNS = List.of("gpu_model", "gpu_slices", "source", "source_date");

  /**
   * One MIG-capable GPU: its compute slices (the number of 1g instances it holds) and where that comes from;
   * {@code addedBy} is the {@code --catalog-file} that added it to the shipped table, null for a shipped row.
   */
  public record Gpu(String model, int slices, String source, String sourceDate, String addedBy)
      implements Serializable {}

  private final List<Gpu> rows;
  private final Map<String, Gpu> byModel = new HashMap<>();

  private MigGpus(List<Gpu> rows) {
    this.rows = List.copyOf(rows);
    for (Gpu g : rows) {
      byModel.put(g.model(), g);
    }
  }

  /** The table shipped on the class path. */
  public static MigGpus load() {
    return CatalogCsv.shipped(CSV_RESOURCE, "MIG GPU table", MigGpus::parse);
  }

  /** Parses and validates table text; each problem names the file, line, field and what was expected. */
  public static MigGpus parse(Reader csv, String fileName) throws IOException {
    return new MigGpus(CatalogCsv.read(csv, fileName, COLUMNS, "gpu_model", MigGpus::row, Gpu::model));
  }

  private static Gpu row(CatalogCsv.Field f) {
    String model = f.modelId("gpu_model", "h100-sxm");
    int slices = f.count("gpu_slices");
    // the slice rule knows which instance sizes each of NVIDIA's two MIG geometries offers (GpuModels)
    if (slices != 7 && slices != 4) {
      throw f.invalid("gpu_slices", "7 or 4 (the MIG geometries the slice rule reads: 1g, 2g, 3g, 4g, 7g or 1g, 2g,"
          + " 4g instances)", String.valueOf(slices));
    }
    String source = f.required("source", "the document giving the GPU's slice count");
    return new Gpu(model, slices, source, f.date("source_date"), null);
  }

  /** This table with {@code more}'s GPUs added, each marked as added by {@code fileName}; a GPU in both is an error naming it. */
  public MigGpus plus(MigGpus more, String fileName) {
    List<Gpu> all = new ArrayList<>(rows);
    for (Gpu g : more.rows) {
      if (byModel.containsKey(g.model())) {
        throw new IllegalStateException(fileName + ": field gpu_model: expected a GPU the shipped table does not hold, '"
            + g.model() + "'");
      }
      all.add(new Gpu(g.model(), g.slices(), g.source(), g.sourceDate(), fileName));
    }
    return new MigGpus(all);
  }

  public List<Gpu> rows() {
    return rows;
  }

  /** The compute slices of catalog model {@code modelId}; null when it has no MIG. */
  public Integer slices(String modelId) {
    Gpu g = modelId == null ? null : byModel.get(modelId);
    return g == null ? null : g.slices();
  }

  /**
   * The slice rule: {@code profile}'s compute slices over its GPU's; null for a GPU without MIG or a
   * profile that GPU cannot hold (a 3g instance on a 4-slice A30).
   */
  public Double fraction(String profile, String modelId) {
    Integer slices = slices(modelId);
    return slices == null ? null : GpuModels.migFraction(profile, slices);
  }
}
