package org.computeledger.report;

import static org.computeledger.common.UserText.code;
import static org.computeledger.common.UserText.markdown;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.Registry;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.MigProfiles;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.ingest.IngestParams;

/**
 * {@code methodology.md}: how every number of the report was made, with the parameters this run used,
 * the share of FLOP per method and anything left unpriced. Written from the report's own (small)
 * tables, so it cannot disagree with them. Text that comes from the input (names, file paths) goes
 * through {@link org.computeledger.common.UserText}, so it shows literally.
 */
public final class Methodology {
  /**
   * What the document states; line items, reconciliation and calibration are the report's rows; {@code mig} the
   * MIG tables the run priced with (shipped, with a lab's {@code --catalog-file} rows), always given by a run.
   */
  public record Facts(IngestParams ingest, EstimateParams estimate, PeakCatalog catalog, Registry registry,
      List<Row> lineItems, List<Row> reconciliation, List<Row> calibration, Map<String, String> modelNames,
      long quarantined, String input, boolean fromIngest, Overlaps overlaps, List<Row> costMatching,
      MigProfiles mig) {
    /** A run's facts without cost matching, priced with the shipped MIG tables only (tests of the text). */
    public Facts(IngestParams ingest, EstimateParams estimate, PeakCatalog catalog, Registry registry,
        List<Row> lineItems, List<Row> reconciliation, List<Row> calibration, Map<String, String> modelNames,
        long quarantined, String input, boolean fromIngest, Overlaps overlaps) {
      this(ingest, estimate, catalog, registry, lineItems, reconciliation, calibration, modelNames, quarantined, input,
          fromIngest, overlaps, List.of(), MigProfiles.load());
    }
  }

  /**
   * Input that said the same thing twice: records ingest dropped (null counts when the run read an
   * ingest output, whose own manifest has them), and GPU windows that two allocations claimed at once.
   */
  public record Overlaps(Long duplicatesDropped, Long recordsSuperseded, long conflictRows, long conflictJobs,
      double conflictGpuSeconds) {}

  private Methodology() {}

  static String duplicates(Overlaps o) {
    StringBuilder md = new StringBuilder("## Duplicates and conflicts\n\n");
    md.append("Overlapping exports count once. The same record again (every field equal but its file and line) is "
        + "dropped and the first copy by file and line is kept: a sacct or pod record (LF or CRLF), a FLOP counter row, "
        + "a bill line that an earlier file (by name) already holds (equal lines within one bill are kept). The same GPU "
        + "sample (host, GPU UUID, MIG instance, timestamp) from several files is one sample: the first copy by file and "
        + "line is kept, each metric is the largest of the copies. Of two different records of one allocation (cluster, "
        + "job id, step, node), e.g. a job exported while running and again after it ended, the latest is kept and the "
        + "other is superseded; latest means a record with an end time over one without, then the later end, then a "
        + "record with a start over one without, then the later start, then the later file and line. `manifest.json` "
        + "counts per input file the records dropped as `duplicates_dropped` and `records_superseded` (both part of "
        + "`records_accepted`, so read = accepted + quarantined still holds). FLOP counter rows whose intervals overlap "
        + "on one GPU (not equal rows: two profilers, rows cut at different bounds) count the overlap once: each row "
        + "keeps the part of its interval no earlier row of that GPU covers (earlier: the earlier start, then the longer "
        + "interval, then the earlier file and line), its FLOP scaled by that part's share of its interval, the count's "
        + "rate taken as even within it; a row wholly inside earlier ones adds nothing.\n\n");
    if (o.duplicatesDropped() != null) {
      md.append(String.format(Locale.ROOT, "- This run: %,d duplicate record(s) dropped, %,d superseded record(s).%n",
          o.duplicatesDropped(), o.recordsSuperseded()));
    }
    md.append(String.format(Locale.ROOT, "- Allocation conflicts: where the allocations holding a GPU window claim more "
        + "than the whole GPU (GPU indices naming the same GPU twice at once, more GPUs allocated on a node than it has), "
        + "each claim is scaled by the total claim, so a window is never counted twice; those rows have rule `%s` in "
        + "`gpu_usage/` and in the jobs' `attribution_rules`. This run: %,d ledger row(s) of %,d job(s), %,.0f GPU-seconds.%n%n",
        org.computeledger.attribute.GpuAttribution.CONFLICT, o.conflictRows(), o.conflictJobs(), o.conflictGpuSeconds()));
    return md.toString();
  }

