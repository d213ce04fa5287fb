package org.computeledger.audit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.common.UserText;

/**
 * The audit's words: the README.md a sample carries for its auditor (what was drawn, how, and how the
 * error is estimated) and the Markdown of a recompute, which the command also prints.
 */
final class AuditReadme {
  private AuditReadme() {}

  static String sample(AuditSample.Params p, Map<String, Integer> allocation, Map<String, Double> stratumSize,
      Map<String, List<SampleDesign.Unit>> strata, int units, int lines) {
    StringBuilder s = new StringBuilder();
    s.append("# Audit sample\n\n");
    s.append("Drawn by `ledger audit-sample` from the report ").append(UserText.code(p.report())).append(" and the raw logs ")
        .append(UserText.code(p.input())).append(", seed ").append(p.seed()).append(", size ").append(p.size())
        .append(". The same report, logs, size and seed always give the same files here (only `manifest.json`'s ")
        .append("`created` differs). ").append(units).append(" distinct units, ").append(lines)
        .append(" raw lines of evidence.\n\n");
    s.append("Recompute it with:\n\n    ledger audit-recompute --sample <this folder>\n\n");
    s.append("## What is here\n\n");
    s.append("| file | what |\n|---|---|\n");
    s.append("| `sample.json` | the design: seed, draws per stratum, each stratum's reported FLOP, the run parameters of the report (method parameters: max gap factor, assumed utilization, default precision, hour length, catalog version) |\n");
    s.append("| `units.json` | every draw: stratum, line item, job and GPU-hour drawn, each with its selection probability `p_*` and inclusion probability `inclusion_*` given its parent, and the figures the report states for it (`reported_*`) |\n");
    s.append("| `evidence/lines.jsonl` | the raw lines, one JSON object each: `file` (relative to the input folder), `line` (1-based, of the decompressed file), `text` (exactly as read), `sha256` of the stored input file (checked against the report's manifest when copied), `format`, and `role`: `evidence` or `context` (a header or comment the parser needs to read the lines) |\n");
    s.append("| `evidence/lines.jsonl`, bill lines | for every job drawn: its scheduler records on every node it held, the bill lines ")
        .append("(file, line, exact text, input SHA-256) that the report placed on those nodes over the job's time, and the ")
        .append("records of every other job on those nodes during those charges, which share them; plus one sample line per GPU ")
        .append("and the widest record of each of those nodes (its GPU count). Each drawn unit's job carries the report's ")
        .append("`reported_job_cost_billed`, `reported_job_cost_effective` and `reported_job_currency` in `units.json` |\n");
    s.append("| `evidence/registry.yaml` | the registry the report was made with (checked against its `declarations/` copy) |\n");
    s.append("| `evidence/gpu_peaks.csv` | the rows of the dense peak catalog the report priced the GPU models drawn with: ")
        .append("the shipped rows, and a lab's `--catalog-file` rows where the run took them (each file checked against ")
        .append("the SHA-256 in the report's manifest, `catalog_files_sha256`) |\n");
    s.append("| `evidence/calibration.csv` | the self-calibration factors the report applied to the GPU models drawn ")
        .append("(counted ÷ pipe-activity and counted ÷ utilization per model and precision, with the counted GPU-hours), ")
        .append("copied from the report's `calibration` table (column `source`); the recompute scales its pipe-activity and ")
        .append("utilization FLOP by them. They are taken from the report, not recomputed, because a factor rests on every ")
        .append("counter row overlapping telemetry on that model, far more than a sample holds: like the peaks, they are ")
        .append("method parameters an auditor checks against the report's methodology, not results. A header alone: nothing ")
        .append("was calibrated |\n");
    s.append("| `evidence/lines.jsonl`, JSON documents | a pod list (`kubectl get pods -o json`), `sacct --json` and a Prometheus ")
        .append("API response are one document over many lines, so their lines cannot be parsed one by one: each record object that ")
        .append("holds evidence (a pod; a Slurm job with its steps; a Prometheus series with all its points) is copied whole, ")
        .append("exactly as it stands in the file from its opening to its closing brace, with `line` and `last_line` (its first ")
        .append("and last line), the input's `sha256` and `fragment_sha256` (SHA-256 of `text` in UTF-8). The recompute puts the ")
        .append("objects of a file back into the smallest document of its format (`{\"kind\": \"List\", \"items\": [...]}`, ")
        .append("`{\"jobs\": [...]}`, `{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [...]}}`; ")
        .append("nothing in the envelope is a value a row takes) and parses it with the ledger's parser |\n");
    s.append("| `evidence/lines.jsonl`, Parquet bills | a Parquet bill has no text lines: its rows are copied as the CSV text the ")
        .append("ingest parsed (header line 1, row N line N + 1), marked `\"text_of\": \"parquet rows as CSV\"`, with the stored ")
        .append("file's SHA-256 |\n");
    s.append("| `evidence/resources.csv` | the lines of the input's `resources.csv` (checked against the report's `declarations/` ")
        .append("copy) for the resource ids of the bill lines copied out, each verbatim after a comment naming its line number |\n");
    s.append("| `units.json`, `series_cadence_us` | for a GPU-hour, its GPU's median sampling interval over all its samples, ")
        .append("taken from the canonical samples (the parsed input, not a result of the report): it rests on the whole series, ")
        .append("which the hour's lines do not hold, and sets the first sample's interval and the gap cap |\n");
    s.append("| `evidence/prices.csv` | the input's `prices.csv` (checked against the report's `declarations/` copy), for ")
        .append("the market cost of the jobs drawn (`reported_job_cost_market` in `units.json`) |\n");
    s.append("| `manifest.json` | SHA-256 of each file above; `audit-recompute` refuses a sample that differs from it |\n\n");
    s.append("## The design\n\n");
    s.append("Three stages, each drawn with replacement and with probability proportional to reported FLOP:\n\n");
    s.append("1. **Line items** (project / branch), stratified by estimation method: a line item's stratum is the method ")
        .append("(`counted`, `pipe-activity`, `utilization`, `allocation`) that holds most of its FLOP. Draws per stratum are ")
        .append("in proportion to the stratum's FLOP, at least two, so that each stratum's variance can be estimated.\n");
    s.append("2. **Jobs** within each line item drawn: ").append(p.jobs()).append(" draws. GPU time no job held is the ")
        .append("pseudo-job `(no job) <line item>`.\n");
    s.append("3. **GPU-hours** within each job drawn: ").append(p.hours()).append(" draws. A GPU-hour is the job's share ")
        .append("of one GPU in one hour of the ledger (`gpu-hour|<hour epoch s>|host|GPU UUID|MIG instance|job`); a job's ")
        .append("held GPU time that telemetry did not cover is one unit per node (`held|job|node`).\n\n");
    s.append("A repeated draw of a line item draws its jobs afresh. Each draw takes the uniform number ")
        .append("`SHA-256(\"compute-ledger-audit:\" seed \":\" stream \":\" draw)` (first 8 bytes, big-endian, shifted right 11, ")
        .append("over 2^53) and picks the unit whose cumulative FLOP, units in order of id, first exceeds it times the total. ")
        .append("Nothing depends on the machine, hash-map order or Spark's partitions. A unit of selection probability p ")
        .append("drawn n times has inclusion probability 1 − (1 − p)^n. Units that the report gives zero FLOP cannot be drawn.\n\n");
    s.append("| stratum | line items | reported FLOP | draws |\n|---|---:|---:|---:|\n");
    for (Map.Entry<String, Integer> e : allocation.entrySet()) {
      s.append("| ").append(e.getKey()).append(" | ").append(strata.get(e.getKey()).size()).append(" | ")
          .append(sci(stratumSize.get(e.getKey()))).append(" | ").append(e.getValue()).append(" |\n");
    }
    s.append("\n## The estimator\n\n");
    s.append("For a GPU-hour l with reported FLOP y_l and recomputed FLOP x_l, the error is d_l = x_l − y_l. ")
        .append("Each first-stage draw i in stratum h gives the Hansen–Hurwitz value\n\n")
        .append("    z_i = (1/p_i)(1/m) Σ_j (1/p_j|i)(1/k) Σ_l d_l / p_l|ij = Y_h × mean over the draw's GPU-hours of d_l / y_l\n\n")
        .append("(p ∝ FLOP at every stage, so the product of the probabilities is y_l / Y_h). The report's total error is estimated by\n\n")
        .append("    D̂ = Σ_h mean_h(z),  V̂ = Σ_h s²_h(z) / n_h,  95 % CI = D̂ ± t(0.975, Σ_h (n_h − 1)) √V̂\n\n")
        .append("With replacement at the first stage, s²_h of the first-stage values includes the variance of the later stages, ")
        .append("so D̂ and V̂ are unbiased (the ultimate-cluster estimator). Assumptions: the interval is a t approximation, ")
        .append("good when draws are not few and no one unit's relative error dominates; errors in units of zero reported FLOP ")
        .append("are not seen.\n\n");
    s.append("The report's total cost error is estimated from the same draws, one level up: each job draw j of first-stage draw i ")
        .append("has the cost error e_j = recomputed − reported billed cost, and\n\n")
        .append("    z_i = (1/p_i)(1/m) Σ_j e_j / p_j|i = Y_h × mean over the draw's job draws of e_j / y_j\n\n")
        .append("(y_j the job's reported FLOP, the size it was drawn by), with D̂, V̂ and the interval as above, per currency. ")
        .append("GPU time no job held has no cost (e = 0); the cost of jobs with zero reported FLOP is not seen. Because jobs are ")
        .append("drawn by FLOP, not by cost, the value carries the job's cost per FLOP: the interval is wider where that varies. ")
        .append("On a simulated report (ErrorEstimateTest, 24 draws, 400 seeds) the interval covered the planted cost error ")
        .append("0.94–0.97 of the time with half of the jobs misreported, but only 0.80 (0.86 at 96 draws) with a fifth of them ")
        .append("misreported: when most draws see no error, the estimate is skewed and the t interval too narrow. Draw more ")
        .append("jobs per line item (`--jobs`) when errors may be rare.\n\n");
    s.append("## How a unit is recomputed\n\n");
    s.append("`audit-recompute` parses the lines in `evidence/lines.jsonl` again with the ledger's own parsers, then, for a GPU-hour: ")
        .append("each sample of the GPU in the hour covers the time since the sample before it (the one before the hour is in the ")
        .append("evidence), capped at max_gap_factor × the cadence (`series_cadence_us`; the median interval of the GPU's samples ")
        .append("in the evidence where a sample has none); ")
        .append("FLOP = Σ pipe activity × that pipe's dense peak × SM clock ÷ the peak's clock × seconds, or utilization × dense peak × ")
        .append("seconds, for the precision the registry gives the job's project; counter rows replace the samples they cover and count ")
        .append("in the hour they end; the job's share of each sample follows the attribution rules (job label, GPU index, else ")
        .append("GPU count ÷ the node's GPUs, scaled down when claims exceed the GPU) from the scheduler lines in the evidence. ")
        .append("Held GPU time: GPU count × (end − start, or the end of the logs) − the telemetry-covered GPU-seconds, × dense peak × ")
        .append("assumed utilization. The covered GPU-seconds of held time are the one figure taken from the report (`reported_covered_gpu_seconds`): ")
        .append("they are the sum of the job's GPU-hours, which are themselves audited when drawn.\n\n");
    s.append("Counter rows overlapping on one GPU are counted once (earlier start, then longer interval, then file and line ")
        .append("keeps the overlap; a later row keeps what is left, its FLOP scaled by that share), and an AMD MI300-series GPU on ")
        .append("a node whose evidence shows more than 8 such devices is unpriced (unnamed compute partitions), as methodology.md ")
        .append("states; the sample copies the counter rows that overlap a drawn hour's rows for the first rule.\n\n");
    s.append("A job's cost: a bill line whose resource id `evidence/resources.csv` maps to a host over its period is cut at each ")
        .append("change of host, each piece taking the cost of the seconds covered up to its end less those up to its start (both ")
        .append("rounded half-up to 12 decimals), and a part no line covers keeping the rest over the whole period; ")
        .append("each bill line or piece is placed on the first known GPU node its names give, in the report's order (the ")
        .append("resources.csv host, host tag, ")
        .append("kubernetes.io/hostname label, instance name, Name tag, resource id); lines of one provider, currency, node and ")
        .append("period are added; the job takes, of each, cost × its GPUs × the whole seconds it overlaps the period ÷ max(node GPUs × ")
        .append("period seconds, what all jobs on the node held in it), rounded half-up to 12 decimals (a job still running is ")
        .append("held to the end of the logs). Compared with the report's billed and effective cost of the job; tolerance ")
        .append("1e-9 relative.\n\n");
    s.append("A job's cost in the reporting currency (a report made with `--report-currency` and an `fx.csv`, copied whole to ")
        .append("`evidence/fx.csv` and checked against the report's copy): each of the job's shares of each charge above, ")
        .append("unrounded × the `evidence/fx.csv` rate from the charge's currency to the reporting currency dated on, or most ")
        .append("recently before, the UTC day the charge period starts (rate 1 in the reporting currency itself), summed and ")
        .append("rounded half-up to 12 decimals; market cost likewise per allocation at the rate of its start day. A share ")
        .append("with no such rate leaves the job without a converted cost. Compared with the report's converted billed, ")
        .append("effective and market cost of the job; tolerance 1e-9 relative.\n\n");
    s.append("Not recomputed by this version: the project and branch a job is matched to (the reported project names the precision), ")
        .append("a MIG-partitioned GPU's parent (counted through its instances), the fx.csv conversion ")
        .append("of line items (each job's is), and an nvidia-smi log whose header changes mid-file (its ")
        .append("lines are read under the file's first header). Evidence that gives no row when parsed again from the copies ")
        .append("alone (a raw scrape dated by its file's modification time, which the copies do not carry) is named by the ")
        .append("recompute under \"Evidence not recomputed\", with its file, lines and format; the units resting on it are flagged.\n");
    return s.toString();
  }

