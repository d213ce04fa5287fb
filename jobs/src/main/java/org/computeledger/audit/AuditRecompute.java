package org.computeledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.attribute.Registry;
import org.computeledger.common.LedgerException;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.Formats;
import org.computeledger.ingest.IngestParams;
import org.computeledger.ingest.InputFile;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.Table;

/**
 * {@code ledger audit-recompute}: reads an audit sample alone (its raw lines, registry and catalog rows),
 * parses the lines again with the product's parsers, recomputes every drawn GPU-hour and held unit with
 * {@link Recompute}, compares with what the report said, and extrapolates the error to the report's total
 * with {@link ErrorEstimate}. The report's numbers are read only from the sample's {@code units.json},
 * and only to be compared with.
 */
public final class AuditRecompute {
  /** Relative difference above which a unit is flagged: well above the rounding of sums in a different order. */
  public static final double TOLERANCE = 1e-6;

  /** One compared unit. */
  public record Compared(String unit, String kind, String stratum, String lineItem, String job, String method,
      double reported, double recomputed, double relDiff, double reportedGpuSeconds, double recomputedGpuSeconds,
      int samples, int counters, String note) {
    public boolean flagged() {
      return !(Math.abs(relDiff) <= TOLERANCE);
    }
  }

  /** Everything the command prints and writes. */
  public record Outcome(List<Compared> units, ErrorEstimate.Result flopError, double reportedTotal,
      Map<String, double[]> lineItems, Map<String, double[]> jobs) {
    public long flagged() {
      return units.stream().filter(Compared::flagged).count();
    }
  }

  private AuditRecompute() {}