  /** The document, one section after another; each section is its own method. */
  public static String render(Facts f) {
    Sums t = Sums.of(f.lineItems());
    return header(f) + totals(t, f.quarantined()) + methodShares(t) + methods(f.estimate()) + windows(f.estimate())
        + attribution(f.estimate()) + duplicates(f.overlaps()) + catalog(f) + unpriced(t)
        + calibration(f.calibration()) + cost(f.reconciliation(), f.costMatching())
        + ScrapeTimeSection.render(f.ingest()) + parameters(f);
  }

  /** The line items' sums that the totals, the method shares and the unpriced section quote. */
  record Sums(int items, double flop, double low, double high, double counted, double pipe, double util,
      double alloc, double unpriced, double gpuSeconds) {
    static Sums of(List<Row> lineItems) {
      double flop = 0;
      double low = 0;
      double high = 0;
      double counted = 0;
      double pipe = 0;
      double util = 0;
      double alloc = 0;
      double unpriced = 0;
      double gpuSeconds = 0;
      for (Row r : lineItems) {
        flop += d(r, "flop");
        low += d(r, "flop_low");
        high += d(r, "flop_high");
        counted += d(r, "flop_counted");
        pipe += d(r, "flop_pipe_activity");
        util += d(r, "flop_utilization");
        alloc += d(r, "flop_allocation");
        unpriced += d(r, "unpriced_gpu_seconds");
        gpuSeconds += d(r, "gpu_seconds");
      }
      return new Sums(lineItems.size(), flop, low, high, counted, pipe, util, alloc, unpriced, gpuSeconds);
    }
  }

  /** Title and what the report is of. */
  static String header(Facts f) {
    StringBuilder md = new StringBuilder();
    md.append("# Methodology\n\n");
    md.append("Report of the compute (FLOP) and money spent by ").append(markdown(f.registry().developer()))
        .append(", made by compute-ledger ").append(Manifest.TOOL_VERSION).append(" from ").append(code(f.input()))
        .append(f.fromIngest() ? " (an ingest output)" : "").append(". Every figure below comes from this run's ")
        .append("tables; `manifest.json` holds the SHA-256 of every input and output file.\n\n");
    return md.toString();
  }

  /** Totals of the line items and the quarantine. */
  static String totals(Sums t, long quarantined) {
    StringBuilder md = new StringBuilder();
    md.append("## Totals\n\n");
    md.append(String.format(Locale.ROOT, "- %d line items; %.4e FLOP in all (range %.4e – %.4e); %,.0f GPU-seconds.%n",
        t.items(), t.flop(), t.low(), t.high(), t.gpuSeconds()));
    md.append(String.format(Locale.ROOT, "- Quarantined input records: %,d (see `quarantine/`, each with file, line and reason).%n%n",
        quarantined));
    return md.toString();
  }

  /** The share of FLOP each method gave. */
  static String methodShares(Sums t) {
    StringBuilder md = new StringBuilder();
    md.append("## Share of FLOP per method\n\n| method | FLOP | share |\n|---|---:|---:|\n");
    for (Object[] m : new Object[][] {{"counted", t.counted()}, {"pipe-activity", t.pipe()}, {"utilization", t.util()},
        {"allocation", t.alloc()}}) {
      double v = (Double) m[1];
      md.append(String.format(Locale.ROOT, "| %s | %.4e | %.1f %% |%n", m[0], v, t.flop() > 0 ? 100 * v / t.flop() : 0));
    }
    md.append('\n');
    return md.toString();
  }

  /** The four methods, best first, with this run's ranges. */
  static String methods(EstimateParams p) {
    StringBuilder md = new StringBuilder();
    md.append("## Methods\n\nFor each GPU and time window the best available method wins, in this order.\n\n");
    md.append("1. **counted** — exact FLOP from profiler counters (FLOP counter CSV). No range. A telemetry window ")
        .append("whose end falls inside a counted interval of the same GPU is replaced by the count.\n");
    md.append(String.format(Locale.ROOT, "2. **pipe-activity** — Σ over DCGM pipes (tensor, FP64, FP32, FP16) of pipe "
        + "activity × that pipe's dense peak × (SM clock ÷ the catalog's boost clock) × seconds. The tensor pipe uses "
        + "the project's precision; a pipe with no figure in the catalog drops the sample to the utilization method "
        + "(see the section on catalog sources and method reasons). Range: ±%.0f %% "
        + "(pipe counters are sampled ratios).%n", 100 * p.pipeRelError()));
    md.append(String.format(Locale.ROOT, "3. **utilization** — GPU utilization (share of time a kernel ran) × dense peak "
        + "for the precision × seconds. Utilization is an upper bound on tensor activity, so the range is %.2f – %.2f × "
        + "the point value.%n", p.utilLowFactor(), p.utilHighFactor()));
    md.append(String.format(Locale.ROOT, "4. **allocation** — held GPU-seconds that no telemetry covered × dense peak × "
        + "assumed utilization %.2f (range %.2f – %.2f).%n%n", p.allocUtil(), p.allocUtilLow(), p.allocUtilHigh()));
    return md.toString();
  }