  static String recompute(AuditRecompute.Outcome o) {
    StringBuilder s = new StringBuilder();
    s.append("# Audit recompute\n\n");
    s.append(String.format(Locale.ROOT, "%d unit(s) recomputed from the sample's raw lines, %d beyond the tolerance "
        + "(relative difference %.0e).%n%n", o.units().size(), o.flagged(), AuditRecompute.TOLERANCE));
    s.append("| unit | method | reported FLOP | recomputed FLOP | relative difference | samples | counter rows |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (AuditRecompute.Compared c : o.units()) {
      s.append("| ").append(UserText.code(c.unit())).append(" | ").append(c.method()).append(" | ").append(sci(c.reported()))
          .append(" | ").append(sci(c.recomputed())).append(" | ").append(String.format(Locale.ROOT, "%+.2e", c.relDiff()))
          .append(c.flagged() ? " **beyond tolerance**" : "").append(" | ").append(c.samples()).append(" | ")
          .append(c.counters()).append(c.note().isEmpty() ? "" : " (" + UserText.markdown(c.note()) + ")").append(" |\n");
    }
    s.append("\n## Jobs and line items drawn\n\nReported FLOP and the FLOP implied by the mean relative error of their drawn GPU-hours.\n\n");
    s.append("| job | reported FLOP | implied FLOP | mean relative error |\n|---|---:|---:|---:|\n");
    o.jobs().forEach((k, v) -> s.append("| ").append(UserText.code(k)).append(" | ").append(sci(v[0])).append(" | ")
        .append(sci(v[1])).append(" | ").append(String.format(Locale.ROOT, "%+.2e", v[2])).append(" |\n"));
    s.append("\n| line item | reported FLOP | implied FLOP | mean relative error |\n|---|---:|---:|---:|\n");
    o.lineItems().forEach((k, v) -> s.append("| ").append(UserText.markdown(k)).append(" | ").append(sci(v[0])).append(" | ")
        .append(sci(v[1])).append(" | ").append(String.format(Locale.ROOT, "%+.2e", v[2])).append(" |\n"));
    if (!o.notParsed().isEmpty()) {
      s.append("\n## Evidence not recomputed\n\n");
      s.append(o.notParsed().size()).append(" piece(s) of copied evidence held a row when the sample was drawn but gave ")
          .append("none when parsed again from the sample alone (a format or file the recompute cannot read from copied ")
          .append("lines); the units and costs resting on them cannot agree with the report:\n\n");
      o.notParsed().forEach(n -> s.append("- ").append(UserText.markdown(n)).append('\n'));
    }
    s.append("\n## Cost of the jobs drawn\n\n");
    s.append(String.format(Locale.ROOT, "Each drawn job's billed and effective cost recomputed from its bill lines, %d beyond the "
        + "tolerance (relative difference %.0e).%n%n", o.costFlagged(), AuditRecompute.COST_TOLERANCE));
    s.append("| job | currency | reported billed | recomputed billed | relative difference | reported effective | recomputed effective | bill lines |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (AuditRecompute.CostCompared c : o.costs()) {
      s.append("| ").append(UserText.code(c.job())).append(" | ").append(c.currency() == null ? "" : UserText.markdown(c.currency()))
          .append(" | ").append(money(c.reportedBilled())).append(" | ").append(money(c.recomputedBilled())).append(" | ")
          .append(String.format(Locale.ROOT, "%+.2e", c.relDiff())).append(c.flagged() ? " **beyond tolerance**" : "")
          .append(" | ").append(money(c.reportedEffective())).append(" | ").append(money(c.recomputedEffective()))
          .append(" | ").append(c.billLines()).append(c.note().isEmpty() ? "" : " (" + UserText.markdown(c.note()) + ")")
          .append(" |\n");
    }
    if (o.costs().stream().anyMatch(c -> c.market() != AuditRecompute.Market.NONE)) {
      s.append("\nMarket cost (GPU-hours × the `prices.csv` price of the GPU model on the allocation's start date), ")
          .append("recomputed from the scheduler lines and the copied price list:\n\n");
      s.append("| job | currency | reported market | recomputed market | relative difference |\n|---|---|---:|---:|---:|\n");
      for (AuditRecompute.CostCompared c : o.costs()) {
        AuditRecompute.Market m = c.market();
        if (m == AuditRecompute.Market.NONE) {
          continue;
        }
        s.append("| ").append(UserText.code(c.job())).append(" | ").append(m.currency() == null ? "" : UserText.markdown(m.currency()))
            .append(" | ").append(money(m.reported())).append(" | ").append(money(m.recomputed())).append(" | ")
            .append(String.format(Locale.ROOT, "%+.2e", m.relDiff()))
            .append(Math.abs(m.relDiff()) <= AuditRecompute.COST_TOLERANCE ? "" : " **beyond tolerance**").append(" |\n");
      }
    }
    if (o.costs().stream().anyMatch(c -> c.converted() != AuditRecompute.Converted.NONE)) {
      s.append("\nCost in the reporting currency (`fx.csv` rate of each charge's start day, market cost of each allocation's), ")
          .append("recomputed from the bill lines, scheduler lines and the copied rates (— market recomputed: no price list in the sample):\n\n");
      s.append("| job | currency | reported billed | recomputed billed | reported effective | recomputed effective | ")
          .append("reported market | recomputed market | largest relative difference |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (AuditRecompute.CostCompared c : o.costs()) {
        AuditRecompute.Converted v = c.converted();
        if (v == AuditRecompute.Converted.NONE) {
          continue;
        }
        s.append("| ").append(UserText.code(c.job())).append(" | ").append(UserText.markdown(v.currency())).append(" | ")
            .append(money(v.reportedBilled())).append(" | ").append(money(v.recomputedBilled())).append(" | ")
            .append(money(v.reportedEffective())).append(" | ").append(money(v.recomputedEffective())).append(" | ")
            .append(money(v.reportedMarket())).append(" | ").append(money(v.recomputedMarket())).append(" | ")
            .append(String.format(Locale.ROOT, "%+.2e", v.relDiff()))
            .append(Math.abs(v.relDiff()) <= AuditRecompute.COST_TOLERANCE ? "" : " **beyond tolerance**").append(" |\n");
      }
    }
    ErrorEstimate.Result e = o.flopError();
    s.append("\n## Extrapolation to the report\n\n");
    s.append(String.format(Locale.ROOT, "Reported total FLOP (all strata): %s. Estimated total FLOP error (recomputed − reported): "
        + "%s, standard error %s, 95 %% interval [%s, %s] (%d first-stage draws, %d degrees of freedom), i.e. %+.2e of the "
        + "reported total [%+.2e, %+.2e].%n",
        sci(o.reportedTotal()), sci(e.total()), sci(e.standardError()), sci(e.low()), sci(e.high()), e.draws(),
        e.degreesOfFreedom(), e.total() / o.reportedTotal(), e.low() / o.reportedTotal(), e.high() / o.reportedTotal()));
    o.costError().forEach((cur, c) -> {
      double total = o.reportedCostTotal().getOrDefault(cur, Double.NaN);
      s.append(String.format(Locale.ROOT, "%nReported total billed cost in %s (all line items): %s. Estimated total cost error "
          + "(recomputed − reported): %s, standard error %s, 95 %% interval [%s, %s] (%d first-stage draws, %d degrees of "
          + "freedom), i.e. %+.2e of the reported total [%+.2e, %+.2e].%n", UserText.markdown(cur), fixed(total),
          fixed(c.total()), fixed(c.standardError()), fixed(c.low()), fixed(c.high()), c.draws(), c.degreesOfFreedom(),
          c.total() / total, c.low() / total, c.high() / total));
    });
    return s.toString();
  }

  private static String money(java.math.BigDecimal v) {
    return v == null ? "—" : v.stripTrailingZeros().toPlainString();
  }

  private static String fixed(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }

  static String sci(double v) {
    return String.format(Locale.ROOT, "%.6e", v);
  }
}