  public static Outcome recompute(Path sample) throws IOException {
    ObjectMapper json = new ObjectMapper();
    checkOwnManifest(sample, json);
    JsonNode design = json.readTree(sample.resolve(AuditSample.DESIGN).toFile());
    JsonNode units = json.readTree(sample.resolve(AuditSample.UNITS).toFile());
    JsonNode params = design.path("run_parameters");
    IngestParams ingest = AuditSample.ingestParams(params);
    Recompute.Method method = new Recompute.Method(params.path("max_gap_factor").asDouble(3.0),
        params.path("assumed_utilization").asDouble(), params.path("default_precision").asText("bf16"),
        params.path("bucket_seconds").asLong(3600), SampleCalibration.parse(sample.resolve(AuditSample.CALIBRATION)),
        org.computeledger.estimate.MigProfiles.load());

    // the raw lines, parsed again file by file as the files they came from
    Map<String, TreeMap<Long, String>> byFile = new TreeMap<>();
    Map<String, String> formatOf = new HashMap<>();
    for (String l : Files.readAllLines(sample.resolve(AuditSample.LINES), StandardCharsets.UTF_8)) {
      if (l.isEmpty()) {
        continue;
      }
      JsonNode n = json.readTree(l);
      byFile.computeIfAbsent(n.path("file").asText(), k -> new TreeMap<>()).put(n.path("line").asLong(), n.path("text").asText());
      formatOf.put(n.path("file").asText(), n.path("format").asText());
    }
    Map<Table, List<Object[]>> rows = new HashMap<>();
    for (Map.Entry<String, TreeMap<Long, String>> f : byFile.entrySet()) {
      FormatParser parser = Formats.byId(formatOf.get(f.getKey()));
      InputFile file = new InputFile(f.getKey(), AuditSample.folderName(f.getKey()), ingest);
      Table t = parser.table();
      for (RawLines.Parsed p : RawLines.reparse(parser, file, f.getValue())) {
        // each row names the file and line it had in the input, as the report's canonical rows do
        p.row()[t.index(Allocations.SOURCE_FILE)] = f.getKey();
        p.row()[t.index(Allocations.SOURCE_LINE)] = p.line();
        rows.computeIfAbsent(t, k -> new ArrayList<>()).add(p.row());
      }
    }
    Map<String, List<Recompute.Sample>> samples = Recompute.samples(rows.getOrDefault(Table.GPU_SAMPLES, List.of()));
    List<Recompute.Alloc> allocs = Recompute.allocs(rows.getOrDefault(Table.ALLOCATIONS, List.of()));
    List<Recompute.Counter> counters = Recompute.counters(rows.getOrDefault(Table.FLOP_COUNTS, List.of()));

    Path regFile = sample.resolve(AuditSample.REGISTRY);
    Registry registry = Files.isRegularFile(regFile)
        ? Registry.parse(Files.readString(regFile, StandardCharsets.UTF_8), "registry.yaml")
        : new Registry("(no registry)", List.of());
    PeakCatalog catalog = PeakCatalog.parse(Files.readString(sample.resolve(AuditSample.CATALOG), StandardCharsets.UTF_8),
        params.path("peak_catalog_version").asText());
    // the project a job is reported under names the precision its estimate must use
    Map<String, String> projectOfJob = new HashMap<>();
    for (JsonNode u : units) {
      projectOfJob.put(u.path("job").asText(), u.path("project").asText());
    }
    Function<String, String> precisionOf = job -> {
      String project = job == null ? null : projectOfJob.get(job);
      return project == null ? method.defaultPrecision()
          : registry.project(project).map(p -> p.precision().yamlName()).orElse(method.defaultPrecision());
    };

    Map<String, Compared> done = new LinkedHashMap<>();
    Map<String, List<double[]>> byDraw = new TreeMap<>();
    Map<String, String> drawStratum = new HashMap<>();
    Map<String, List<double[]>> byLineItemDraw = new TreeMap<>();
    Map<String, List<double[]>> byJobDraw = new TreeMap<>();
    for (JsonNode u : units) {
      String id = u.path("unit").asText();
      Compared c = done.get(id);
      if (c == null) {
        c = compare(u, samples, allocs, counters, precisionOf, catalog, method);
        done.put(id, c);
      }
      String draw = u.path("stratum").asText() + "#" + u.path("line_item_draw").asInt();
      drawStratum.put(draw, u.path("stratum").asText());
      byDraw.computeIfAbsent(draw, k -> new ArrayList<>()).add(new double[] {c.reported(), c.recomputed()});
      byLineItemDraw.computeIfAbsent(u.path("line_item").asText(), k -> new ArrayList<>())
          .add(new double[] {u.path("reported_line_item_flop").asDouble(), (c.recomputed() - c.reported()) / c.reported()});
      byJobDraw.computeIfAbsent(u.path("job").asText(), k -> new ArrayList<>())
          .add(new double[] {u.path("reported_job_flop").asDouble(), (c.recomputed() - c.reported()) / c.reported()});
    }
    double reportedTotal = 0;
    Map<String, Double> stratumSize = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : iterable(design.path("strata"))) {
      stratumSize.put(e.getKey(), e.getValue().path("reported_flop").asDouble());
      reportedTotal += e.getValue().path("reported_flop").asDouble();
    }
    List<ErrorEstimate.Draw> draws = new ArrayList<>();
    byDraw.forEach((k, pairs) -> draws.add(new ErrorEstimate.Draw(drawStratum.get(k),
        ErrorEstimate.z(stratumSize.get(drawStratum.get(k)), pairs))));
    return new Outcome(new ArrayList<>(done.values()), ErrorEstimate.estimate(draws), reportedTotal,
        shares(byLineItemDraw), shares(byJobDraw));
  }

  /** Per line item or job: its reported FLOP and the FLOP its drawn GPU-hours' mean relative error implies. */
  private static Map<String, double[]> shares(Map<String, List<double[]>> by) {
    Map<String, double[]> out = new TreeMap<>();
    by.forEach((k, l) -> {
      double rel = 0;
      for (double[] x : l) {
        rel += x[1];
      }
      rel /= l.size();
      out.put(k, new double[] {l.get(0)[0], l.get(0)[0] * (1 + rel), rel});
    });
    return out;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
    return n::fields;
  }

  static Compared compare(JsonNode u, Map<String, List<Recompute.Sample>> samples, List<Recompute.Alloc> allocs,
      List<Recompute.Counter> counters, Function<String, String> precisionOf, PeakCatalog catalog, Recompute.Method m) {
    String kind = u.path("kind").asText();
    String job = u.path("job").asText();
    // the GPU time no job held belongs to no job: its share is what the jobs leave
    String jobKey = job.startsWith(AuditFrame.NO_JOB) ? null : job;
    Recompute.Result r;
    if (AuditFrame.KIND_HELD.equals(kind)) {
      r = Recompute.held(jobKey, u.path("host").asText(), u.path("reported_covered_gpu_seconds").asDouble(), allocs,
          samples, precisionOf, catalog, m);
    } else {
      long hour = Instant.parse(u.path("hour_start").asText()).getEpochSecond() * 1_000_000L;
      String series = AuditSample.series(u.path("host").asText(), u.path("gpu_uuid").asText(null),
          u.path("mig_instance").asText(null));
      r = Recompute.gpuHour(jobKey, series, hour, m.bucketSeconds() * 1_000_000L, samples, allocs, counters,
          j -> precisionOf.apply(j), catalog, m);
    }
    double reported = u.path("reported_flop").asDouble();
    double rel = reported == 0 ? (r.flop() == 0 ? 0 : Double.POSITIVE_INFINITY) : (r.flop() - reported) / Math.abs(reported);
    return new Compared(u.path("unit").asText(), kind, u.path("stratum").asText(), u.path("line_item").asText(), job,
        u.path("reported_method").asText(), reported, r.flop(), rel, u.path("reported_gpu_seconds").asDouble(),
        r.gpuSeconds(), r.samples(), r.counters(), r.note());
  }

  /** A sample whose files differ from its own manifest is refused: it is no longer the evidence drawn. */
  static void checkOwnManifest(Path sample, ObjectMapper json) throws IOException {
    Path mf = sample.resolve("manifest.json");
    if (!Files.isRegularFile(mf)) {
      throw new LedgerException(sample + ": not an audit sample (no manifest.json); make one with ledger audit-sample");
    }
    for (JsonNode n : json.readTree(mf.toFile()).path("files")) {
      Path f = sample.resolve(n.path("path").asText());
      String have = Files.isRegularFile(f) ? InputCheck.sha256(f) : "missing";
      if (!have.equals(n.path("sha256").asText())) {
        throw new LedgerException(f + ": differs from the sample's manifest.json (" + have + "): the sample was changed after it was drawn");
      }
    }
  }

  /** The recompute in Markdown, as written to recompute.md and printed. */
  public static String markdown(Outcome o) {
    return AuditReadme.recompute(o);
  }

  static final StructType COMPARISON = new StructType()
      .add("unit", DataTypes.StringType).add("kind", DataTypes.StringType).add("stratum", DataTypes.StringType)
      .add("line_item", DataTypes.StringType).add("job", DataTypes.StringType).add("reported_method", DataTypes.StringType)
      .add("reported_flop", DataTypes.DoubleType).add("recomputed_flop", DataTypes.DoubleType)
      .add("relative_difference", DataTypes.DoubleType).add("reported_gpu_seconds", DataTypes.DoubleType)
      .add("recomputed_gpu_seconds", DataTypes.DoubleType).add("samples", DataTypes.IntegerType)
      .add("counter_rows", DataTypes.IntegerType).add("within_tolerance", DataTypes.BooleanType)
      .add("note", DataTypes.StringType);

  /** Writes {@code recompute/comparison} (Parquet) and {@code recompute/recompute.md} into the sample folder. */
  public static void write(SparkSession spark, Path sample, Outcome o) throws IOException {
    List<Row> out = new ArrayList<>();
    for (Compared c : o.units()) {
      out.add(RowFactory.create(c.unit(), c.kind(), c.stratum(), c.lineItem(), c.job(), c.method(), c.reported(),
          c.recomputed(), c.relDiff(), c.reportedGpuSeconds(), c.recomputedGpuSeconds(), c.samples(), c.counters(),
          !c.flagged(), c.note()));
    }
    Path dir = sample.resolve("recompute");
    Files.createDirectories(dir);
    spark.createDataFrame(out, COMPARISON).coalesce(1).write().mode("overwrite").parquet(dir.resolve("comparison").toString());
    Files.writeString(dir.resolve("recompute.md"), AuditReadme.recompute(o), StandardCharsets.UTF_8);
  }
}
