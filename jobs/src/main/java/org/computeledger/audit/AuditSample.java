package org.computeledger.audit;

import static org.apache.spark.sql.functions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.common.LedgerException;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.Formats;
import org.computeledger.ingest.IngestParams;
import org.computeledger.ingest.InputFile;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.FlopCounts;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * {@code ledger audit-sample}: draws a reproducible sample of a report's line items, jobs and GPU-hours
 * ({@link SampleDesign} over {@link AuditFrame}) and copies out the raw evidence behind each drawn unit —
 * the scheduler, telemetry and counter lines with file, line number, text and the input's SHA-256, the
 * registry and the catalog rows — into a folder that {@link AuditRecompute} can check on its own.
 */
public final class AuditSample {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  public static final String UNITS = "units.json";
  public static final String DESIGN = "sample.json";
  public static final String LINES = "evidence/lines.jsonl";
  public static final String REGISTRY = "evidence/registry.yaml";
  public static final String CATALOG = "evidence/gpu_peaks.csv";
  /** The report's applied self-calibration rows for the drawn models, copied as method parameters. */
  public static final String CALIBRATION = "evidence/calibration.csv";
  public static final long HOUR_US = 3_600_000_000L;

  /**
   * @param report the report folder; @param input the raw logs it was made from; @param size first-stage
   * draws over all strata; @param seed the seed; @param jobs job draws per line item drawn; @param hours
   * GPU-hour draws per job drawn; @param catalogFiles where the lab's catalog files the report's manifest
   * names ({@code catalog_files}) are now, in its order; null or empty: where the manifest names them
   */
  public record Params(String report, String input, int size, long seed, int jobs, int hours, String to,
      List<String> catalogFiles) {
    public Params(String report, String input, int size, long seed, int jobs, int hours, String to) {
      this(report, input, size, seed, jobs, hours, to, null);
    }
  }

  private AuditSample() {}

