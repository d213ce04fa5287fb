package org.computeledger.report;

import static org.computeledger.common.UserText.markdown;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.computeledger.estimate.MethodReasons;
import org.computeledger.estimate.MigGpus;
import org.computeledger.estimate.MigProfiles;
import org.computeledger.estimate.PeakCatalog;

/**
 * The methodology's account of the catalog behind every peak: each model's sources and dates, the
 * rules that replace a missing figure (none between precisions or pipes), how MIG instances are
 * shared, and which line items dropped a method or substituted a mode, and why.
 */
final class CatalogMethodology {
  private CatalogMethodology() {}

  /** The section for a run that priced with {@code catalog} and {@code mig}, shipped rows and a lab's alike. */
  static String section(PeakCatalog catalog, MigProfiles mig, List<Row> lineItems) {
    StringBuilder md = new StringBuilder("## Catalog sources and method reasons\n\n");
    md.append("Every figure is the vendor's dense figure at the boost clock it is quoted at (the catalog's "
        + "`boost_clock_mhz`). A missing figure is never replaced by another precision's or another pipe's: a "
        + "pipe-activity sample active on a pipe with no figure drops to the utilization it logged (unpriced when it "
        + "logged none); a precision with no figure is unpriced. The only substitutions are modes the hardware "
        + "lacks (bf16 on pre-Ampere GPUs at their fp16 tensor rate, tf32 without TF32 at the fp32 rate, fp8 without "
        + "fp8 at the bf16 rate, fp16 without tensor cores at the fp16 vector rate, FP64 without FP64 tensor cores at "
        + "the FP64 vector rate), each recorded per line item. A logged SM clock above the model's boost clock, or "
        + "zero, is not used as a multiplier (the sample is taken at the quoted clock) and recorded. A MIG instance "
        + "counts as its SMs ÷ the GPU's SMs where `mig_profiles.csv` (or a `--catalog-file`) lists its profile, "
        + "else as its compute slices ÷ the GPU's slices (7; 4 on the A30 and the RTX PRO 6000), recorded per line item; a profile neither "
        + "reads is unpriced, never a whole GPU. AMD MI300-series "
        + "GPUs split into compute partitions (DPX/QPX/CPX, one per XCD group) are not named as such in the logs: a node "
        + "showing more than 8 of them is taken to be partitioned in an unknown mode, and its devices are unpriced "
        + "with that reason rather than each counted as a whole GPU. A name that maps "
        + "to no catalog model (\"Tesla\" alone, say) is an unknown model: its GPU-seconds are unpriced, never "
        + "guessed. TPU, Trainium, Inferentia and Gaudi time (Kubernetes `google.com/tpu`, `aws.amazon.com/neuron`, "
        + "`habana.ai/gaudi` requests, the chip named by the GKE TPU or instance-type node selector) has no telemetry "
        + "the ledger reads: it is counted by allocation × the chip's dense peak × its own assumed utilization "
        + "(`assumed_accelerator_utilization` in the manifest; `--assumed-accelerator-utilization`). Google, AWS and "
        + "Intel state no clock for their chips, nor NVIDIA for its B300, GB300 and H800 SKUs, so those figures are "
        + "never clock-scaled.\n\n");
    md.append("Sources, per catalog model:\n\n| catalog model | precisions | source (date) |\n|---|---|---|\n");
    Map<String, TreeSet<String>> precisions = new TreeMap<>();
    Map<String, TreeSet<String>> sources = new TreeMap<>();
    for (PeakCatalog.Peak p : catalog.rows()) {
      precisions.computeIfAbsent(p.model(), k -> new TreeSet<>()).add(p.precision());
      sources.computeIfAbsent(p.model(), k -> new TreeSet<>()).add(p.source() + " (" + p.sourceDate() + ")");
    }
    for (Map.Entry<String, TreeSet<String>> e : precisions.entrySet()) {
      md.append("| ").append(markdown(e.getKey())).append(" | ").append(String.join(", ", e.getValue()))
          .append(" | ").append(markdown(String.join("; ", sources.get(e.getKey())))).append(" |\n");
    }
    md.append('\n');
    md.append(modesWithoutFigure(catalog));
    md.append(migTable(mig));
    md.append(migGpus(mig.gpus(), catalog));
    StringBuilder reasons = new StringBuilder();
    for (Row r : lineItems) {
      Object text = r.getAs(MethodReasons.NAMES);
      if (text != null && !text.toString().isEmpty()) {
        reasons.append("| ").append(markdown(r.getAs("line_item_id"))).append(" | ")
            .append(markdown(text.toString())).append(" |\n");
      }
    }
    if (reasons.length() == 0) {
      md.append("No line item dropped a method, substituted a mode, rejected a clock or shared a MIG instance by "
          + "slices.\n\n");
    } else {
      md.append("Line items where a method was dropped or a rule above applied (`method_reasons`):\n\n"
          + "| line item | reasons |\n|---|---|\n").append(reasons).append('\n');
    }
    return md.toString();
  }

