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
import java.util.HashSet;
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
 *
 * <p>A row with an empty {@code dense_tflops} says the GPU has that mode but no figure for it is
 * cited (A10G and RTX 6000 Ada have TF32 tensor cores and no published TF32 rate). Such a row stops
 * the fallbacks at that mode: the question has no answer and the method drops with its reason, rather
 * than taking the rate of a mode the GPU does not run that work in. Only a mode with a fallback can be
 * declared so, its source names the document showing the GPU has it, and a lab's {@code
 * --catalog-file} may declare more or give the figure one of these rows lacks.
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
      implements Entry {}

  /**
   * The row used for a (model, precision) question. {@code fallbackNote} is null when the catalog
   * has the asked precision itself; otherwise it names the path taken and why, for the methodology.
   */
  public record Resolution(String requestedPrecision, Peak peak, String fallbackNote) implements Serializable {
    public boolean isFallback() {
      return fallbackNote != null;
    }
  }

  /**
   * A mode the GPU has whose figure the catalog lacks (a row with an empty {@code dense_tflops}):
   * {@code source} names the document showing the GPU has the mode.
   */
  public record ModeWithoutFigure(String model, String precision, String source, String sourceDate, String notes)
      implements Entry {}

  /** One line of the table: a figure or a mode without one. */
  sealed interface Entry extends Serializable permits Peak, ModeWithoutFigure {
    String model();

    String precision();
  }

  private final String version;
  private final List<Peak> rows;
  private final List<ModeWithoutFigure> modesWithoutFigure;
  private final Map<String, Peak> byKey;
  private final Set<String> noFigure;
  /**
   * Each entry in force, by key, as its file's record stands (shipped rows in file order, then a lab's): what an
   * audit sample copies ({@link #csv}). Driver-side only: not shipped to executors with the estimator.
   */
  private final transient Map<String, List<String>> text;

  private PeakCatalog(String version, List<Peak> rows, List<ModeWithoutFigure> modesWithoutFigure,
      Map<String, List<String>> text) {
    this.version = version;
    this.text = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(text));
    this.rows = List.copyOf(rows);
    this.modesWithoutFigure = List.copyOf(modesWithoutFigure);
    HashMap<String, Peak> index = new HashMap<>();
    for (Peak p : rows) {
      index.put(key(p.model(), p.precision()), p);
    }
    this.byKey = index;
    Set<String> modes = new HashSet<>();
    for (ModeWithoutFigure m : modesWithoutFigure) {
      modes.add(key(m.model(), m.precision()));
    }
    this.noFigure = modes;
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
    Map<String, List<String>> text = new java.util.LinkedHashMap<>();
    List<Entry> read = CatalogCsv.read(csv, fileName, COLUMNS, "gpu_model,precision", f -> {
      Entry e = row(f);
      // a second record of a key is refused by the reader right after this
      text.putIfAbsent(key(e.model(), e.precision()), f.values());
      return e;
    }, e -> e.model() + "," + e.precision());
    if (read.isEmpty()) {
      throw new IllegalStateException(fileName + ": expected at least one row, none");
    }
    List<Peak> rows = new ArrayList<>();
    List<ModeWithoutFigure> modes = new ArrayList<>();
    for (Entry e : read) {
      if (e instanceof Peak p) {
        rows.add(p);
      } else {
        modes.add((ModeWithoutFigure) e);
      }
    }
    return new PeakCatalog(version, rows, modes, text);
  }

  /** A {@link Peak}, or a {@link ModeWithoutFigure} where {@code dense_tflops} is empty. */
  private static Entry row(CatalogCsv.Field f) {
    String model = f.modelId("gpu_model", "h100-sxm");
    String precision = f.text("precision");
    if (!PRECISIONS.contains(precision)) {
      throw f.invalid("precision", "one of " + PRECISIONS, precision);
    }
    if (f.text("dense_tflops").isEmpty()) {
      // only a mode with a fallback can stop one; for the others a missing row already means no figure
      if (!FALLBACK.containsKey(precision)) {
        throw f.invalid("dense_tflops", "a positive number (empty, for a mode the GPU has without a cited figure,"
            + " only for " + String.join(", ", new TreeSet<>(FALLBACK.keySet())) + ")", "");
      }
      String source = f.required("source", "the document showing the GPU has this mode");
      return new ModeWithoutFigure(model, precision, source, f.date("source_date"), f.text("notes"));
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
   * The one exception is a figure for a mode the shipped catalog declares without one: it fills the gap.
   */
  public PeakCatalog plus(PeakCatalog more, String fileName) {
    List<Peak> all = new ArrayList<>(rows);
    List<ModeWithoutFigure> modes = new ArrayList<>(modesWithoutFigure);
    Map<String, List<String>> records = new java.util.LinkedHashMap<>(text);
    for (Peak p : more.rows) {
      String k = key(p.model(), p.precision());
      if (byKey.containsKey(k)) {
        throw held(fileName, p.model(), p.precision());
      }
      modes.removeIf(m -> key(m.model(), m.precision()).equals(k));
      all.add(p);
      // the lab's figure replaces the record declaring the mode without one, after the shipped rows
      records.remove(k);
      records.put(k, more.text.get(k));
    }
    for (ModeWithoutFigure m : more.modesWithoutFigure) {
      String k = key(m.model(), m.precision());
      if (byKey.containsKey(k) || noFigure.contains(k)) {
        throw held(fileName, m.model(), m.precision());
      }
      modes.add(m);
      records.put(k, more.text.get(k));
    }
    return new PeakCatalog(version, all, modes, records);
  }

  /**
   * The header and the records in force for {@code models} (figures and modes without one), as RFC 4180 CSV in
   * the shipped file's format: the shipped rows as the shipped file has them and a lab's where {@link #plus} took
   * them, so that an audit sample prices with exactly what the run priced with. Driver-side only.
   */
  public String csv(Set<String> models) {
    StringBuilder out = new StringBuilder();
    try (org.apache.commons.csv.CSVPrinter printer = new org.apache.commons.csv.CSVPrinter(out,
        org.apache.commons.csv.CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
      printer.printRecord(COLUMNS);
      for (List<String> r : text.values()) {
        if (models.contains(r.get(0).trim())) {
          printer.printRecord(r);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static IllegalStateException held(String fileName, String model, String precision) {
    return new IllegalStateException(fileName + ": field gpu_model,precision: expected a pair the shipped catalog"
        + " does not hold, '" + model + "," + precision + "'");
  }

  public String version() {
    return version;
  }

  /** Every row, in file order; small enough to broadcast or turn into a Dataset. */
  public List<Peak> rows() {
    return rows;
  }

  /** The modes declared without a figure, in file order. */
  public List<ModeWithoutFigure> modesWithoutFigure() {
    return modesWithoutFigure;
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
    if (noFigure.contains(key(modelId, asked))) {
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
      if (noFigure.contains(key(modelId, p))) {
        // the GPU runs the work in this mode, whose figure is not known: no answer, not the next mode's rate
        return Optional.empty();
      }
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