  /** Draws and writes the sample; returns the number of distinct units drawn. */
  public static int run(SparkSession spark, Params p) throws IOException {
    Path report = Path.of(p.report());
    ObjectNode manifest = (ObjectNode) JSON.readTree(report.resolve("manifest.json").toFile());
    // checked before any Spark work: a lab's file gone or changed stops the sample at once
    CatalogFiles catalogs = reportCatalogs(manifest.path("parameters"), p.catalogFiles());
    Dataset<Row> units = AuditFrame.units(read(spark, p.report(), Table.GPU_USAGE)).transform(StageCheckpoint::keep);

    // 1. line items and jobs are few: their sizes come to the driver; GPU-hours only of the jobs drawn
    Map<String, List<SampleDesign.Unit>> strata = new TreeMap<>();
    Map<String, Double> stratumSize = new TreeMap<>();
    Map<String, Double> liSize = new HashMap<>();
    for (Row r : AuditFrame.lineItems(units).collectAsList()) {
      String h = r.getAs(AuditFrame.STRATUM);
      double y = r.getAs(AuditFrame.FLOP);
      strata.computeIfAbsent(h, k -> new ArrayList<>()).add(new SampleDesign.Unit(r.getAs(AuditFrame.LINE_ITEM), y));
      liSize.put(r.getAs(AuditFrame.LINE_ITEM), y);
    }
    Map<String, List<SampleDesign.Unit>> jobsOf = new HashMap<>();
    Map<String, Double> jobSize = new HashMap<>();
    for (Row r : AuditFrame.jobs(units).collectAsList()) {
      jobsOf.computeIfAbsent(r.getAs(AuditFrame.LINE_ITEM), k -> new ArrayList<>())
          .add(new SampleDesign.Unit(r.getAs(AuditFrame.JOB), r.getAs(AuditFrame.FLOP)));
      jobSize.put(r.getAs(AuditFrame.JOB), r.getAs(AuditFrame.FLOP));
    }
    // sums in id order, so that they do not depend on the order Spark returned the rows in
    strata.forEach((h, items) -> {
      items.sort((a, b) -> a.id().compareTo(b.id()));
      stratumSize.put(h, items.stream().mapToDouble(SampleDesign.Unit::size).sum());
    });
    Map<String, Integer> allocation = SampleDesign.allocate(stratumSize, p.size());
    // the stages before the GPU-hours do not depend on them: a first pass names the jobs drawn
    Set<String> drawnJobs = new TreeSet<>();
    for (SampleDesign.Leaf l : SampleDesign.threeStage(strata, allocation, p.jobs(), 1, p.seed(),
        li -> jobsOf.getOrDefault(li, List.of()), j -> List.of(new SampleDesign.Unit(j, 1)))) {
      drawnJobs.add(l.job());
    }
    Dataset<Row> jobUnits = units.filter(col(AuditFrame.JOB).isin(drawnJobs.toArray())).transform(StageCheckpoint::keep);
    Map<String, List<SampleDesign.Unit>> unitsOf = new HashMap<>();
    Map<String, Row> unitRows = new HashMap<>();
    for (Row r : jobUnits.collectAsList()) {
      unitsOf.computeIfAbsent(r.getAs(AuditFrame.JOB), k -> new ArrayList<>())
          .add(new SampleDesign.Unit(r.getAs(AuditFrame.UNIT), r.getAs(AuditFrame.FLOP)));
      unitRows.put(r.getAs(AuditFrame.UNIT), r);
    }
    List<SampleDesign.Leaf> leaves = SampleDesign.threeStage(strata, allocation, p.jobs(), p.hours(), p.seed(),
        li -> jobsOf.getOrDefault(li, List.of()), j -> unitsOf.getOrDefault(j, List.of()));
    Set<String> drawn = new TreeSet<>();
    leaves.forEach(l -> drawn.add(l.unit()));

    // 2. the evidence: which lines of which files, then one pass per file touched
    List<Row> drawnRows = new ArrayList<>();
    drawn.forEach(u -> drawnRows.add(unitRows.get(u)));
    Dataset<Row> drawnDs = spark.createDataFrame(drawnRows, units.schema()).transform(StageCheckpoint::keep);
    Map<String, Double> covered = coveredSeconds(read(spark, p.report(), Table.GPU_USAGE), drawnDs);
    Map<String, Long> cadence = seriesCadence(read(spark, p.report(), Table.GPU_SAMPLES), drawnDs);
    // the cost of every job drawn rests on its bill lines and on the jobs sharing its nodes
    Set<String> costJobs = new TreeSet<>();
    leaves.forEach(l -> {
      if (!l.job().startsWith(AuditFrame.NO_JOB)) {
        costJobs.add(l.job());
      }
    });
    Evidence ev = new Evidence();
    Set<String> costNodes = CostEvidence.add(spark, p.report(), costJobs, ev);
    evidence(spark, p.report(), drawnDs, ev, costNodes);
    Map<String, Row> jobCost = new HashMap<>();
    for (Row r : read(spark, p.report(), Table.JOBS).filter(col("job_key").isin(costJobs.toArray()))
        .select("job_key", "cost_billed", "cost_effective", "currency", "cost_market", "market_currency", "report_currency",
            "cost_billed_converted", "cost_effective_converted", "cost_market_converted").collectAsList()) {
      jobCost.put(r.getString(0), r);
    }

    Path to = Path.of(p.to());
    Files.createDirectories(to.resolve("evidence"));
    Map<String, JsonNode> inputs = new HashMap<>();
    for (JsonNode n : manifest.path("inputs")) {
      inputs.put(n.path("path").asText(), n);
    }
    IngestParams params = ingestParams(manifest.path("parameters"));
    List<ObjectNode> lines = new ArrayList<>();
    for (Map.Entry<String, BiPredicate<Long, Object[]>> f : ev.wanted.entrySet()) {
      lines.addAll(copyEvidence(Path.of(p.input()), f.getKey(), inputs.get(f.getKey()), params, f.getValue()));
    }
    lines.sort((a, b) -> {
      int c = a.path("file").asText().compareTo(b.path("file").asText());
      return c != 0 ? c : Long.compare(a.path("line").asLong(), b.path("line").asLong());
    });
    StringBuilder jsonl = new StringBuilder();
    ObjectMapper flat = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    for (ObjectNode l : lines) {
      jsonl.append(flat.writeValueAsString(l)).append('\n');
    }
    Files.writeString(to.resolve(LINES), jsonl.toString(), StandardCharsets.UTF_8);
    copyRegistry(Path.of(p.input()), report, manifest, to);
    CostEvidence.copyResources(Path.of(p.input()), manifest, ev.resourceIds, to);
    CostEvidence.copyPrices(Path.of(p.input()), manifest, to);
    CostEvidence.copyFx(Path.of(p.input()), manifest, to);
    Set<String> models = new TreeSet<>();
    drawnRows.forEach(r -> {
      if (r.getAs("model_id") != null) {
        models.add(r.getAs("model_id"));
      }
    });
    Files.writeString(to.resolve(CATALOG), catalogs.peaks().csv(models), StandardCharsets.UTF_8);
    Files.writeString(to.resolve(CALIBRATION), SampleCalibration.rows(spark, p.report(), models), StandardCharsets.UTF_8);

    // 3. what was drawn and how
    ArrayNode unitArray = JSON.createArrayNode();
    for (SampleDesign.Leaf l : leaves) {
      Row r = unitRows.get(l.unit());
      ObjectNode n = unitArray.addObject();
      n.put("stratum", l.stratum());
      n.put("line_item_draw", l.lineItemDraw());
      n.put("line_item", l.lineItem());
      n.put("p_line_item", l.pLineItem());
      n.put("reported_line_item_flop", liSize.get(l.lineItem()));
      n.put("job_draw", l.jobDraw());
      n.put("job", l.job());
      n.put("p_job", l.pJob());
      n.put("reported_job_flop", jobSize.get(l.job()));
      Row cost = jobCost.get(l.job());
      if (cost != null) {
        n.put("reported_job_cost_billed", (java.math.BigDecimal) cost.get(1));
        n.put("reported_job_cost_effective", (java.math.BigDecimal) cost.get(2));
        n.put("reported_job_currency", cost.getString(3));
        if (!cost.isNullAt(4)) {
          n.put("reported_job_cost_market", (java.math.BigDecimal) cost.get(4));
          n.put("reported_job_market_currency", cost.getString(5));
        }
        if (!cost.isNullAt(6) && !cost.getString(6).isEmpty()) {
          // the report's fx.csv conversion, recomputed from evidence/fx.csv
          n.put("reported_job_report_currency", cost.getString(6));
          n.put("reported_job_cost_billed_converted", (java.math.BigDecimal) cost.get(7));
          n.put("reported_job_cost_effective_converted", (java.math.BigDecimal) cost.get(8));
          n.put("reported_job_cost_market_converted", (java.math.BigDecimal) cost.get(9));
        }
      }
      n.put("unit_draw", l.unitDraw());
      n.put("unit", l.unit());
      n.put("p_unit", l.pUnit());
      n.put("inclusion_line_item", SampleDesign.inclusion(l.pLineItem(), allocation.get(l.stratum())));
      n.put("inclusion_job_given_line_item", SampleDesign.inclusion(l.pJob(), p.jobs()));
      n.put("inclusion_unit_given_job", SampleDesign.inclusion(l.pUnit(), p.hours()));
      n.put("kind", (String) r.getAs(AuditFrame.KIND));
      n.put("project", (String) r.getAs("project"));
      n.put("branch", (String) r.getAs("branch"));
      n.put("host", (String) r.getAs("host"));
      n.put("gpu_uuid", (String) r.getAs("gpu_uuid"));
      n.put("mig_instance", (String) r.getAs("mig_instance"));
      if (r.getAs(AuditFrame.HOUR_S) != null) {
        n.put("hour_start", Instant.ofEpochSecond((Long) r.getAs(AuditFrame.HOUR_S)).toString());
      }
      n.put("reported_method", (String) r.getAs(AuditFrame.METHOD));
      n.put("reported_model_id", (String) r.getAs("model_id"));
      n.put("reported_flop", (Double) r.getAs(AuditFrame.FLOP));
      n.put("reported_gpu_seconds", (Double) r.getAs("gpu_seconds"));
      if (AuditFrame.KIND_HELD.equals(r.getAs(AuditFrame.KIND))) {
        n.put("reported_covered_gpu_seconds", covered.getOrDefault(l.unit(), 0.0));
      } else {
        Long c = cadence.get(series(r.getAs("host"), r.getAs("gpu_uuid"), r.getAs("mig_instance")));
        if (c != null) {
          n.put("series_cadence_us", c);
        }
      }
    }
    Files.writeString(to.resolve(UNITS), JSON.writeValueAsString(unitArray) + "\n", StandardCharsets.UTF_8);

    ObjectNode design = JSON.createObjectNode();
    design.put("seed", p.seed());
    design.put("size", p.size());
    design.put("jobs_per_line_item", p.jobs());
    design.put("gpu_hours_per_job", p.hours());
    design.put("report_manifest_sha256", InputCheck.sha256(report.resolve("manifest.json")));
    ObjectNode st = design.putObject("strata");
    for (Map.Entry<String, Integer> e : allocation.entrySet()) {
      ObjectNode s = st.putObject(e.getKey());
      s.put("reported_flop", stratumSize.get(e.getKey()));
      s.put("line_items", strata.get(e.getKey()).size());
      s.put("draws", e.getValue());
    }
    design.set("run_parameters", manifest.path("parameters").deepCopy());
    ObjectNode costTotals = design.putObject("reported_cost_billed");
    for (Row r : read(spark, p.report(), Table.LINE_ITEMS).filter(col("cost_billed").isNotNull())
        .groupBy(col("currency")).agg(sum(col("cost_billed")).cast("decimal(38,12)")).orderBy("currency").collectAsList()) {
      costTotals.put(String.valueOf(r.getString(0)), r.getDecimal(1));
    }
    design.put("distinct_units", drawn.size());
    design.put("evidence_lines", lines.size());
    Files.writeString(to.resolve(DESIGN), JSON.writeValueAsString(design) + "\n", StandardCharsets.UTF_8);
    Files.writeString(to.resolve("README.md"), AuditReadme.sample(p, allocation, stratumSize, strata, drawn.size(),
        lines.size()), StandardCharsets.UTF_8);
    writeManifest(to, p);
    return drawn.size();
  }