  /** How samples become windows. */
  static String windows(EstimateParams p) {
    StringBuilder md = new StringBuilder();
    md.append("## Windows\n\n");
    md.append(String.format(Locale.ROOT, "A sample covers the time since the previous sample of the same GPU series (host, "
        + "GPU UUID, MIG instance), capped at %.1f × the series' median cadence. A longer gap covers nothing: that time "
        + "counts as no telemetry and falls to the allocation method where a job held the GPU. The first sample of a "
        + "series covers one median cadence; a repeated sample (same time) covers zero seconds, so overlapping exports "
        + "cannot count twice. A MIG instance counts as its profile's share of the parent GPU; the parent GPU's own rows "
        + "are not counted when it is split. The median cadence is the smallest interval at or below which lie at least "
        + "half of the series' intervals between consecutive samples.%n%n", p.maxGapFactor()));
    md.append("How it is computed: telemetry is read once, in stored order (ingest writes each GPU's samples together "
        + "and in time order). Samples are summed per GPU series, hour, job labels and interval length, and the sums "
        + "are cut wherever an allocation or a counted interval starts or ends on the host, so that every sum lies "
        + "wholly inside or wholly outside each allocation and counted interval; attribution and counting then use "
        + "the sums exactly as they would the samples. Where a GPU's samples are out of time order within a file, "
        + "the telemetry is sorted first and the result is the same.\n\n");
    return md.toString();
  }

  /** How windows are shared among allocations. */
  static String attribution(EstimateParams p) {
    StringBuilder md = new StringBuilder();
    md.append("## Attribution\n\n");
    md.append("A window belongs to the allocation that held its GPU at the window's end. A job label on the sample "
        + "(`hpc_job`, or `pod` in its namespace) names the job directly; else the scheduler's GPU indices; else every "
        + "allocation on the node takes `allocated GPUs ÷ node GPUs` of each GPU's windows (all of them for a "
        + "node-exclusive job; a pro-rated share on a shared node without indices — the `attribution_rules` column "
        + "of `jobs/` says which rule applied). What no allocation takes is reported under project `(unattributed)`, "
        + "branch `(idle or unallocated GPUs)`. Jobs matching no registry branch are reported under project "
        + "`(unattributed)`. A job still running at the end of the logs is held until the latest time in the logs. "
        + "In `gpu_usage/` each row is one share of a window: `weight` is the share (1 for a job label or a GPU index, "
        + "allocated ÷ node GPUs otherwise) and `rule` the rule that gave it; the rest of the window, when the shares "
        + "leave some, is a row of its own with rule `unattributed` and no allocation. ");
    md.append(String.format(Locale.ROOT, "Interval joins use the node and a %d-second time bucket as equality keys.%n%n",
        p.bucketSeconds()));
    return md.toString();
  }

  /** The peak catalog and the model names this run mapped to it. */
  static String catalog(Facts f) {
    StringBuilder md = new StringBuilder();
    md.append("## Dense peak catalog\n\n");
    md.append("Version ").append(f.catalog().version()).append(". Dense figures only: datasheet figures \"with sparsity\" "
        + "are never used. Telemetry model names seen in this run and the catalog models they map to:\n\n");
    md.append("| model name as logged | catalog model |\n|---|---|\n");
    for (Map.Entry<String, String> e : new TreeMap<>(f.modelNames()).entrySet()) {
      md.append("| ").append(markdown(e.getKey())).append(" | ").append(markdown(e.getValue())).append(" |\n");
    }
    md.append('\n');
    md.append(CatalogMethodology.section(f.catalog(), f.mig(), f.lineItems()));
    return md.toString();
  }

  /** GPU-seconds no peak could price. */
  static String unpriced(Sums t) {
    StringBuilder md = new StringBuilder();
    md.append("## Unpriced compute\n\n");
    if (t.unpriced() > 0) {
      md.append(String.format(Locale.ROOT, "%,.0f GPU-seconds ran on GPU models the peak catalog does not know (or "
          + "with no model at all); they carry no FLOP estimate and are listed per line item in "
          + "`unpriced_gpu_seconds`. They are never counted as 0 FLOP in silence.%n%n", t.unpriced()));
    } else {
      md.append("None: every GPU-second was on a GPU model the catalog knows.\n\n");
    }
    return md.toString();
  }

