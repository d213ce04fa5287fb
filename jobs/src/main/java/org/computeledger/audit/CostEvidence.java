package org.computeledger.audit;

import static org.apache.spark.sql.functions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.attribute.CostAttribution;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.ResourceMap;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.common.LedgerException;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.Charges;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * The raw lines behind the cost of the jobs an audit sample drew, for {@link AuditSample}: the jobs'
 * scheduler records on every node they held, the bill lines the report placed on those nodes over the
 * jobs' time (found with the report's own matching, {@link CostAttribution#classify}, so that the sample
 * holds what the report used), and the records of every other job on those nodes during those charges'
 * periods, which share the charges. The recompute ({@link CostRecompute}) matches and spreads the copied
 * lines again by its own code.
 */
final class CostEvidence {
  /** The resources.csv lines behind the bill lines copied out, in the sample. */
  static final String RESOURCES = "evidence/resources.csv";
  /** The input's fx.csv, for the jobs' cost in the reporting currency. */
  static final String FX = "evidence/fx.csv";
  /** The input's prices.csv, for the market cost of the jobs drawn. */
  static final String PRICES = "evidence/prices.csv";

  private CostEvidence() {}

  /** Adds the lines to {@code ev}; returns the nodes the drawn jobs held, whose GPU counts are evidence too. */
  static Set<String> add(SparkSession spark, String report, Set<String> jobs, AuditSample.Evidence ev) {
    Set<String> nodes = new TreeSet<>();
    if (jobs.isEmpty()) {
      return nodes;
    }
    Dataset<Row> allocs = AuditSample.read(spark, report, Table.ALLOCATIONS).filter(col(Allocations.STEP_ID).isNull());
    Column jobKey = concat_ws("/", coalesce(col(Allocations.CLUSTER), lit("")), col(Allocations.JOB_ID));
    Dataset<Row> mine = allocs.filter(jobKey.isin(jobs.toArray()).and(col(Allocations.NODE).isNotNull())
            .and(col(Allocations.START_TIME).isNotNull()))
        .select(col(Allocations.NODE).as("j_node"), unix_seconds(col(Allocations.START_TIME)).as("j_from"),
            unix_seconds(col(Allocations.END_TIME)).as("j_to"), col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE))
        .transform(StageCheckpoint::keep);
    AuditSample.addLines(ev, mine.select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE)));
    for (Row r : mine.select("j_node").distinct().collectAsList()) {
      nodes.add(r.getString(0));
    }
    Dataset<Row> charges = AuditSample.read(spark, report, Table.CHARGES);
    Dataset<Row> resources = ResourceMap.readIfPresent(spark,
        new org.apache.hadoop.fs.Path(report, "declarations/" + ResourceMap.FILE_NAME));
    Dataset<Row> classified = CostAttribution.classify(charges, knownNodes(spark, report, allocs), resources)
        .filter(col(CostAttribution.CHARGE_CLASS).equalTo(CostAttribution.NODE_CHARGE)
            .and(col(CostAttribution.CHARGE_NODE).isin(nodes.toArray())))
        .select(col(CostAttribution.CHARGE_NODE).as("c_node"),
            unix_seconds(col(Charges.CHARGE_PERIOD_START)).as("c_from"),
            unix_seconds(col(Charges.CHARGE_PERIOD_END)).as("c_to"), col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE),
            col(Charges.RESOURCE_ID).as("c_rid"));
    // a job still running is held to the end of the logs: every later charge of its node may share in it
    Dataset<Row> used = classified.join(broadcast(mine.drop(Allocations.SOURCE_FILE, Allocations.SOURCE_LINE)),
            col("c_node").equalTo(col("j_node")).and(col("c_from").lt(coalesce(col("j_to"), lit(Long.MAX_VALUE))))
                .and(col("c_to").gt(col("j_from"))))
        .select(col("c_node"), col("c_from"), col("c_to"), col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE),
            col("c_rid"))
        .distinct().transform(StageCheckpoint::keep);
    AuditSample.addLines(ev, used.select(col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE)));
    if (resources != null) {
      // a used charge's resource id may be cut by resources.csv: every line of the id is evidence
      for (Row r : used.select("c_rid").filter(col("c_rid").isNotNull()).distinct().collectAsList()) {
        ev.resourceIds.add(r.getString(0));
      }
    }
    // every job on those nodes during those charges shares them
    Dataset<Row> spans = used.groupBy(col("c_node").as("s_node")).agg(min("c_from").as("s_from"), max("c_to").as("s_to"));
    Dataset<Row> sharing = allocs.join(broadcast(spans), col(Allocations.NODE).equalTo(col("s_node"))
            .and(unix_seconds(col(Allocations.START_TIME)).lt(col("s_to")))
            .and(col(Allocations.END_TIME).isNull().or(unix_seconds(col(Allocations.END_TIME)).gt(col("s_from")))))
        .select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE));
    AuditSample.addLines(ev, sharing);
    return nodes;
  }

  /**
   * The lines of the input's {@code resources.csv} that map the resource ids of the bill lines copied out,
   * with the header, written to {@link #RESOURCES}, each line verbatim after a comment naming its line number
   * and the file's SHA-256 (which must be that of the report's copy under {@code declarations/}). The
   * recompute reads the copy with the product's reader of the file and cuts the charges itself.
   */
  static void copyResources(Path input, JsonNode manifest, Set<String> ids, Path to) throws IOException {
    Path file = input.resolve(ResourceMap.FILE_NAME);
    if (ids.isEmpty() || !Files.isRegularFile(file)) {
      return;
    }
    String want = null;
    for (JsonNode n : manifest.path("outputs")) {
      if (n.path("path").asText().equals("declarations/" + ResourceMap.FILE_NAME)) {
        want = n.path("sha256").asText();
      }
    }
    String have = InputCheck.sha256(file);
    if (want != null && !want.equals(have)) {
      throw new LedgerException(file + ": differs from the resources.csv the report was made with (declarations/"
          + ResourceMap.FILE_NAME + ")");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    int idColumn = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      List<String> fields = fields(line);
      if (idColumn < 0) {
        idColumn = fields.indexOf(ResourceMap.RESOURCE_ID);
        out.append("# resources.csv sha256 ").append(have).append('\n').append(line).append('\n');
        if (idColumn < 0) {
          return;
        }
      } else if (idColumn < fields.size() && ids.contains(fields.get(idColumn))) {
        out.append("# resources.csv line ").append(i + 1).append('\n').append(line).append('\n');
      }
    }
    Files.writeString(to.resolve(RESOURCES), out.toString(), StandardCharsets.UTF_8);
  }

  /**
   * The input's {@code prices.csv} whole (a price list, small), when the report was made with it: checked
   * against the report's copy under {@code declarations/} and written to {@link #PRICES}, for the market cost.
   */
  static void copyPrices(Path input, JsonNode manifest, Path to) throws IOException {
    if (manifest.path("parameters").path("market_prices").asText().startsWith("reference list")) {
      copyReferencePrices(to);
      return;
    }
    Path file = input.resolve("prices.csv");
    String want = null;
    for (JsonNode n : manifest.path("outputs")) {
      if (n.path("path").asText().equals("declarations/prices.csv")) {
        want = n.path("sha256").asText();
      }
    }
    if (want == null || !Files.isRegularFile(file)) {
      return;
    }
    if (!want.equals(InputCheck.sha256(file))) {
      throw new LedgerException(file + ": differs from the prices.csv the report was made with (declarations/prices.csv)");
    }
    Files.copy(file, to.resolve(PRICES), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The input's {@code fx.csv} whole (a rate list, small), when there is one: checked against the report's copy
   * under {@code declarations/} when the manifest lists one, and written to {@link #FX}, for the converted cost.
   */
  static void copyFx(Path input, JsonNode manifest, Path to) throws IOException {
    Path file = input.resolve(org.computeledger.attribute.FxRates.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return;
    }
    String declared = "declarations/" + org.computeledger.attribute.FxRates.FILE_NAME;
    for (JsonNode n : manifest.path("outputs")) {
      if (n.path("path").asText().equals(declared) && !n.path("sha256").asText().equals(InputCheck.sha256(file))) {
        throw new LedgerException(file + ": differs from the fx.csv the report was made with (" + declared + ")");
      }
    }
    Files.copy(file, to.resolve(FX), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * A report made without a prices.csv priced market cost at the built-in reference list's lowest offer per
   * model: those prices, as the report took them, are written to {@link #PRICES} in prices.csv's columns (each
   * source labelled as a reference list price), like the peak catalog's rows a method parameter.
   */
  static void copyReferencePrices(Path to) throws IOException {
    StringBuilder out = new StringBuilder();
    try (org.apache.commons.csv.CSVPrinter p = new org.apache.commons.csv.CSVPrinter(out,
        org.apache.commons.csv.CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
      p.printRecord(MarketPrices.GPU_MODEL, MarketPrices.PRICE_PER_GPU_HOUR, MarketPrices.CURRENCY,
          MarketPrices.EFFECTIVE_DATE, MarketPrices.SOURCE);
      for (MarketPrices.Price x : org.computeledger.attribute.ReferencePrices.load().marketPrices()) {
        p.printRecord(x.gpuModel(), x.pricePerGpuHour().toPlainString(), x.currency(), x.effectiveDate(), x.source());
      }
    }
    Files.writeString(to.resolve(PRICES), out.toString(), StandardCharsets.UTF_8);
  }

  /** The fields of one CSV line (resources.csv holds no field over lines). */
  private static List<String> fields(String line) throws IOException {
    try (org.apache.commons.csv.CSVParser p = org.apache.commons.csv.CSVParser.parse(line,
        org.apache.commons.csv.CSVFormat.RFC4180.builder().setTrim(true).build())) {
      List<org.apache.commons.csv.CSVRecord> r = p.getRecords();
      return r.isEmpty() ? List.of() : r.get(0).toList();
    }
  }

  /**
   * The GPU nodes the report's run knew, as cost attribution reads them ({@code node, gpu_total}): the
   * most GPUs any job-level record held on the node, or the GPUs its telemetry showed, whichever is more.
   */
  static Dataset<Row> knownNodes(SparkSession spark, String report, Dataset<Row> jobLevel) {
    Dataset<Row> fromAllocs = jobLevel.filter(col(Allocations.NODE).isNotNull())
        .groupBy(col(Allocations.NODE).as("node")).agg(max(col(Allocations.GPU_COUNT)).as("a_gpus"));
    Dataset<Row> fromTelemetry = AuditSample.read(spark, report, Table.GPU_SAMPLES)
        .filter(col(GpuSamples.MIG_INSTANCE).isNull())
        .groupBy(col(GpuSamples.HOST).as("node")).agg(countDistinct(col(GpuSamples.GPU_UUID)).as("t_gpus"));
    return fromAllocs.join(fromTelemetry, "node", "full")
        .select(col("node"), greatest(coalesce(col("a_gpus").cast("int"), lit(0)), coalesce(col("t_gpus").cast("int"),
            lit(0))).as(CostAttribution.GPU_TOTAL));
  }
}