  static Dataset<Row> read(SparkSession spark, String report, Table t) {
    String dir = t == Table.GPU_USAGE || t == Table.JOBS || t == Table.LINE_ITEMS ? report + "/" + t.tableName()
        : report + "/canonical/" + t.tableName();
    return spark.read().schema(t.schema()).parquet(dir);
  }

  /** Telemetry GPU-seconds the report attributed to each drawn held unit's (job, node): the one reported figure a held unit's recompute takes. */
  static Map<String, Double> coveredSeconds(Dataset<Row> gpuUsage, Dataset<Row> drawn) {
    Dataset<Row> held = drawn.filter(col(AuditFrame.KIND).equalTo(AuditFrame.KIND_HELD))
        .select(col(AuditFrame.UNIT), col("job").as("h_job"), col("host").as("h_host"));
    Map<String, Double> out = new HashMap<>();
    for (Row r : gpuUsage.filter(col("method").notEqual("allocation"))
        .join(broadcast(held), col("job_key").equalTo(col("h_job")).and(col("host").equalTo(col("h_host"))))
        .groupBy(col(AuditFrame.UNIT)).agg(org.computeledger.common.ExactSum.of(col("gpu_seconds")))
        .collectAsList()) {
      out.put(r.getString(0), r.getDouble(1));
    }
    return out;
  }

