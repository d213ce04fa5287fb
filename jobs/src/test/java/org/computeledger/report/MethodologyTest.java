package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.attribute.Registry;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;

/** methodology.md as rendered from a run's small tables: its sections, the method shares, what it quotes. */
class MethodologyTest {
  private static final String[] SUMMED = {"flop", "flop_low", "flop_high", "flop_counted", "flop_pipe_activity",
      "flop_utilization", "flop_allocation", "unpriced_gpu_seconds", "gpu_seconds"};
  private static final StructType LINE_ITEM = schema();

  private static StructType schema() {
    StructType s = new StructType();
    for (String c : SUMMED) {
      s = s.add(c, DataTypes.DoubleType);
    }
    return s.add("line_item_id", DataTypes.StringType).add("method_reasons", DataTypes.StringType);
  }

  /** A line item whose FLOP comes from the counted and pipe-activity methods, with some unpriced seconds. */
  private static Row item(double counted, double pipe, double unpriced, double gpuSeconds) {
    double flop = counted + pipe;
    return new GenericRowWithSchema(new Object[] {flop, flop, flop, counted, pipe, 0.0, 0.0, unpriced, gpuSeconds,
        "p/b", null}, LINE_ITEM);
  }

  private static Methodology.Facts facts(List<Row> lineItems, EstimateParams p) {
    return new Methodology.Facts(IngestParams.defaults(), p, PeakCatalog.load(), new Registry("Acme", List.of()),
        lineItems, List.of(), List.of(), Map.of(), 2, "sample-logs", false, new Methodology.Overlaps(1L, 0L, 0, 0, 0));
  }

  private static List<String> headings(String md) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^##? (.+)$").matcher(md);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void sectionsComeOnceEachInTheDocumentsOrder() {
    String md = Methodology.render(facts(List.of(), EstimateParams.defaults()));
    assertEquals(List.of("Methodology", "Totals", "Share of FLOP per method", "Methods", "Windows", "Attribution",
        "Duplicates and conflicts", "Dense peak catalog", "Catalog sources and method reasons", "Unpriced compute",
        "Calibration", "Cost",
        "Parameters of this run"), headings(md));
  }

  @Test
  void theMigTablesShownAreTheOnesTheRunPricedWith() throws Exception {
    java.nio.file.Path lab = java.nio.file.Path.of(
        MethodologyTest.class.getResource("/fixtures/catalog/mig_gpus_lab.csv").toURI());
    org.computeledger.estimate.CatalogFiles c = org.computeledger.estimate.CatalogFiles.load(List.of(lab));
    Methodology.Facts f = facts(List.of(), EstimateParams.defaults());
    String md = Methodology.render(new Methodology.Facts(f.ingest(), f.estimate(), c.peaks(), f.registry(),
        f.lineItems(), f.reconciliation(), f.calibration(), f.modelNames(), f.quarantined(), f.input(),
        f.fromIngest(), f.overlaps(), f.costMatching(), c.mig()));
    assertTrue(md.contains("| lab-gpu-1 | 4 | added by "), md);
  }

  @Test
  void eachMethodsShareIsItsFlopOverTheTotal() {
    String md = Methodology.render(facts(List.of(item(3.0, 0.0, 0, 10), item(0.0, 1.0, 0, 10)),
        EstimateParams.defaults()));
    assertTrue(md.contains("| counted | 3.0000e+00 | 75.0 % |"), md);
    assertTrue(md.contains("| pipe-activity | 1.0000e+00 | 25.0 % |"), md);
    assertTrue(md.contains("| utilization | 0.0000e+00 | 0.0 % |"), md);
  }

  @Test
  void aReportWithoutFlopShowsZeroSharesNotNaN() {
    String md = Methodology.render(facts(List.of(item(0.0, 0.0, 0, 0)), EstimateParams.defaults()));
    assertTrue(md.contains("| counted | 0.0000e+00 | 0.0 % |"), md);
    assertFalse(md.contains("NaN"), md);
  }

  @Test
  void totalsQuoteTheLineItemsAndTheQuarantine() {
    String md = Methodology.render(facts(List.of(item(3.0, 1.0, 0, 1200), item(0.0, 4.0, 0, 1300)),
        EstimateParams.defaults()));
    assertTrue(md.contains("- 2 line items; 8.0000e+00 FLOP in all (range 8.0000e+00 – 8.0000e+00); 2,500 GPU-seconds."),
        md);
    assertTrue(md.contains("- Quarantined input records: 2 (see `quarantine/`"), md);
  }

  @Test
  void unpricedGpuSecondsAreQuotedAndNeverSilent() {
    String priced = Methodology.render(facts(List.of(item(1.0, 0.0, 0, 10)), EstimateParams.defaults()));
    String unpriced = Methodology.render(facts(List.of(item(1.0, 0.0, 1234, 10)), EstimateParams.defaults()));
    assertTrue(priced.contains("None: every GPU-second was on a GPU model the catalog knows."), priced);
    assertTrue(unpriced.contains("1,234 GPU-seconds ran on GPU models the peak catalog does not know"), unpriced);
  }

  @Test
  void parametersAreThoseOfTheRun() {
    EstimateParams p = new EstimateParams(2.5, 0.2, 0.3, 0.9, 0.5, 0.2, 0.8, "fp8", 1800);
    String md = Methodology.render(facts(List.of(), p));
    assertTrue(md.contains("| max gap factor | 2.5 |"), md);
    assertTrue(md.contains("| default precision | fp8 |"), md);
    assertTrue(md.contains("| time bucket | 1800 s |"), md);
    assertTrue(md.contains("| assumed utilization (allocation) | 0.5 (0.2 – 0.8) |"), md);
    assertTrue(md.contains("capped at 2.5 × the series' median cadence"), md);
  }
}
