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
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The dense peak catalog the estimation stage multiplies activity or utilization by: one row per
 * (GPU model, precision), shipped as {@code catalog/gpu_peaks.csv} with its version in {@code
 * catalog/gpu_peaks.version}. Model ids are those {@link GpuModels#normalize} returns.
 *
 * <p>Every figure is dense. NVIDIA datasheets from Ampere on print tensor figures "with sparsity"
 * (marked *), twice the dense rate; the catalog holds half of those, and each row's notes say which
 * printed figure it came from. {@code int8} rows are integer operations per second, not FLOP/s.
 *
 * <p>Each row carries the SM clock its figure is quoted at, for clock-ratio scaling ({@code
 * estimate = activity x peak x sm_clock / boost_clock}). That clock is per row, not per model:
 * Hopper and Blackwell tensor figures are quoted at a lower clock than their vector figures (H100
 * SXM: tensor at 1830 MHz, FP32/FP64 at 1980 MHz), so scaling a tensor peak by the vector clock
 * would understate it by 8%.
 *
 * <p>Fallbacks, when a model has no row for the asked precision (see {@link #resolve}): bf16 to
 * fp16 (pre-Ampere GPUs have no bf16 path; their fp16 tensor rate is used); tf32 to fp32 (without
 * TF32 tensor mode, fp32 matmuls run on the vector units); fp8 to bf16 (the GPU has no fp8, so a
 * model trained "in fp8" ran in bf16 on it); fp16 to fp16_nontensor (no tensor cores at all);
 * fp64_tensor to fp64 (no FP64 tensor cores). Each is a mode the hardware lacks, taken at the rate
 * of the mode it runs that work in; steps chain (fp8 on a V100 ends at fp16), and every one is
 * recorded per line item ({@link MethodReasons#PRECISION_SUBSTITUTED}). A missing figure is never
 * replaced by another precision's figure: int8, fp64, fp32 and fp16_nontensor have no fallback, and
 * the pipe-activity method reads only direct rows (a pipe without its figure drops the method, see
 * {@link Flop}).
 */
public final class PeakCatalog implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CSV_RESOURCE = "/catalog/gpu_peaks.csv";
  public static final String VERSION_RESOURCE = "/catalog/gpu_peaks.version";

  static final List<String> COLUMNS =
      List.of("gpu_model", "precision", "dense_tflops", "boost_clock_mhz", "source", "source_date", "notes");

  /** Precisions the catalog knows; {@code fp16}, {@code bf16}, {@code tf32}, {@code fp8} are tensor rates. */
  public static final List<String> PRECISIONS =
      List.of("fp64", "fp64_tensor", "fp32", "tf32", "bf16", "fp16", "fp16_nontensor", "fp8", "int8");

  private static final Map<String, String> FALLBACK =
      Map.of(
          "bf16", "fp16",
          "tf32", "fp32",
          "fp8", "bf16",
          "fp16", "fp16_nontensor",
          "fp64_tensor", "fp64");

  private static final Map<String, String> FALLBACK_REASON =
      Map.of(
          "bf16", "no bf16 figure: counted at the fp16 tensor rate",
          "tf32", "no TF32 tensor mode: fp32 matmuls run at the fp32 vector rate",
          "fp8", "no fp8 on this GPU: fp8 work taken to run in bf16",
          "fp16", "no tensor cores: fp16 runs on the vector units",
          "fp64_tensor", "no FP64 tensor cores: fp64 matmuls run on the FP64 vector units");

  /**
   * Modes a GPU has whose figure the catalog lacks: a fallback stands for a mode the hardware does
   * not have, so for these the question has no answer (the method drops with its reason) rather than
   * the next mode's figure. A10G is a GA102 and RTX 6000 Ada an AD102, both with TF32 tensor cores
   * (NVIDIA Ampere GA102 and Ada Lovelace architecture whitepapers), but no TF32 figure is cited for either.
   * Gaudi 2 trains in FP8 (Intel Gaudi documentation, "FP8 Training with Intel Gaudi Transformer Engine"),
   * but only its BF16 figure is cited: its fp8 work is not the bf16 rate of a chip without fp8. The H800 is
   * the H100 SXM's GH100 with FP64 cut, its FP64 and TF32 tensor modes kept, but only its FP64 vector figure
   * (and no TF32 or FP32 figure) is cited.
   */
  private static final Set<String> MODE_WITHOUT_FIGURE =
      Set.of("a10g|tf32", "rtx-6000-ada|tf32", "gaudi2|fp8", "h800|fp64_tensor", "h800|tf32");

  private static final Pattern VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}\\.\\d+");

  /**
   * One catalog row; {@code flopsPerSecond} is the CSV's TFLOPS times 1e12 (ops/s for int8);
   * {@code boostClockMhz} is 0 where the vendor states no clock.
   */
  public record Peak(
      String model,
      String precision,
      double flopsPerSecond,
      double boostClockMhz,
      String source,
      String sourceDate,
      String notes)
      implements Serializable {}

  /**
   * The row used for a (model, precision) question. {@code fallbackNote} is null when the catalog
   * has the asked precision itself; otherwise it names the path taken and why, for the methodology.
   */
  public record Resolution(String requestedPrecision, Peak peak, String fallbackNote) implements Serializable {
    public boolean isFallback() {
      return fallbackNote != null;
    }
  }

  private final String version;
  private final List<Peak> rows;
  private final Map<String, Peak> byKey;

  private PeakCatalog(String version, List<Peak> rows) {
    this.version = version;
    this.rows = List.copyOf(rows);
    HashMap<String, Peak> index = new HashMap<>();
    for (Peak p : rows) {
      index.put(key(p.model(), p.precision()), p);
    }
    this.byKey = index;
  }

  /** The catalog shipped on the class path; fails loudly if it is missing or invalid. */
  public static PeakCatalog load() {
    String version = readVersion();
    try (InputStream in = PeakCatalog.class.getResourceAsStream(CSV_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("peak catalog " + CSV_RESOURCE + " is missing from the class path");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), version);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read peak catalog " + CSV_RESOURCE, e);
    }
  }

  /** Catalog text of a given version (the audit reads the rows copied into a sample), validated as {@link #load} does. */
  public static PeakCatalog parse(String csv, String version) {
    try {
      return parse(new java.io.StringReader(csv), version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses and validates catalog text; every problem names the CSV line, the field and what was expected. */
  static PeakCatalog parse(Reader csv, String version) throws IOException {
    return parse(csv, version, "gpu_peaks.csv");
  }

  /** As {@link #parse(Reader, String)} for a file of this name (a lab's {@code --catalog-file}). */
  public static PeakCatalog parse(Reader csv, String version, String fileName) throws IOException {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new IllegalStateException(
          "peak catalog version: expected YYYY-MM-DD.N, '" + version + "'");
    }
    List<Peak> rows = CatalogCsv.read(csv, fileName, COLUMNS, "gpu_model,precision", PeakCatalog::row,
        p -> p.model() + "," + p.precision());
    if (rows.isEmpty()) {
      throw new IllegalStateException(fileName + ": expected at least one row, none");
    }
    return new PeakCatalog(version, rows);
  }

  private static Peak row(CatalogCsv.Field f) {
    String model = f.modelId("gpu_model", "h100-sxm");
    String precision = f.text("precision");
    if (!PRECISIONS.contains(precision)) {
      throw f.invalid("precision", "one of " + PRECISIONS, precision);
    }
    double tflops = f.positive("dense_tflops");
    // TPU, Trainium and Inferentia documents state no clock: empty means unstated (0), and such a figure
    // cannot be clock-scaled (Flop drops the pipe method for it rather than guess a clock)
    double clock = f.text("boost_clock_mhz").isEmpty() ? 0 : f.positive("boost_clock_mhz");
    String source = f.required("source", "the datasheet the figure comes from");
    String date = f.date("source_date");
    return new Peak(model, precision, tflops * 1e12, clock, source, date, f.text("notes"));
  }

  /**
   * This catalog with a lab's rows added ({@code --catalog-file}): new (model, precision) pairs only,
   * so a shipped, sourced figure is never silently replaced; a pair in both is an error naming it.
   */
  public PeakCatalog plus(PeakCatalog more, String fileName) {
    List<Peak> all = new ArrayList<>(rows);
    for (Peak p : more.rows) {
      if (byKey.containsKey(key(p.model(), p.precision()))) {
        throw new IllegalStateException(fileName + ": field gpu_model,precision: expected a pair the shipped catalog"
            + " does not hold, '" + p.model() + "," + p.precision() + "'");
      }
      all.add(p);
    }
    return new PeakCatalog(version, all);
  }

  public String version() {
    return version;
  }

  /** Every row, in file order; small enough to broadcast or turn into a Dataset. */
  public List<Peak> rows() {
    return rows;
  }

  public Set<String> models() {
    Set<String> models = new TreeSet<>();
    for (Peak p : rows) {
      models.add(p.model());
    }
    return models;
  }

  /** The row for exactly this pair, without fallbacks. */
  public Optional<Peak> peak(String modelId, String precision) {
    return Optional.ofNullable(byKey.get(key(modelId, checkedPrecision(precision))));
  }

  /**
   * The row to use for this pair, following the fallbacks of the class comment; empty when the
   * model is unknown or no fallback reaches a row. An unknown precision is a caller's bug and throws.
   */
  public Optional<Resolution> resolve(String modelId, String precision) {
    String asked = checkedPrecision(precision);
    Peak direct = byKey.get(key(modelId, asked));
    if (direct != null) {
      return Optional.of(new Resolution(asked, direct, null));
    }
    if (MODE_WITHOUT_FIGURE.contains(modelId + "|" + asked)) {
      return Optional.empty();
    }
    StringBuilder why = new StringBuilder();
    String p = asked;
    // the fallback graph is acyclic; the bound only guards against a future edit making it cyclic
    for (int step = 0; step < FALLBACK.size() && FALLBACK.containsKey(p); step++) {
      if (why.length() > 0) {
        why.append("; then ");
      }
      why.append(p).append(" -> ").append(FALLBACK.get(p)).append(" (").append(FALLBACK_REASON.get(p)).append(')');
      p = FALLBACK.get(p);
      Peak found = byKey.get(key(modelId, p));
      if (found != null) {
        return Optional.of(new Resolution(asked, found, modelId + " has no " + asked + " row: " + why));
      }
    }
    return Optional.empty();
  }

  /** Dense peak in FLOP/s (ops/s for int8), with fallbacks. */
  public OptionalDouble peakFlops(String modelId, String precision) {
    return resolve(modelId, precision)
        .map(r -> OptionalDouble.of(r.peak().flopsPerSecond()))
        .orElse(OptionalDouble.empty());
  }

  /**
   * The model's highest quoted clock, i.e. its rated maximum SM boost clock (what nvidia-smi reports
   * as clocks.max.sm). For clock-ratio scaling of one precision use {@link #boostClockMhz(String,
   * String)}: tensor figures may be quoted at a lower clock.
   */
  public OptionalDouble boostClockMhz(String modelId) {
    double max = 0;
    for (Peak p : rows) {
      if (p.model().equals(modelId)) {
        max = Math.max(max, p.boostClockMhz());
      }
    }
    return max > 0 ? OptionalDouble.of(max) : OptionalDouble.empty();
  }

  /** The clock the resolved figure for this pair is quoted at. */
  public OptionalDouble boostClockMhz(String modelId, String precision) {
    return resolve(modelId, precision)
        .map(r -> OptionalDouble.of(r.peak().boostClockMhz()))
        .orElse(OptionalDouble.empty());
  }

  private static String checkedPrecision(String precision) {
    String p = precision == null ? "" : precision.trim().toLowerCase(Locale.ROOT);
    if (!PRECISIONS.contains(p)) {
      throw new IllegalArgumentException("precision: expected one of " + PRECISIONS + ", '" + precision + "'");
    }
    return p;
  }

  private static String key(String model, String precision) {
    return model + '|' + precision;
  }

  private static String readVersion() {
    try (InputStream in = PeakCatalog.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("peak catalog version " + VERSION_RESOURCE + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + VERSION_RESOURCE, e);
    }
  }
}