  /**
   * The median cadence (µs) of each drawn GPU-hour's series over all its samples, by the rule methodology.md
   * states (the smallest interval between consecutive sample times with at least half of the series'
   * intervals at or below it). It rests on the whole series, which the hour's lines do not hold, and sets
   * the first sample's interval and the gap cap: it is taken here from the canonical samples (the parsed
   * input, not a result of the report) and stated in units.json for the recompute.
   */
  static Map<String, Long> seriesCadence(Dataset<Row> samples, Dataset<Row> drawn) {
    Dataset<Row> series = drawn.filter(col(AuditFrame.KIND).equalTo(AuditFrame.KIND_GPU_HOUR))
        .select(col("host").as("c_host"), col("gpu_uuid").as("c_uuid"), col("mig_instance").as("c_mig")).distinct();
    Column us = unix_micros(col(GpuSamples.TS));
    Dataset<Row> times = samples.join(broadcast(series), col(GpuSamples.HOST).equalTo(col("c_host"))
            .and(col(GpuSamples.GPU_UUID).eqNullSafe(col("c_uuid"))).and(col(GpuSamples.MIG_INSTANCE).eqNullSafe(col("c_mig"))))
        .select(col("c_host"), col("c_uuid"), col("c_mig"), us.as("t")).distinct();
    org.apache.spark.sql.expressions.WindowSpec inSeries = org.apache.spark.sql.expressions.Window
        .partitionBy(col("c_host"), col("c_uuid"), col("c_mig")).orderBy(col("t"));
    Dataset<Row> byLength = times.withColumn("dt", col("t").minus(lag(col("t"), 1).over(inSeries)))
        .filter(col("dt").gt(0))
        .groupBy(col("c_host"), col("c_uuid"), col("c_mig"), col("dt")).agg(count(lit(1)).as("w"));
    Map<String, java.util.TreeMap<Long, Long>> hist = new HashMap<>();
    for (Row r : byLength.collectAsList()) {
      hist.computeIfAbsent(series(r.getString(0), r.getString(1), r.getString(2)), k -> new java.util.TreeMap<>())
          .put(r.getLong(3), r.getLong(4));
    }
    Map<String, Long> out = new HashMap<>();
    hist.forEach((k, h) -> {
      long total = h.values().stream().mapToLong(Long::longValue).sum();
      long cum = 0;
      for (Map.Entry<Long, Long> e : h.entrySet()) {
        cum += e.getValue();
        if (2 * cum >= total) {
          out.put(k, e.getKey());
          break;
        }
      }
    });
    return out;
  }

  /** Per input file touched, which of its rows (by line number and parsed row) are evidence. */
  static final class Evidence {
    final Map<String, BiPredicate<Long, Object[]>> wanted = new TreeMap<>();
    /** Resource ids of the bill lines copied out, whose resources.csv lines are evidence. */
    final Set<String> resourceIds = new TreeSet<>();
  }

