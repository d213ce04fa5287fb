package org.computeledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.FxRates;
import org.computeledger.attribute.ResourceMap;
import org.computeledger.attribute.Registry;
import org.computeledger.common.LedgerException;
import org.computeledger.common.OutputDir;
import org.computeledger.common.Progress;
import org.computeledger.common.UntrustedInput;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.Flop;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.ingest.BadFraction;
import org.computeledger.ingest.Ingest;
import org.computeledger.ingest.IngestParams;
import org.computeledger.report.MainJob;
import org.computeledger.report.Manifest;
import org.computeledger.report.Methodology;
import org.computeledger.schema.Table;
import org.computeledger.standards.LineItem;
import org.computeledger.standards.Standard;
import org.computeledger.standards.StandardTotals;
import org.computeledger.standards.StandardsReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ledger run}: the main job, from raw logs (or an ingest output) to the itemized report. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "The main job: ingest, estimate FLOP, attribute GPU-seconds and cost, write the itemized report.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "DIR",
      description = "Folder of raw logs (PRODUCT.md §4), or a folder written by 'ledger ingest'.")
  String input;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Report folder; replaced atomically.")
  String out;

  @Option(names = "--force", description = IngestCommand.FORCE_DESCRIPTION)
  boolean force;

  @Option(names = "--max-gap-factor", paramLabel = "X", defaultValue = "" + EstimateParams.DEFAULT_MAX_GAP_FACTOR,
      description = "A telemetry sample covers at most X times its series' median cadence. Default: ${DEFAULT-VALUE}.")
  double maxGapFactor;

  @Option(names = "--assumed-utilization", paramLabel = "U", defaultValue = "" + EstimateParams.DEFAULT_ALLOC_UTIL,
      description = "Utilization assumed for held GPUs without telemetry (allocation method). Default: ${DEFAULT-VALUE}.")
  double assumedUtilization;

  @Option(names = "--standard-file", paramLabel = "PATH",
      description = "A standard of your own, in the format of the built-in files (repeatable); applied besides"
          + " the --standard ones.")
  List<String> standardFiles = new java.util.ArrayList<>();

  @Option(names = "--catalog-file", paramLabel = "PATH",
      description = "More rows for the dense peak catalog, the MIG profile table or the MIG GPU table, in the format"
          + " of the shipped gpu_peaks.csv, mig_profiles.csv or mig_gpus.csv (told apart by the header; repeatable)."
          + " Adds rows only.")
  List<String> catalogFiles = new java.util.ArrayList<>();

  @Option(names = "--assumed-accelerator-utilization", paramLabel = "U",
      description = "Utilization assumed for TPU, Trainium, Inferentia and Gaudi allocations, which have no telemetry"
          + " the ledger reads (allocation method; range: the same low and high as GPUs, widened to hold U)."
          + " Default: the GPUs' --assumed-utilization.")
  Double assumedAcceleratorUtilization;

  @Option(names = "--report-date", paramLabel = "DATE",
      description = "The date the report speaks for (ISO, e.g. 2027-01-01): which version of each standard is in"
          + " force, and review warnings. Default: today (UTC).")
  LocalDate reportDate;

  @Option(names = "--report-currency", paramLabel = "CODE",
      defaultValue = org.computeledger.attribute.FxConversion.DEFAULT_REPORT_CURRENCY,
      description = "Also show each line item's billed cost in this ISO 4217 currency (e.g. USD), at the dated"
          + " rates of the input's fx.csv. Default: none, no conversion.")
  String reportCurrency;

  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Progress.setQuiet(common.quiet);
    double maxBadFraction = common.maxBadFraction();
    if (!(maxGapFactor >= 1)) {
      throw new LedgerException("--max-gap-factor: expected a number of at least 1, got " + maxGapFactor);
    }
    if (!(assumedUtilization > 0 && assumedUtilization <= 1)) {
      throw new LedgerException("--assumed-utilization: expected a share in (0, 1], got " + assumedUtilization);
    }
    if (!reportCurrency.isEmpty() && !reportCurrency.matches("[A-Z]{3}")) {
      throw new LedgerException("--report-currency: expected an ISO 4217 code of three capital letters, got '"
          + reportCurrency + "'");
    }
    IngestParams ip = common.ingestParams();
    // standards are checked before any Spark work, so a bad file costs nothing to find
    List<Standard> files = new java.util.ArrayList<>();
    for (String f : standardFiles) {
      files.add(Standard.load(java.nio.file.Path.of(f)));
    }
    List<Standard> standards = Standard.select(Standard.builtIns(), common.standards, files);
    CatalogFiles catalogs;
    try {
      catalogs = CatalogFiles.load(catalogFiles.stream().map(java.nio.file.Path::of).toList());
    } catch (IllegalStateException e) {
      throw new LedgerException(e.getMessage(), e);
    }
    if (assumedAcceleratorUtilization != null) {
      double u = assumedAcceleratorUtilization;
      if (!(u > 0 && u <= 1)) {
        throw new LedgerException("--assumed-accelerator-utilization: expected a share in (0, 1], got " + u);
      }
      catalogs = catalogs.withAcceleratorUtilization(u);
    }
    EstimateParams d = EstimateParams.defaults();
    EstimateParams ep = new EstimateParams(maxGapFactor, d.pipeRelError(), d.utilLowFactor(), d.utilHighFactor(),
        assumedUtilization, Math.min(d.allocUtilLow(), assumedUtilization), Math.max(d.allocUtilHigh(), assumedUtilization),
        d.defaultPrecision(), d.bucketSeconds());
    // the input is listed and the output folder locked before Spark starts, so a refusal costs nothing
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    boolean fromIngest = isIngestOutput(hadoop, input);
    List<Ingest.Source> sources = fromIngest ? List.of() : Ingest.discover(hadoop, input, ip);
    if (!reportCurrency.isEmpty()) {
      Path fx = fromIngest ? new Path(new Path(input, IngestCommand.DECLARATIONS), FxRates.FILE_NAME)
          : new Path(input, FxRates.FILE_NAME);
      if (!exists(hadoop, fx)) {
        throw new LedgerException(noRatesFile());
      }
    }
    try (OutputDir dir = OutputDir.begin(out, hadoop, force, input)) {
      CommonOptions.warnIfUnkeyed(ip);
      SparkSession spark = SparkSessions.create("ledger run", common.master, SmallInput.bytes(hadoop, input));
      try {
        String summary = run(spark, input, fromIngest, sources, dir, ip, ep, standards,
            reportDate != null ? reportDate : LocalDate.now(ZoneOffset.UTC), maxBadFraction, catalogs, reportCurrency);
        Progress.clear();
        System.out.println(summary);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  /** {@code rows} in one partition, sorted by {@code columns}: a table written as one sorted file. */
  static Dataset<Row> oneSortedFile(Dataset<Row> rows, String... columns) {
    return rows.repartition(1).sortWithinPartitions(java.util.Arrays.stream(columns)
        .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
  }

  /**
   * The per-GPU-interval ledger, by day. Its measured quantities (doubles, nearly all distinct) are
   * written without a dictionary: Parquet would hash every value into one only to give it up.
   */
  static void writeLedger(Dataset<Row> gpuUsage, String path) {
    org.apache.spark.sql.DataFrameWriter<Row> w = gpuUsage.write().partitionBy("day");
    for (org.apache.spark.sql.types.StructField f : gpuUsage.schema().fields()) {
      if (f.dataType().equals(org.apache.spark.sql.types.DataTypes.DoubleType)) {
        w = w.option("parquet.enable.dictionary#" + f.name(), "false");
      }
    }
    w.parquet(path);
  }

  /**
   * A table's data files copied as they are (a quarantine of millions of lines is not decoded and
   * encoded again); Hadoop's hidden side files ({@code _SUCCESS}, {@code .crc}) are left behind.
   */
  static void copyTable(Configuration conf, Path from, Path to) {
    try {
      org.apache.hadoop.fs.FileSystem src = from.getFileSystem(conf);
      org.apache.hadoop.fs.FileSystem dst = to.getFileSystem(conf);
      dst.mkdirs(to);
      for (org.apache.hadoop.fs.FileStatus f : src.listStatus(from,
          p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))) {
        org.apache.hadoop.fs.FileUtil.copy(src, f.getPath(), dst, new Path(to, f.getPath().getName()), false, conf);
      }
    } catch (java.io.IOException e) {
      throw new LedgerException(from + ": cannot be copied to the report: " + e.getMessage(), e);
    }
  }

  /** As the command does it: lists {@code input}, then runs into {@code out} (not forced). */
  static String run(SparkSession spark, String input, String out, IngestParams ip, EstimateParams ep,
      List<Standard> standards, LocalDate runDate, double maxBadFraction) {
    return run(spark, input, out, ip, ep, standards, runDate, maxBadFraction, CatalogFiles.shipped());
  }

  /** As above, with a lab's catalog files ({@code --catalog-file}) beside the shipped tables. */
  static String run(SparkSession spark, String input, String out, IngestParams ip, EstimateParams ep,
      List<Standard> standards, LocalDate runDate, double maxBadFraction, CatalogFiles catalogs) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    boolean fromIngest = isIngestOutput(hadoop, input);
    List<Ingest.Source> sources = fromIngest ? List.of() : Ingest.discover(hadoop, input, ip);
    try (OutputDir dir = OutputDir.begin(out, hadoop, false, input)) {
      return run(spark, input, fromIngest, sources, dir, ip, ep, standards, runDate, maxBadFraction, catalogs);
    }
  }

  static String run(SparkSession spark, String input, boolean fromIngest, List<Ingest.Source> sources, OutputDir dir,
      IngestParams ip, EstimateParams ep, List<Standard> standards, LocalDate runDate, double maxBadFraction,
      CatalogFiles catalogs) {
    return run(spark, input, fromIngest, sources, dir, ip, ep, standards, runDate, maxBadFraction, catalogs,
        org.computeledger.attribute.FxConversion.DEFAULT_REPORT_CURRENCY);
  }

  /** As above, with a reporting currency ({@code ""}: none) for the fx.csv conversion. */
  static String run(SparkSession spark, String input, boolean fromIngest, List<Ingest.Source> sources, OutputDir dir,
      IngestParams ip, EstimateParams ep, List<Standard> standards, LocalDate runDate, double maxBadFraction,
      CatalogFiles catalogs, String reportCurrency) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    // driver and tasks share generated classes instead of compiling each twice (local mode only)
    org.computeledger.common.SharedCodegenCache.adopt(spark);
    try {
      String canonical;
      String declarations;
      Ingest.Result ingest = null;
      if (fromIngest) {
        Progress.say("run: reading canonical tables from the ingest output %s", input);
        canonical = input;
        declarations = new Path(input, IngestCommand.DECLARATIONS).toString();
        copyTable(conf, new Path(input, Table.QUARANTINE.tableName()), new Path(dir.child("quarantine")));
        BadFraction.check(BadFraction.counts(Manifest.read(conf, input)), maxBadFraction);
      } else {
        Progress.say("run: %d input file(s) under %s", sources.size(), input);
        canonical = dir.child("canonical");
        declarations = input;
        ingest = Ingest.run(spark, sources, ip, canonical, dir.child("quarantine"));
        BadFraction.check(BadFraction.counts(ingest), maxBadFraction);
        IngestCommand.copyDeclarations(spark, sources, dir.child(IngestCommand.DECLARATIONS));
      }
      Registry registry = loadRegistry(conf, declarations);
      Dataset<Row> prices = null;
      Path pricesPath = new Path(declarations, "prices.csv");
      if (exists(conf, pricesPath)) {
        try (var reader = new java.io.InputStreamReader(UntrustedInput.bounded(pricesPath.getFileSystem(conf)
            .open(pricesPath), "prices.csv", UntrustedInput.SIDE_FILE_MAX_BYTES), java.nio.charset.StandardCharsets.UTF_8)) {
          prices = MarketPrices.toDataset(spark, MarketPrices.parse(reader, "prices.csv"));
        } catch (java.io.IOException e) {
          throw new LedgerException(pricesPath + ": cannot be read: " + e.getMessage(), e);
        }
      }
      // without a prices.csv, market cost is priced at the built-in, dated reference list and labelled so
      org.computeledger.attribute.ReferencePrices referencePrices =
          prices == null ? org.computeledger.attribute.ReferencePrices.load() : null;
      if (referencePrices != null) {
        prices = MarketPrices.toDataset(spark, referencePrices.marketPrices());
      }
      Dataset<Row> resources = ResourceMap.readIfPresent(spark, new Path(declarations, ResourceMap.FILE_NAME));
      Dataset<Row> fxRates = FxRates.readIfPresent(spark, new Path(declarations, FxRates.FILE_NAME));
      if (fxRates == null && !reportCurrency.isEmpty()) {
        throw new LedgerException(noRatesFile());
      }
      PeakCatalog catalog = catalogs.peaks();
      MainJob.Inputs in = new MainJob.Inputs(read(spark, canonical, Table.ALLOCATIONS),
          read(spark, canonical, Table.GPU_SAMPLES), read(spark, canonical, Table.FLOP_COUNTS),
          read(spark, canonical, Table.CHARGES), prices, resources, fxRates, reportCurrency);
      Progress.say("run: estimating and attributing");
      String checkpoints = org.computeledger.common.StageCheckpoint.useStaging(spark, dir.path());
      MainJob.Outputs o = MainJob.compute(spark, in, registry, catalogs.flop(ep), ep);

      Progress.say("run: writing line items, jobs and the GPU ledger");
      // independent tables over the same checkpoints: written at once (see common/Concurrently); a sorted
      // table is one file, gathered into one partition and sorted there, without the sampling job of a
      // global sort (a job of its own on a large input)
      List<Runnable> writes = new java.util.ArrayList<>(List.of(
          () -> Table.LINE_ITEMS.conform(o.lineItems()).coalesce(1).write().parquet(dir.child("line_items")),
          () -> oneSortedFile(Table.JOBS.conform(o.jobs()), "job_key").write().parquet(dir.child("jobs")),
          () -> writeLedger(Table.GPU_USAGE.conform(o.gpuUsage()), dir.child("gpu_usage")),
          () -> oneSortedFile(Table.COST_RECONCILIATION.conform(o.costReconciliation()), "provider", "currency")
              .write().parquet(dir.child("cost_reconciliation"))));
      if (o.calibration() != null) {
        writes.add(() -> Table.CALIBRATION.conform(o.calibration()).coalesce(1).write().parquet(dir.child("calibration")));
      }
      org.computeledger.common.Concurrently.run(writes);
      Progress.say("run: writing methodology and manifest");
      Dataset<Row> lineItems = read(spark, dir.path(), Table.LINE_ITEMS);
      Dataset<Row> reconciliation = read(spark, dir.path(), Table.COST_RECONCILIATION);
      Dataset<Row> calibration = o.calibration() == null ? null : read(spark, dir.path(), Table.CALIBRATION);
      // counted by the ingest that wrote it, else read
      long quarantined = ingest != null ? ingest.tableRows().get(Table.QUARANTINE)
          : spark.read().parquet(dir.child("quarantine")).count();
      List<Row> items = lineItems.collectAsList();
      String methodology = Methodology.render(new Methodology.Facts(ip, ep, catalog, registry, items,
          reconciliation.collectAsList(), calibration == null ? List.of() : calibration.collectAsList(),
          o.modelNames(), quarantined, input, fromIngest, overlaps(o.conflicts(), ingest),
          o.costMatching().orderBy("provider", "currency", "rule").collectAsList(), catalogs.mig()));

      Progress.say("run: applying %d accounting standard(s)", standards.size());
      List<LineItem> lineItemValues = items.stream().map(LineItem::fromRow).toList();
      StandardTotals.Result byStandard = StandardTotals.applyAll(standards, registry, lineItemValues,
          new StandardTotals.AllocationMethod(ep.allocUtil(), ep.allocUtilLow(), ep.allocUtilHigh()), runDate);
      org.computeledger.common.Concurrently.run(List.of(
          () -> StandardsReport.totals(spark, byStandard.totals()).coalesce(1).write()
              .parquet(dir.child("standard_totals")),
          () -> StandardsReport.treatment(spark, byStandard.treatment()).coalesce(1).write()
              .parquet(dir.child("treatment"))));
      methodology += "\n" + StandardsReport.methodology(standards, byStandard, runDate);
      methodology += "\n" + org.computeledger.report.FxSection.markdown(
          fxRates == null ? null : fxRates.collectAsList(), reportCurrency, items);
      methodology += "\n" + org.computeledger.report.MarketPriceSection.markdown(referencePrices, items);
      methodology += "\n" + org.computeledger.report.ReportPage.write(spark, dir.path());
      writeText(conf, dir.child("methodology.md"), methodology);

      Map<String, Object> params = parameters(input, ip, ep, catalog);
      params.put("catalog_files", catalogs.extensions());
      // what an audit sample checks the lab's files against before it copies their rows
      params.put("catalog_files_sha256", catalogs.sha256());
      params.put("assumed_accelerator_utilization", catalogs.flop(ep).acceleratorUtilization()[0]);
      params.put("report_currency", reportCurrency);
      params.put("standards", standards.stream().map(Standard::label).toList());
      params.put("standards_run_date", runDate.toString());
      params.put("max_bad_fraction", maxBadFraction);
      params.put("market_prices", referencePrices == null ? "prices.csv" : "reference list (catalog/reference_prices.csv)");
      ObjectNode manifest = Manifest.newManifest("run", params);
      if (ingest != null) {
        Manifest.addInputs(manifest, ingest);
      } else {
        ObjectNode prior = Manifest.read(conf, input);
        manifest.set("inputs", prior.get("inputs"));
        manifest.set("inputs_not_parsed", prior.get("inputs_not_parsed"));
        manifest.set("input_totals", prior.get("input_totals"));
        manifest.put("ingest_manifest_sha256", Manifest.sha256OfManifest(conf, input));
      }
      org.computeledger.common.StageCheckpoint.clean(conf, checkpoints);
      Manifest.addOutputs(manifest, conf, dir.path());
      Manifest.write(manifest, conf, dir.path());
      dir.commit();
      return summary(items, quarantined, dir.target());
    } catch (RuntimeException e) {
      dir.abandon();
      throw e;
    }
  }

  private static String noRatesFile() {
    return "--report-currency: the input folder has no " + FxRates.FILE_NAME
        + " (date, from_currency, to_currency, rate, source), and no rate is guessed";
  }

  /** Dropped duplicates from the ingest of this run (none when reading an ingest output) and conflicts in the ledger. */
  static Methodology.Overlaps overlaps(MainJob.Conflicts c, Ingest.Result ingest) {
    Long dups = ingest == null ? null : ingest.files().stream().mapToLong(Ingest.FileCounts::duplicatesDropped).sum();
    Long sup = ingest == null ? null : ingest.files().stream().mapToLong(Ingest.FileCounts::recordsSuperseded).sum();
    return new Methodology.Overlaps(dups, sup, c.rows(), c.jobs(), c.gpuSeconds());
  }

  static String summary(List<Row> items, long quarantined, String target) {
    double flop = 0;
    for (Row r : items) {
      flop += r.<Double>getAs(Flop.FLOP) == null ? 0 : r.<Double>getAs(Flop.FLOP);
    }
    return String.format(Locale.ROOT, "run: %d line item(s), %.4e FLOP in all, %,d quarantined record(s); report in %s"
        + " (start with %s/methodology.md)", items.size(), flop, quarantined, target, target);
  }

  static boolean isIngestOutput(Configuration conf, String dir) {
    Path m = new Path(dir, Manifest.FILE);
    if (!exists(conf, m)) {
      return false;
    }
    JsonNode command = Manifest.read(conf, dir).get("command");
    return command != null && "ingest".equals(command.asText());
  }

  static Registry loadRegistry(Configuration conf, String dir) {
    for (String name : List.of("registry.yaml", "registry.yml")) {
      Path p = new Path(dir, name);
      if (exists(conf, p)) {
        try (var in = p.getFileSystem(conf).open(p)) {
          return Registry.parse(UntrustedInput.readText(in, name, UntrustedInput.REGISTRY_MAX_BYTES), name);
        } catch (java.io.IOException e) {
          throw new LedgerException(p + ": cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          throw new LedgerException(e.getMessage(), e);
        }
      }
    }
    Progress.say("run: no registry.yaml in %s: every job is reported as unattributed", dir);
    return new Registry("(no registry)", List.of());
  }

  static Dataset<Row> read(SparkSession spark, String dir, Table t) {
    return spark.read().schema(t.schema()).parquet(dir + "/" + t.tableName());
  }

  static boolean exists(Configuration conf, Path p) {
    try {
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static void writeText(Configuration conf, String path, String text) {
    Path p = new Path(path);
    try (var os = p.getFileSystem(conf).create(p, true)) {
      os.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new LedgerException(path + ": cannot be written: " + e.getMessage(), e);
    }
  }


  static Map<String, Object> parameters(String input, IngestParams ip, EstimateParams ep, PeakCatalog catalog) {
    Map<String, Object> m = new LinkedHashMap<>(IngestCommand.parameters(input, ip));
    m.putAll(ep.manifestParameters());
    m.put("peak_catalog_version", catalog.version());
    return m;
  }
}
