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

  /**
   * Relative difference above which a job's cost is flagged. Money is decimal on both sides and each share
   * is rounded to 12 decimals the same way, so the two agree to the last digit; the tolerance only absorbs
   * shares of a job in many periods rounding in the last decimal.
   */
  public static final double COST_TOLERANCE = 1e-9;

  /** One drawn job's cost, reported against recomputed from its bill lines (billed and effective). */
  public record CostCompared(String job, String currency, java.math.BigDecimal reportedBilled,
      java.math.BigDecimal recomputedBilled, java.math.BigDecimal reportedEffective,
      java.math.BigDecimal recomputedEffective, double relDiff, double relDiffEffective, int billLines, String note,
      Market market, Converted converted) {
    public CostCompared(String job, String currency, java.math.BigDecimal reportedBilled,
        java.math.BigDecimal recomputedBilled, java.math.BigDecimal reportedEffective,
        java.math.BigDecimal recomputedEffective, double relDiff, double relDiffEffective, int billLines, String note) {
      this(job, currency, reportedBilled, recomputedBilled, reportedEffective, recomputedEffective, relDiff,
          relDiffEffective, billLines, note, Market.NONE, Converted.NONE);
    }

    public boolean flagged() {
      return !(Math.abs(relDiff) <= COST_TOLERANCE) || !(Math.abs(relDiffEffective) <= COST_TOLERANCE)
          || !(Math.abs(market.relDiff()) <= COST_TOLERANCE) || !(Math.abs(converted.relDiff()) <= COST_TOLERANCE);
    }

    CostCompared withMarket(Market m) {
      return new CostCompared(job, currency, reportedBilled, recomputedBilled, reportedEffective, recomputedEffective,
          relDiff, relDiffEffective, billLines, note, m, converted);
    }

    CostCompared withConverted(Converted c) {
      return new CostCompared(job, currency, reportedBilled, recomputedBilled, reportedEffective, recomputedEffective,
          relDiff, relDiffEffective, billLines, note, market, c);
    }
  }

  /**
   * A drawn job's billed, effective and market cost in the reporting currency (fx.csv), reported against
   * recomputed; {@code relDiff} the largest of the three in absolute value. NONE when the report converted nothing.
   */
  public record Converted(String currency, java.math.BigDecimal reportedBilled, java.math.BigDecimal recomputedBilled,
      java.math.BigDecimal reportedEffective, java.math.BigDecimal recomputedEffective,
      java.math.BigDecimal reportedMarket, java.math.BigDecimal recomputedMarket, double relDiff) {
    static final Converted NONE = new Converted(null, null, null, null, null, null, null, 0);
  }

  /** A drawn job's market cost (prices.csv), reported against recomputed; NONE when neither has one. */
  public record Market(String currency, java.math.BigDecimal reported, java.math.BigDecimal recomputed, double relDiff) {
    static final Market NONE = new Market(null, null, null, 0);
  }

  /** Everything the command prints and writes. */
  public record Outcome(List<Compared> units, ErrorEstimate.Result flopError, double reportedTotal,
      Map<String, double[]> lineItems, Map<String, double[]> jobs, List<CostCompared> costs,
      Map<String, ErrorEstimate.Result> costError, Map<String, Double> reportedCostTotal, List<String> notParsed) {
    /** Units and job costs beyond their tolerance. */
    public long flagged() {
      return units.stream().filter(Compared::flagged).count() + costFlagged();
    }

    public long costFlagged() {
      return costs.stream().filter(CostCompared::flagged).count();
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
    Map<String, List<JsonRecords.Fragment>> fragments = new TreeMap<>();
    // the lines that held an evidence row when copied: each must give a row again, or it is named
    Map<String, java.util.TreeSet<Long>> evidenceAt = new TreeMap<>();
    for (String l : Files.readAllLines(sample.resolve(AuditSample.LINES), StandardCharsets.UTF_8)) {
      if (l.isEmpty()) {
        continue;
      }
      JsonNode n = json.readTree(l);
      formatOf.put(n.path("file").asText(), n.path("format").asText());
      if (n.has("last_line")) {
        fragments.computeIfAbsent(n.path("file").asText(), k -> new ArrayList<>()).add(fragment(n));
        continue;
      }
      byFile.computeIfAbsent(n.path("file").asText(), k -> new TreeMap<>()).put(n.path("line").asLong(), n.path("text").asText());
      if ("evidence".equals(n.path("role").asText())) {
        evidenceAt.computeIfAbsent(n.path("file").asText(), k -> new java.util.TreeSet<>()).add(n.path("line").asLong());
      }
      formatOf.put(n.path("file").asText(), n.path("format").asText());
    }
    Map<Table, List<Object[]>> rows = new HashMap<>();
    List<String> notParsed = new ArrayList<>();
    java.util.Set<String> files = new java.util.TreeSet<>(byFile.keySet());
    files.addAll(fragments.keySet());
    for (String name : files) {
      FormatParser parser = Formats.byId(formatOf.get(name));
      InputFile file = new InputFile(name, AuditSample.folderName(name), ingest);
      Table t = parser.table();
      List<RawLines.Parsed> parsed = new ArrayList<>();
      if (byFile.containsKey(name)) {
        parsed.addAll(RawLines.reparse(parser, file, byFile.get(name)));
      }
      if (fragments.containsKey(name)) {
        parsed.addAll(JsonRecords.reparse(parser, file, fragments.get(name)));
      }
      notParsed.addAll(notParsedAgain(name, formatOf.get(name), evidenceAt.getOrDefault(name, new java.util.TreeSet<>()),
          fragments.getOrDefault(name, List.of()), parsed));
      for (RawLines.Parsed p : parsed) {
        // each row names the file and line it had in the input, as the report's canonical rows do
        p.row()[t.index(Allocations.SOURCE_FILE)] = name;
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
    Path resFile = sample.resolve(CostEvidence.RESOURCES);
    List<org.computeledger.attribute.ResourceMap.Entry> resources = List.of();
    if (Files.isRegularFile(resFile)) {
      try (java.io.Reader r = Files.newBufferedReader(resFile, StandardCharsets.UTF_8)) {
        resources = org.computeledger.attribute.ResourceMap.parse(r, CostEvidence.RESOURCES);
      }
    }
    CostCheck cost = costs(units, design, rows.getOrDefault(Table.CHARGES, List.of()), allocs, samples, stratumSize,
        resources);
    Path pricesFile = sample.resolve(CostEvidence.PRICES);
    if (Files.isRegularFile(pricesFile)) {
      List<org.computeledger.attribute.MarketPrices.Price> prices;
      try (java.io.Reader r = Files.newBufferedReader(pricesFile, StandardCharsets.UTF_8)) {
        prices = org.computeledger.attribute.MarketPrices.parse(r, CostEvidence.PRICES);
      }
      cost = withMarket(cost, units, allocs, samples, prices);
    }
    Path fxFile = sample.resolve(CostEvidence.FX);
    if (Files.isRegularFile(fxFile)) {
      List<org.computeledger.attribute.MarketPrices.Price> prices = null;
      if (Files.isRegularFile(pricesFile)) {
        try (java.io.Reader r = Files.newBufferedReader(pricesFile, StandardCharsets.UTF_8)) {
          prices = org.computeledger.attribute.MarketPrices.parse(r, CostEvidence.PRICES);
        }
      }
      List<org.computeledger.attribute.FxRates.Rate> rates;
      try (java.io.Reader r = Files.newBufferedReader(fxFile, StandardCharsets.UTF_8)) {
        rates = org.computeledger.attribute.FxRates.parse(r, CostEvidence.FX);
      }
      cost = withConverted(cost, units, rows.getOrDefault(Table.CHARGES, List.of()), allocs, samples, resources, prices,
          rates);
    }
    return new Outcome(new ArrayList<>(done.values()), ErrorEstimate.estimate(draws), reportedTotal,
        shares(byLineItemDraw), shares(byJobDraw), cost.compared(), cost.error(), cost.reportedTotal(), notParsed);
  }

  /**
   * The copied evidence that gave no row when parsed again, one line each naming file, line(s) and format:
   * what the recompute could not use. A unit resting on it differs from the report and is flagged; the
   * list says why, so that no difference is left unexplained.
   */
  static List<String> notParsedAgain(String file, String format, java.util.TreeSet<Long> evidenceLines,
      List<JsonRecords.Fragment> fragments, List<RawLines.Parsed> parsed) {
    java.util.TreeSet<Long> back = new java.util.TreeSet<>();
    parsed.forEach(p -> back.add(p.line()));
    List<String> out = new ArrayList<>();
    for (long l : evidenceLines) {
      if (!back.contains(l)) {
        out.add(file + " line " + l + " (" + format + "): the copied line gave no row when parsed again");
      }
    }
    for (JsonRecords.Fragment f : fragments) {
      Long hit = back.ceiling(f.firstLine());
      if (hit == null || hit > f.lastLine()) {
        out.add(file + " lines " + f.firstLine() + "-" + f.lastLine() + " (" + format
            + "): the copied JSON object gave no row when parsed again");
      }
    }
    return out;
  }

  /** A copied record object, its text checked against the SHA-256 the evidence states for it. */
  static JsonRecords.Fragment fragment(JsonNode n) {
    String text = n.path("text").asText();
    String want = n.path("fragment_sha256").asText();
    if (!JsonRecords.sha256(text).equals(want)) {
      throw new LedgerException(n.path("file").asText() + " lines " + n.path("line").asLong() + "-"
          + n.path("last_line").asLong() + ": the copied text's SHA-256 differs from the fragment_sha256 the evidence states ("
          + want + ")");
    }
    return new JsonRecords.Fragment(n.path("line").asLong(), n.path("last_line").asLong(), text);
  }

  /**
   * Each drawn job's market cost recomputed ({@link CostRecompute#market}) beside the report's; the GPU model
   * of an allocation is its node's in the evidence's telemetry, else its record's, as the estimate reads it.
   */
  static CostCheck withMarket(CostCheck cost, JsonNode units, List<Recompute.Alloc> allocs,
      Map<String, List<Recompute.Sample>> samples, List<org.computeledger.attribute.MarketPrices.Price> prices) {
    Map<String, JsonNode> unitOfJob = new HashMap<>();
    units.forEach(u -> unitOfJob.putIfAbsent(u.path("job").asText(), u));
    long logEnd = Recompute.logEndUs(allocs, samples);
    Function<Recompute.Alloc, String> modelOf = modelOf(samples);
    List<CostCompared> out = new ArrayList<>();
    for (CostCompared c : cost.compared()) {
      JsonNode u = unitOfJob.get(c.job());
      Map<String, java.math.BigDecimal> m = CostRecompute.market(c.job(), allocs, modelOf, prices, logEnd);
      java.math.BigDecimal rep = decimal(u.path("reported_job_cost_market"));
      String repCur = u.path("reported_job_market_currency").asText(null);
      if (rep == null && m.isEmpty()) {
        out.add(c);
        continue;
      }
      String cur = m.size() == 1 ? m.keySet().iterator().next() : repCur;
      java.math.BigDecimal rec = m.size() == 1 ? m.values().iterator().next() : null;
      double rel = m.size() > 1 || repCur != null && cur != null && !repCur.equals(cur) ? Double.POSITIVE_INFINITY
          : rel(rep, rec);
      out.add(c.withMarket(new Market(cur, rep, rec, rel)));
    }
    return new CostCheck(out, cost.error(), cost.reportedTotal());
  }

  /** An allocation's GPU model: its node's in the evidence's telemetry, else its record's, as the estimate reads it. */
  static Function<Recompute.Alloc, String> modelOf(Map<String, List<Recompute.Sample>> samples) {
    return a -> {
      for (List<Recompute.Sample> l : samples.values()) {
        if (a.node().equals(l.get(0).host)) {
          for (Recompute.Sample x : l) {
            if (x.model != null) {
              return org.computeledger.estimate.GpuModels.normalize(x.model);
            }
          }
        }
      }
      return a.gpuModel() == null ? null : org.computeledger.estimate.GpuModels.normalize(a.gpuModel());
    };
  }

  /**
   * Each drawn job's converted cost recomputed ({@link CostRecompute#converted}, {@link
   * CostRecompute#marketConverted}) from the copied {@code fx.csv} beside the report's, in the reporting
   * currency the report names for the job; a job the report converted nothing for is left as it is.
   * {@code prices} null: no market price list in the sample, the market side is not compared.
   */
  static CostCheck withConverted(CostCheck cost, JsonNode units, List<Object[]> chargeRows, List<Recompute.Alloc> allocs,
      Map<String, List<Recompute.Sample>> samples, List<org.computeledger.attribute.ResourceMap.Entry> resources,
      List<org.computeledger.attribute.MarketPrices.Price> prices, List<org.computeledger.attribute.FxRates.Rate> rates) {
    Map<String, JsonNode> unitOfJob = new HashMap<>();
    units.forEach(u -> unitOfJob.putIfAbsent(u.path("job").asText(), u));
    Map<String, Integer> nodeGpus = nodeGpus(allocs, samples);
    List<CostRecompute.Charge> charges = CostRecompute.charges(chargeRows, nodeGpus.keySet(), resources);
    long logEnd = Recompute.logEndUs(allocs, samples);
    Function<Recompute.Alloc, String> modelOf = modelOf(samples);
    List<CostCompared> out = new ArrayList<>();
    for (CostCompared c : cost.compared()) {
      JsonNode u = unitOfJob.get(c.job());
      String to = u.path("reported_job_report_currency").asText("");
      if (to.isEmpty()) {
        out.add(c);
        continue;
      }
      java.math.BigDecimal repB = decimal(u.path("reported_job_cost_billed_converted"));
      java.math.BigDecimal repE = decimal(u.path("reported_job_cost_effective_converted"));
      java.math.BigDecimal repM = decimal(u.path("reported_job_cost_market_converted"));
      java.math.BigDecimal[] rec = CostRecompute.converted(c.job(), charges, allocs, nodeGpus, logEnd, rates, to);
      // without a price list in the sample the market side is shown as reported, not compared
      java.math.BigDecimal recM = prices == null ? null
          : CostRecompute.marketConverted(c.job(), allocs, modelOf, prices, logEnd, rates, to);
      double rel = Math.max(Math.abs(rel(repB, rec == null ? null : rec[0])),
          Math.max(Math.abs(rel(repE, rec == null ? null : rec[1])), prices == null ? 0 : Math.abs(rel(repM, recM))));
      out.add(c.withConverted(new Converted(to, repB, rec == null ? null : rec[0], repE, rec == null ? null : rec[1],
          repM, recM, rel)));
    }
    return new CostCheck(out, cost.error(), cost.reportedTotal());
  }

  /** Each node's GPUs as the evidence shows them (nodes with none left out). */
  static Map<String, Integer> nodeGpus(List<Recompute.Alloc> allocs, Map<String, List<Recompute.Sample>> samples) {
    Map<String, Integer> nodeGpus = new TreeMap<>();
    java.util.Set<String> nodes = new java.util.TreeSet<>();
    allocs.stream().map(Recompute.Alloc::node).filter(java.util.Objects::nonNull).forEach(nodes::add);
    samples.values().stream().map(l -> l.get(0).host).filter(java.util.Objects::nonNull).forEach(nodes::add);
    for (String n : nodes) {
      int g = Recompute.nodeGpus(n, allocs, samples);
      if (g > 0) {
        nodeGpus.put(n, g);
      }
    }
    return nodeGpus;
  }

  record CostCheck(List<CostCompared> compared, Map<String, ErrorEstimate.Result> error, Map<String, Double> reportedTotal) {}

  /**
   * Every drawn job's cost recomputed from the bill lines ({@link CostRecompute}), and the error of the
   * report's total billed cost per currency: each first-stage draw's value is Y_h × the mean, over the draw's
   * job draws, of (recomputed − reported cost) ÷ the job's reported FLOP (see {@link ErrorEstimate#zJobs}).
   */
  static CostCheck costs(JsonNode units, JsonNode design, List<Object[]> chargeRows, List<Recompute.Alloc> allocs,
      Map<String, List<Recompute.Sample>> samples, Map<String, Double> stratumSize,
      List<org.computeledger.attribute.ResourceMap.Entry> resources) {
    Map<String, Integer> nodeGpus = nodeGpus(allocs, samples);
    List<CostRecompute.Charge> charges = CostRecompute.charges(chargeRows, nodeGpus.keySet(), resources);
    long logEnd = Recompute.logEndUs(allocs, samples);
    Map<String, CostCompared> byJob = new LinkedHashMap<>();
    // per currency, per first-stage draw, per job draw: {reported job FLOP, cost error}
    Map<String, Map<String, Map<String, double[]>>> errors = new TreeMap<>();
    java.util.Set<String> currencies = new java.util.TreeSet<>();
    for (Map.Entry<String, JsonNode> e : iterable(design.path("reported_cost_billed"))) {
      currencies.add(e.getKey());
    }
    Map<String, List<CostRecompute.Cost>> recomputed = new HashMap<>();
    for (JsonNode u : units) {
      String job = u.path("job").asText();
      if (job.startsWith(AuditFrame.NO_JOB) || recomputed.containsKey(job)) {
        continue;
      }
      List<CostRecompute.Cost> c = CostRecompute.job(job, charges, allocs, nodeGpus, logEnd);
      recomputed.put(job, c);
      c.forEach(x -> currencies.add(x.currency()));
      byJob.put(job, compareCost(u, c));
    }
    for (JsonNode u : units) {
      String job = u.path("job").asText();
      String draw = u.path("stratum").asText() + "#" + u.path("line_item_draw").asInt();
      String jobDraw = String.valueOf(u.path("job_draw").asInt());
      for (String cur : currencies) {
        double d = 0;
        if (!job.startsWith(AuditFrame.NO_JOB)) {
          for (CostRecompute.Cost c : recomputed.get(job)) {
            d += cur.equals(c.currency()) ? c.billed().doubleValue() : 0;
          }
          d -= cur.equals(u.path("reported_job_currency").asText(null)) ? u.path("reported_job_cost_billed").asDouble() : 0;
        }
        errors.computeIfAbsent(cur, k -> new TreeMap<>()).computeIfAbsent(draw, k -> new TreeMap<>())
            .put(jobDraw, new double[] {u.path("reported_job_flop").asDouble(), d});
      }
    }
    Map<String, ErrorEstimate.Result> error = new TreeMap<>();
    errors.forEach((cur, byDraw) -> {
      List<ErrorEstimate.Draw> draws = new ArrayList<>();
      byDraw.forEach((draw, jobs) -> {
        String h = draw.substring(0, draw.lastIndexOf('#'));
        draws.add(new ErrorEstimate.Draw(h, ErrorEstimate.zJobs(stratumSize.get(h), new ArrayList<>(jobs.values()))));
      });
      error.put(cur, ErrorEstimate.estimate(draws));
    });
    Map<String, Double> total = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : iterable(design.path("reported_cost_billed"))) {
      total.put(e.getKey(), e.getValue().asDouble());
    }
    return new CostCheck(new ArrayList<>(byJob.values()), error, total);
  }

  private static CostCompared compareCost(JsonNode u, List<CostRecompute.Cost> c) {
    java.math.BigDecimal repB = decimal(u.path("reported_job_cost_billed"));
    java.math.BigDecimal repE = decimal(u.path("reported_job_cost_effective"));
    String repCur = u.path("reported_job_currency").asText(null);
    String job = u.path("job").asText();
    if (c.size() > 1) {
      return new CostCompared(job, repCur, repB, null, repE, null, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
          c.stream().mapToInt(CostRecompute.Cost::charges).sum(),
          "the job's charges are in " + c.size() + " currencies; the report states one cost for them");
    }
    CostRecompute.Cost one = c.isEmpty() ? null : c.get(0);
    java.math.BigDecimal recB = one == null ? null : one.billed();
    java.math.BigDecimal recE = one == null ? null : one.effective();
    String note = one != null && repCur != null && !repCur.equals(one.currency())
        ? "recomputed in " + one.currency() + ", reported in " + repCur : "";
    double rel = note.isEmpty() ? rel(repB, recB) : Double.POSITIVE_INFINITY;
    double relE = note.isEmpty() ? rel(repE, recE) : Double.POSITIVE_INFINITY;
    return new CostCompared(job, one != null ? one.currency() : repCur, repB, recB, repE, recE, rel, relE,
        one == null ? 0 : one.charges(), one == null && repB == null ? "no bill line on the job's nodes over its time" : note);
  }

  private static java.math.BigDecimal decimal(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : n.decimalValue();
  }

  /** (recomputed − reported) ÷ |reported|, a missing cost counting as zero. */
  static double rel(java.math.BigDecimal reported, java.math.BigDecimal recomputed) {
    java.math.BigDecimal a = reported == null ? java.math.BigDecimal.ZERO : reported;
    java.math.BigDecimal b = recomputed == null ? java.math.BigDecimal.ZERO : recomputed;
    if (a.signum() == 0) {
      return b.signum() == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return b.subtract(a).divide(a.abs(), java.math.MathContext.DECIMAL64).doubleValue();
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
          j -> precisionOf.apply(j), catalog, m, u.has("series_cadence_us") ? u.path("series_cadence_us").asLong() : null);
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

  static final StructType COST_COMPARISON = new StructType()
      .add("job", DataTypes.StringType).add("currency", DataTypes.StringType)
      .add("reported_cost_billed", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_billed", DataTypes.createDecimalType(38, 12))
      .add("relative_difference", DataTypes.DoubleType)
      .add("reported_cost_effective", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_effective", DataTypes.createDecimalType(38, 12))
      .add("relative_difference_effective", DataTypes.DoubleType).add("bill_lines", DataTypes.IntegerType)
      .add("within_tolerance", DataTypes.BooleanType).add("note", DataTypes.StringType)
      .add("market_currency", DataTypes.StringType)
      .add("reported_cost_market", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_market", DataTypes.createDecimalType(38, 12))
      .add("relative_difference_market", DataTypes.DoubleType)
      .add("report_currency", DataTypes.StringType)
      .add("reported_cost_billed_converted", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_billed_converted", DataTypes.createDecimalType(38, 12))
      .add("reported_cost_effective_converted", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_effective_converted", DataTypes.createDecimalType(38, 12))
      .add("reported_cost_market_converted", DataTypes.createDecimalType(38, 12))
      .add("recomputed_cost_market_converted", DataTypes.createDecimalType(38, 12))
      .add("relative_difference_converted", DataTypes.DoubleType);

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
    List<Row> costs = new ArrayList<>();
    for (CostCompared c : o.costs()) {
      costs.add(RowFactory.create(c.job(), c.currency(), c.reportedBilled(), c.recomputedBilled(), c.relDiff(),
          c.reportedEffective(), c.recomputedEffective(), c.relDiffEffective(), c.billLines(), !c.flagged(), c.note(),
          c.market().currency(), c.market().reported(), c.market().recomputed(), c.market().relDiff(),
          c.converted().currency(), c.converted().reportedBilled(), c.converted().recomputedBilled(),
          c.converted().reportedEffective(), c.converted().recomputedEffective(), c.converted().reportedMarket(),
          c.converted().recomputedMarket(), c.converted().relDiff()));
    }
    spark.createDataFrame(costs, COST_COMPARISON).coalesce(1).write().mode("overwrite")
        .parquet(dir.resolve("cost_comparison").toString());
    Files.writeString(dir.resolve("recompute.md"), AuditReadme.recompute(o), StandardCharsets.UTF_8);
  }
}