  /**
   * The lines behind the drawn units, found through the canonical tables' source_file and source_line:
   * for a GPU-hour its GPU's samples in the hour and the one before it, the scheduler records on its node
   * that overlap the hour, the counter rows on its node that overlap it; for held time the job's record;
   * for every node one sample line per GPU on it and the record with the most GPUs (the node's GPU count);
   * and the records that fix the end of the logs (for jobs still running).
   */
  static Evidence evidence(SparkSession spark, String report, Dataset<Row> drawn, Evidence ev, Set<String> moreHosts) {
    Dataset<Row> samples = read(spark, report, Table.GPU_SAMPLES);
    Dataset<Row> allocs = read(spark, report, Table.ALLOCATIONS);
    Dataset<Row> counts = read(spark, report, Table.FLOP_COUNTS);
    Dataset<Row> hours = drawn.filter(col(AuditFrame.KIND).equalTo(AuditFrame.KIND_GPU_HOUR))
        .select(col("host").as("u_host"), col("gpu_uuid").as("u_uuid"), col("mig_instance").as("u_mig"),
            col(AuditFrame.HOUR_S).multiply(1_000_000L).as("u_from"), col(AuditFrame.HOUR_S).multiply(1_000_000L)
                .plus(HOUR_US).as("u_to"))
        .distinct();
    Column us = unix_micros(col(GpuSamples.TS));
    Column sameSeries = col(GpuSamples.HOST).equalTo(col("u_host")).and(col(GpuSamples.GPU_UUID).eqNullSafe(col("u_uuid")))
        .and(col(GpuSamples.MIG_INSTANCE).eqNullSafe(col("u_mig")));
    // the sample before each hour gives the first sample in it its interval
    Dataset<Row> prev = samples.join(broadcast(hours), sameSeries.and(us.lt(col("u_from"))))
        .groupBy(col("u_host").as("p_host"), col("u_uuid").as("p_uuid"), col("u_mig").as("p_mig"),
            col("u_from").as("p_hour"))
        .agg(max(us).as("p_from"));
    Dataset<Row> ranges = hours.join(prev, col("u_host").equalTo(col("p_host")).and(col("u_uuid").eqNullSafe(col("p_uuid")))
            .and(col("u_mig").eqNullSafe(col("p_mig"))).and(col("u_from").equalTo(col("p_hour"))), "left")
        .select(col("u_host"), col("u_uuid"), col("u_mig"), coalesce(col("p_from"), col("u_from")).as("r_from"), col("u_to"));
    List<long[]> rangeBounds = new ArrayList<>();
    List<String> rangeSeries = new ArrayList<>();
    for (Row r : ranges.collectAsList()) {
      rangeSeries.add(series(r.getString(0), r.getString(1), r.getString(2)));
      rangeBounds.add(new long[] {r.getLong(3), r.getLong(4)});
    }
    Set<String> hosts = new TreeSet<>();
    for (Row r : drawn.select("host").distinct().collectAsList()) {
      hosts.add(r.getString(0));
    }
    hosts.addAll(moreHosts);
    // one sample line per GPU series of each node, and the last sample of the logs
    Map<String, Long> witnessTs = new HashMap<>();
    Set<String> sampleFiles = new TreeSet<>();
    for (Row r : samples.filter(col(GpuSamples.HOST).isin(hosts.toArray()))
        .groupBy(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE))
        .agg(min(struct(us.as("t"), col(GpuSamples.SOURCE_FILE).as("f"))).as("w")).collectAsList()) {
      witnessTs.put(series(r.getString(0), r.getString(1), r.getString(2)), r.getStruct(3).getLong(0));
      sampleFiles.add(r.getStruct(3).getString(1));
    }
    Object[] lastSample = null;
    Row last = samples.agg(max(struct(us.as("t"), col(GpuSamples.HOST), col(GpuSamples.GPU_UUID),
        col(GpuSamples.MIG_INSTANCE), col(GpuSamples.SOURCE_FILE)))).first();
    if (!last.isNullAt(0)) {
      Row l = last.getStruct(0);
      witnessTs.merge(series(l.getString(1), l.getString(2), l.getString(3)), l.getLong(0), Math::max);
      sampleFiles.add(l.getString(4));
      // a series whose first and last samples are both witnesses keeps both
      lastSample = new Object[] {series(l.getString(1), l.getString(2), l.getString(3)), l.getLong(0)};
    }
    for (Row r : samples.join(broadcast(ranges), sameSeries.and(us.geq(col("r_from"))).and(us.lt(col("u_to"))))
        .select(GpuSamples.SOURCE_FILE).distinct().collectAsList()) {
      sampleFiles.add(r.getString(0));
    }
    Object[] lastWitness = lastSample;
    for (String f : sampleFiles) {
      ev.wanted.merge(f, (line, row) -> {
        String s = series((String) row[GS_HOST], (String) row[GS_UUID], (String) row[GS_MIG]);
        Object tsv = row[GS_TS];
        if (tsv == null) {
          return false;
        }
        long t = micros((Timestamp) tsv);
        Long w = witnessTs.get(s);
        if (w != null && w == t) {
          return true;
        }
        if (lastWitness != null && lastWitness[0].equals(s) && (Long) lastWitness[1] == t) {
          return true;
        }
        for (int i = 0; i < rangeSeries.size(); i++) {
          if (rangeSeries.get(i).equals(s) && t >= rangeBounds.get(i)[0] && t < rangeBounds.get(i)[1]) {
            return true;
          }
        }
        return false;
      }, (a, b) -> a.or(b));
    }