  /** Counted FLOP against the estimates on the same GPU. */
  static String calibration(List<Row> calibration) {
    StringBuilder md = new StringBuilder();
    md.append("## Calibration\n\n");
    if (calibration.isEmpty()) {
      md.append("No counted interval overlapped other telemetry, so no calibration could be made.\n\n");
    } else {
      md.append(String.format(Locale.ROOT, "Where counted intervals overlap DCGM telemetry on the same GPU, the counted FLOP "
          + "compared with what the other methods would have estimated there (utilization over every overlapping "
          + "sample). Where the overlap is at least %.0f counted GPU-hour(s), the ratio is applied: it sets the point of "
          + "the utilization- and pipe-activity-based rows of that GPU model and precision (method_reasons says so per "
          + "line item), and their range spans both the uncalibrated range and the lowest and highest ratio of any "
          + "counted interval, so it never narrows. Thinner overlaps are reported, not applied.%n%n",
          org.computeledger.estimate.SelfCalibration.MIN_GPU_HOURS));
      md.append("| model | precision | intervals | counted GPU-hours | counted ÷ pipe-activity (min – max) "
          + "| counted ÷ utilization (min – max) | applied |\n|---|---|---:|---:|---:|---:|---|\n");
      for (Row r : calibration) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %s (%s – %s) | %s (%s – %s) | %s |%n",
            markdown(r.getAs("model_id")), markdown(r.getAs("precision")), r.<Long>getAs("counted_intervals"),
            d(r, "counted_gpu_hours"), ratio(r, "ratio_counted_to_pipe_activity"), ratio(r, "ratio_pipe_activity_min"),
            ratio(r, "ratio_pipe_activity_max"), ratio(r, "ratio_counted_to_utilization"),
            ratio(r, "ratio_utilization_min"), ratio(r, "ratio_utilization_max"),
            Boolean.TRUE.equals(r.getAs("applied")) ? "yes" : "no"));
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** How bills are spread, and their reconciliation per provider and currency. */
  static String cost(List<Row> reconciliation, List<Row> costMatching) {
    StringBuilder md = new StringBuilder();
    md.append("## Cost\n\n");
    md.append("A charge for a resource over a period is spread over that node's GPU-seconds in the period (GPU count × "
        + "seconds); each job gets the share it held and the share nobody held is idle cost, reported as unallocated. "
        + "A charge's node is found by the rules listed below, in their order. Charges for other resources are unallocated; charges with no resource (tax, "
        + "support, credits) are not attributable. Market prices from `prices.csv` give `cost_market` where present.\n\n");
    md.append("| provider | currency | input total | allocated | unallocated (idle) | unallocated (other resources) | not attributable |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (Row r : reconciliation) {
      md.append("| ").append(markdown(r.getAs("provider"))).append(" | ").append(markdown(r.getAs("currency")));
      for (String c : new String[] {"input_total", "allocated", "unallocated_idle", "unallocated_other_resource",
          "not_attributable"}) {
        Object v = r.getAs(c);
        md.append(" | ").append(v == null ? "" : new java.math.BigDecimal(v.toString()).setScale(2, java.math.RoundingMode.HALF_EVEN));
      }
      md.append(" |\n");
    }
    md.append('\n');
    md.append(CostMatchingSection.markdown(costMatching));
    return md.toString();
  }

  /** The parameters this run used. */
  static String parameters(Facts f) {
    StringBuilder md = new StringBuilder();
    EstimateParams p = f.estimate();
    md.append("## Parameters of this run\n\n");
    md.append("| parameter | value |\n|---|---|\n");
    md.append("| scheduler time zone | ").append(markdown(f.ingest().schedulerZone())).append(" |\n");
    md.append("| max gap factor | ").append(p.maxGapFactor()).append(" |\n");
    md.append("| pipe-activity relative error | ").append(p.pipeRelError()).append(" |\n");
    md.append("| utilization range factors | ").append(p.utilLowFactor()).append(" – ").append(p.utilHighFactor()).append(" |\n");
    md.append("| assumed utilization (allocation) | ").append(p.allocUtil()).append(" (").append(p.allocUtilLow())
        .append(" – ").append(p.allocUtilHigh()).append(") |\n");
    md.append("| default precision | ").append(p.defaultPrecision()).append(" |\n");
    md.append("| time bucket | ").append(p.bucketSeconds()).append(" s |\n");
    md.append("| peak catalog | ").append(f.catalog().version()).append(" |\n");
    return md.toString();
  }

  private static double d(Row r, String c) {
    Object v = r.getAs(c);
    return v == null ? 0 : ((Number) v).doubleValue();
  }

  private static String ratio(Row r, String c) {
    Object v = r.getAs(c);
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue());
  }
}