  /** The modes a GPU has with no figure cited: their work is unpriced, never taken at another mode's rate. */
  static String modesWithoutFigure(PeakCatalog catalog) {
    if (catalog.modesWithoutFigure().isEmpty()) {
      return "";
    }
    return table("Modes a GPU has with no figure in the catalog (work in them is unpriced, not counted at another "
        + "mode's rate):\n\n| catalog model | precision | source showing the mode (date) |\n|---|---|---|\n",
        catalog.modesWithoutFigure(), m -> row(markdown(m.model()), m.precision(), sourced(m.source(), m.sourceDate())));
  }

  /**
   * The MIG profiles the run used: the compute share the ledger uses (instance SMs ÷ GPU SMs) with the
   * memory share beside it, since the two differ (H200 1g.35gb: a quarter of the memory, 26 of 132 SMs).
   */
  static String migTable(MigProfiles mig) {
    boolean lab = mig.rows().stream().anyMatch(p -> p.addedBy() != null);
    return table("MIG profiles with SM counts (" + (lab
            ? "shipped `mig_profiles.csv` and the rows this run's `--catalog-file` added, each naming its file"
            : "shipped `mig_profiles.csv`; a `--catalog-file` adds rows, named in the manifest's `catalog_files`")
            + "). The compute share prices the instance; the memory share is shown beside it only:\n\n"
            + "| catalog model | profile | SMs | GPU SMs | compute share | memory share | source (date) |\n"
            + "|---|---|---|---|---|---|---|\n",
        mig.rows(), p -> row(markdown(p.model()), markdown(p.profile()), p.instanceSms(), p.gpuSms(),
            String.format(Locale.ROOT, "%.4f", p.share()), markdown(p.memoryFraction()),
            sourced(p.addedBy(), p.source(), p.sourceDate())));
  }

  /**
   * The MIG GPUs the run used: the slice count the slice rule divides by, with the document giving it, and
   * which of them have no dense peak in {@code catalog} (their instances' FLOP are unpriced).
   */
  static String migGpus(MigGpus gpus, PeakCatalog catalog) {
    boolean lab = gpus.rows().stream().anyMatch(g -> g.addedBy() != null);
    String md = table("MIG GPUs and their compute slices (" + (lab
            ? "shipped `mig_gpus.csv` and the GPUs this run's `--catalog-file` added, each naming its file"
            : "shipped `mig_gpus.csv`; a `--catalog-file` adds GPUs")
            + "). A profile `mig_profiles.csv` does not list counts as its compute slices ÷ these; a GPU not "
            + "listed has no MIG share:\n\n| catalog model | slices | source (date) |\n|---|---|---|\n",
        gpus.rows(), g -> row(markdown(g.model()), g.slices(), sourced(g.addedBy(), g.source(), g.sourceDate())));
    List<String> noPeak = gpus.rows().stream().map(MigGpus.Gpu::model)
        .filter(m -> !catalog.models().contains(m)).sorted().toList();
    if (noPeak.isEmpty()) {
      return md;
    }
    return md + "Of these, the catalog has no dense peak for " + markdown(String.join(", ", noPeak)) + ": a MIG "
        + "instance of one counts its share of the GPU's seconds, and its FLOP are unpriced (`method_reasons`).\n\n";
  }

  /** A markdown table: {@code head} (text, header and rule lines), then one line per row. */
  private static <T> String table(String head, List<T> rows, Function<T, String> line) {
    StringBuilder md = new StringBuilder(head);
    for (T r : rows) {
      md.append(line.apply(r));
    }
    return md.append('\n').toString();
  }

  /** One table row of cells already written as markdown. */
  private static String row(Object... cells) {
    StringBuilder r = new StringBuilder("|");
    for (Object c : cells) {
      r.append(' ').append(c).append(" |");
    }
    return r.append('\n').toString();
  }

  private static String sourced(String source, String date) {
    return markdown(source + " (" + date + ")");
  }

  /** As above, naming the {@code --catalog-file} that added the row (null: a shipped row). */
  private static String sourced(String addedBy, String source, String date) {
    return addedBy == null ? sourced(source, date) : "added by " + markdown(addedBy) + ": " + sourced(source, date);
  }
}