    // scheduler records: on each drawn GPU-hour's node overlapping the hour, the held units' jobs,
    // the record with most GPUs per node, and the latest record
    Column jobKey = concat_ws("/", coalesce(col(Allocations.CLUSTER), lit("")), col(Allocations.JOB_ID));
    Column jobLevel = col(Allocations.STEP_ID).isNull();
    Dataset<Row> overlapping = allocs.filter(jobLevel).join(broadcast(hours), col(Allocations.NODE).equalTo(col("u_host"))
        .and(unix_micros(col(Allocations.START_TIME)).lt(col("u_to")))
        .and(col(Allocations.END_TIME).isNull().or(unix_micros(col(Allocations.END_TIME)).geq(col("u_from")))))
        .select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE));
    Dataset<Row> heldJobs = drawn.filter(col(AuditFrame.KIND).equalTo(AuditFrame.KIND_HELD))
        .select(col("job").as("h_job"), col("host").as("h_host"));
    Dataset<Row> held = allocs.filter(jobLevel).join(broadcast(heldJobs), jobKey.equalTo(col("h_job"))
            .and(col(Allocations.NODE).equalTo(col("h_host"))))
        .select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE));
    Dataset<Row> widest = allocs.filter(jobLevel.and(col(Allocations.NODE).isin(hosts.toArray())))
        .groupBy(col(Allocations.NODE))
        .agg(max(struct(coalesce(col(Allocations.GPU_COUNT), lit(0)), col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE))).as("w"))
        .select(col("w." + Allocations.SOURCE_FILE), col("w." + Allocations.SOURCE_LINE));
    Dataset<Row> latest = allocs.agg(max(struct(greatest(col(Allocations.START_TIME), col(Allocations.END_TIME),
            col(Allocations.SUBMIT_TIME)), col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE))).as("w"))
        .select(col("w." + Allocations.SOURCE_FILE), col("w." + Allocations.SOURCE_LINE));
    addLines(ev, overlapping.union(held).union(widest).union(latest));
    Dataset<Row> inHour = counts.join(broadcast(hours), col(FlopCounts.HOST).equalTo(col("u_host"))
            .and(unix_micros(col(FlopCounts.INTERVAL_START)).lt(col("u_to")))
            .and(unix_micros(col(FlopCounts.INTERVAL_END)).geq(col("u_from"))));
    // a row overlapping the hour keeps only what earlier rows of its GPU leave (the overlap rule): the rows
    // that overlap it are evidence too, so the range reaches back to the earliest start among them
    Dataset<Row> reach = inHour.groupBy(col("u_host").as("r_host"), col("u_to").as("r_to"))
        .agg(least(min(unix_micros(col(FlopCounts.INTERVAL_START))), min(col("u_from"))).as("r_from"));
    Dataset<Row> counted = counts.join(broadcast(reach), col(FlopCounts.HOST).equalTo(col("r_host"))
            .and(unix_micros(col(FlopCounts.INTERVAL_START)).lt(col("r_to")))
            .and(unix_micros(col(FlopCounts.INTERVAL_END)).gt(col("r_from"))))
        .select(col(FlopCounts.SOURCE_FILE), col(FlopCounts.SOURCE_LINE))
        .union(inHour.select(col(FlopCounts.SOURCE_FILE), col(FlopCounts.SOURCE_LINE)));
    addLines(ev, counted);
    return ev;
  }

  static void addLines(Evidence ev, Dataset<Row> fileLines) {
    Map<String, Set<Long>> byFile = new TreeMap<>();
    for (Row r : fileLines.filter(col(Allocations.SOURCE_FILE).isNotNull()).distinct().collectAsList()) {
      byFile.computeIfAbsent(r.getString(0), k -> new HashSet<>()).add(r.getLong(1));
    }
    byFile.forEach((f, set) -> {
      BiPredicate<Long, Object[]> before = ev.wanted.get(f);
      BiPredicate<Long, Object[]> mine = (line, row) -> set.contains(line);
      ev.wanted.put(f, before == null ? mine : before.or(mine));
    });
  }

  static final int GS_HOST = Table.GPU_SAMPLES.index(GpuSamples.HOST);
  static final int GS_UUID = Table.GPU_SAMPLES.index(GpuSamples.GPU_UUID);
  static final int GS_MIG = Table.GPU_SAMPLES.index(GpuSamples.MIG_INSTANCE);
  static final int GS_TS = Table.GPU_SAMPLES.index(GpuSamples.TS);

  static String series(String host, String uuid, String mig) {
    return host + "|" + (uuid == null ? "" : uuid) + "|" + (mig == null ? "" : mig);
  }

  static long micros(Timestamp t) {
    return Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
  }

  /** The ingest parameters the report was made with, as its manifest records them. */
  public static IngestParams ingestParams(JsonNode parameters) {
    IngestParams p = IngestParams.defaults();
    if (parameters.hasNonNull("scheduler_timezone")) {
      p = p.withSchedulerZone(ZoneId.of(parameters.path("scheduler_timezone").asText()));
    }
    List<String> sacct = new ArrayList<>();
    parameters.path("sacct_columns").forEach(n -> sacct.add(n.asText()));
    List<String> smi = new ArrayList<>();
    parameters.path("nvidia_smi_columns").forEach(n -> smi.add(n.asText()));
    String cluster = parameters.path("cluster").asText(IngestParams.DEFAULT_CLUSTER);
    Instant scrapeTime = parameters.hasNonNull("scrape_time")
        ? Instant.parse(parameters.path("scrape_time").asText()) : null;
    return new IngestParams(p.schedulerZone(), sacct, cluster, p.pseudonymKey(), smi, Instant.now())
        .withScrapeTime(scrapeTime, parameters.path("scrape_time_from_mtime").asBoolean(false));
  }

  /** The folder name that stands for an nvidia-smi file's host (PRODUCT.md §4). */
  public static String folderName(String path) {
    String[] parts = path.split("/");
    return parts.length >= 2 ? parts[parts.length - 2] : "";
  }

  /** One pass to find the lines, one to copy them while hashing the stored bytes, checked against the manifest. */
  static List<ObjectNode> copyEvidence(Path input, String file, JsonNode entry, IngestParams params,
      BiPredicate<Long, Object[]> wanted) throws IOException {
    if (entry == null) {
      throw new LedgerException(file + ": the canonical tables name it but the report's manifest lists no such input");
    }
    String format = entry.path("format").asText();
    FormatParser parser = Formats.byId(format);
    Path f = input.resolve(file);
    if (!Files.isRegularFile(f)) {
      throw new LedgerException(f + ": input named in the report's manifest is missing; run ledger verify --input");
    }
    InputFile inputFile = new InputFile(file, folderName(file), params);
    if (org.computeledger.ingest.EvidenceText.isParquet(f)) {
      return copyParquet(f, file, format, entry, parser, inputFile, wanted);
    }
    TreeMap<Long, Boolean> found;
    try (InputStream in = Files.newInputStream(f)) {
      found = RawLines.findAt(in, parser, inputFile, wanted);
    }
    if (JsonRecords.copiesObjects(format)) {
      return copyObjects(f, file, format, entry, parser, found);
    }
    Map<Long, String> text;
    MessageDigest md;
    try (InputStream raw = Files.newInputStream(f)) {
      md = MessageDigest.getInstance("SHA-256");
      DigestInputStream in = new DigestInputStream(raw, md);
      text = RawLines.copy(in, parser, found.keySet());
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // the rest of the file, for its hash
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String sha = InputCheck.hex(md.digest());
    if (!sha.equals(entry.path("sha256").asText())) {
      throw new LedgerException(f + ": SHA-256 " + sha + " differs from the report's manifest ("
          + entry.path("sha256").asText() + "): the input changed since the report; run ledger verify --input");
    }
    return evidenceLines(found, text, file, format, sha, null);
  }

  /**
   * A JSON document's evidence ({@link JsonRecords}): every record object holding an evidence row, copied
   * whole with its first and last line, the input's SHA-256 (checked against the report's manifest) and
   * the fragment's own SHA-256.
   */
  static List<ObjectNode> copyObjects(Path f, String file, String format, JsonNode entry, FormatParser parser,
      TreeMap<Long, Boolean> found) throws IOException {
    TreeSet<Long> rows = new TreeSet<>();
    found.forEach((line, evidence) -> {
      if (evidence) {
        rows.add(line);
      }
    });
    List<JsonRecords.Span> spans;
    try (InputStream in = Files.newInputStream(f)) {
      spans = JsonRecords.spans(org.computeledger.ingest.EvidenceText.open(in, parser), format, rows);
    }
    List<JsonRecords.Fragment> fragments;
    MessageDigest md;
    try (InputStream raw = Files.newInputStream(f)) {
      md = MessageDigest.getInstance("SHA-256");
      DigestInputStream in = new DigestInputStream(raw, md);
      // the decoder must not close the stream: the rest of the file is read for its hash
      InputStream keepOpen = new java.io.FilterInputStream(in) {
        @Override
        public void close() {}
      };
      fragments = JsonRecords.cut(org.computeledger.ingest.EvidenceText.open(keepOpen, parser), spans);
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // the rest of the file, for its hash
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String sha = InputCheck.hex(md.digest());
    checkInputHash(f, sha, entry);
    List<ObjectNode> out = new ArrayList<>();
    for (JsonRecords.Fragment fr : fragments) {
      ObjectNode n = JSON.createObjectNode();
      n.put("file", file);
      n.put("format", format);
      n.put("sha256", sha);
      n.put("line", fr.firstLine());
      n.put("last_line", fr.lastLine());
      n.put("role", "evidence");
      n.put("text", fr.text());
      n.put("fragment_sha256", JsonRecords.sha256(fr.text()));
      out.add(n);
    }
    return out;
  }

  /**
   * A Parquet bill's evidence: its rows as the CSV text the ingest parsed (header line 1, row N line N + 1),
   * marked {@code "text": "parquet rows as CSV"} in {@code text_of}, with the stored file's SHA-256.
   */
  static List<ObjectNode> copyParquet(Path f, String file, String format, JsonNode entry, FormatParser parser,
      InputFile inputFile, BiPredicate<Long, Object[]> wanted) throws IOException {
    String sha = InputCheck.sha256(f);
    checkInputHash(f, sha, entry);
    TreeMap<Long, Boolean> found = RawLines.findAt(org.computeledger.ingest.EvidenceText.openParquet(f), parser,
        inputFile, wanted);
    Map<Long, String> text = RawLines.copy(org.computeledger.ingest.EvidenceText.openParquet(f), found.keySet());
    return evidenceLines(found, text, file, format, sha, "parquet rows as CSV");
  }

  /** One evidence record per line found (true: evidence, false: context), as the sample's lines file holds them. */
  private static List<ObjectNode> evidenceLines(Map<Long, Boolean> found, Map<Long, String> text, String file,
      String format, String sha, String textOf) {
    List<ObjectNode> out = new ArrayList<>();
    for (Map.Entry<Long, Boolean> e : found.entrySet()) {
      ObjectNode n = JSON.createObjectNode();
      n.put("file", file);
      n.put("format", format);
      n.put("sha256", sha);
      n.put("line", e.getKey());
      n.put("role", e.getValue() ? "evidence" : "context");
      n.put("text", text.get(e.getKey()));
      if (textOf != null) {
        n.put("text_of", textOf);
      }
      out.add(n);
    }
    return out;
  }

  private static void checkInputHash(Path f, String sha, JsonNode entry) {
    if (!sha.equals(entry.path("sha256").asText())) {
      throw new LedgerException(f + ": SHA-256 " + sha + " differs from the report's manifest ("
          + entry.path("sha256").asText() + "): the input changed since the report; run ledger verify --input");
    }
  }

  /** registry.yaml from the input, checked against the report's own copy of it. */
  static void copyRegistry(Path input, Path report, JsonNode manifest, Path to) throws IOException {
    Path reg = input.resolve("registry.yaml");
    if (!Files.isRegularFile(reg)) {
      return;
    }
    String want = null;
    for (JsonNode n : manifest.path("outputs")) {
      if (n.path("path").asText().equals("declarations/registry.yaml")) {
        want = n.path("sha256").asText();
      }
    }
    String have = InputCheck.sha256(reg);
    if (want != null && !want.equals(have)) {
      throw new LedgerException(reg + ": differs from the registry the report was made with (declarations/registry.yaml)");
    }
    Files.copy(reg, to.resolve(REGISTRY), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The catalog tables the report priced with, resolved as the run resolves them ({@link CatalogFiles#load}): the
   * shipped ones and the lab's files its manifest names ({@code catalog_files}), read where {@code given} says they
   * are now (null or empty: where the manifest names them), each checked against the SHA-256 the manifest records
   * ({@code catalog_files_sha256}) as the registry is checked against the report's copy. A report made before
   * manifests recorded it has its lab files used unchecked, with a warning: the recompute still flags a drawn unit
   * that a changed figure prices differently. Every refusal is one line.
   */
  static CatalogFiles reportCatalogs(JsonNode parameters, List<String> given) throws IOException {
    List<String> named = new ArrayList<>();
    parameters.path("catalog_files").forEach(n -> named.add(n.asText()));
    boolean moved = given != null && !given.isEmpty();
    if (moved && given.size() != named.size()) {
      throw new LedgerException("--catalog-file: the report was made with " + named.size() + " catalog file(s) "
          + named + ", " + given.size() + " given; name each, in that order");
    }
    JsonNode hashes = parameters.path("catalog_files_sha256");
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < named.size(); i++) {
      String name = named.get(i);
      Path f = Path.of(moved ? given.get(i) : name);
      if (!Files.isRegularFile(f)) {
        throw new LedgerException(f + ": the catalog file the report was made with (" + name + " in its manifest's"
            + " catalog_files) is missing; name where it is with --catalog-file");
      }
      if (!hashes.hasNonNull(name)) {
        System.err.println("audit-sample: warning: " + f + ": the report's manifest records no SHA-256 for the catalog"
            + " file " + name + " (made before manifests did): its rows are copied unchecked");
      }
      files.add(f);
    }
    CatalogFiles loaded;
    try {
      loaded = CatalogFiles.load(files);
    } catch (IllegalStateException e) {
      // a file changed since the report is named as changed, before what no longer parses in it
      for (int i = 0; i < files.size(); i++) {
        checkCatalogHash(files.get(i), named.get(i), InputCheck.sha256(files.get(i)), hashes);
      }
      throw new LedgerException(e.getMessage(), e);
    }
    // CatalogFiles reads each file once and hashes what it parsed: the rows copied are the bytes checked
    for (int i = 0; i < files.size(); i++) {
      checkCatalogHash(files.get(i), named.get(i), loaded.sha256().get(files.get(i).toString()), hashes);
    }
    return loaded;
  }

  private static void checkCatalogHash(Path f, String name, String have, JsonNode hashes) {
    if (hashes.hasNonNull(name) && !hashes.path(name).asText().equals(have)) {
      throw new LedgerException(f + ": SHA-256 " + have + " differs from the catalog file the report was made with ("
          + name + ", " + hashes.path(name).asText() + " in its manifest's catalog_files_sha256)");
    }
  }

  /** The sample's own manifest: every file with its SHA-256, and when and how it was drawn. */
  static void writeManifest(Path to, Params p) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("tool", org.computeledger.common.OutputDir.TOOL);
    m.put("command", "audit-sample");
    m.put("created", Instant.now().toString());
    ObjectNode params = m.putObject("parameters");
    params.put("report", p.report());
    params.put("input", p.input());
    params.put("size", p.size());
    params.put("seed", p.seed());
    params.put("jobs_per_line_item", p.jobs());
    params.put("gpu_hours_per_job", p.hours());
    ArrayNode files = m.putArray("files");
    List<Path> all = new ArrayList<>();
    try (var s = Files.walk(to)) {
      // a cluster's checkpoint folder (see cli/AuditSampleCommand) is scratch, deleted after the sample is drawn
      s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("manifest.json"))
          .filter(f -> !to.relativize(f).startsWith(StageCheckpoint.FOLDER)).forEach(all::add);
    }
    all.sort((a, b) -> a.toString().compareTo(b.toString()));
    for (Path f : all) {
      ObjectNode n = files.addObject();
      n.put("path", to.relativize(f).toString().replace('\\', '/'));
      n.put("sha256", InputCheck.sha256(f));
    }
    Files.writeString(to.resolve("manifest.json"), JSON.writeValueAsString(m) + "\n", StandardCharsets.UTF_8);
  }

}
