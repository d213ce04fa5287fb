package org.computeledger.standards;

import static org.computeledger.common.UserText.code;
import static org.computeledger.common.UserText.markdown;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.computeledger.standards.StandardTotals.TreatmentRow;

/**
 * The parts of methodology.md's standards section added with issue 15: which version of each standard
 * applied on the report date and why, every rule a file marks as an interpretation, the findings
 * beside the compute total (large developer, modification, architecture cross-check) and the EU
 * guidelines' estimation guidance. Text only, from the standards and the rows already computed.
 */
final class StandardsMethodology {
  private StandardsMethodology() {}

  /** One line per standard id: the version in force on the report date, and the others beside it. */
  static void versionsApplied(StringBuilder md, List<Standard> standards, LocalDate date) {
    md.append("### Versions applied\n\n")
        .append("For each standard, the version in force on the report date is the one whose effective date is the ")
        .append("latest on or before it; other versions of the same standard are computed beside it for comparison ")
        .append("and marked `superseded` or `not-yet-in-force` in `standard_totals.version_status` (a vetoed bill's ")
        .append("file is `historical`).\n\n");
    Map<String, List<Standard>> byId = new LinkedHashMap<>();
    for (Standard s : standards) {
      byId.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Standard>> e : byId.entrySet()) {
      md.append("- ").append(code(e.getKey())).append(": ");
      List<String> parts = new ArrayList<>();
      for (Standard s : e.getValue()) {
        StandardVersions.VersionStatus v = StandardVersions.on(s, standards, date);
        parts.add("**" + v.status().text() + "** — " + markdown(v.note()));
      }
      md.append(String.join("; ", parts)).append('\n');
    }
    md.append('\n');
  }

  /** In a standard's own section: its standing on the report date and the rules its text does not settle. */
  static void versionAndInterpretations(StringBuilder md, Standard s, List<Standard> standards, LocalDate date) {
    StandardVersions.VersionStatus v = StandardVersions.on(s, standards, date);
    md.append("Version: **").append(v.status().text()).append("** — ").append(markdown(v.note())).append(".\n\n");
    List<String> items = interpretations(s);
    if (items.isEmpty()) {
      md.append("Interpretations: none; every rule above rests on the text quoted in its basis.\n\n");
      return;
    }
    md.append("Interpretations (rules the quoted text does not settle, and how this file reads them):\n\n");
    for (String i : items) {
      md.append("- ").append(i).append('\n');
    }
    md.append('\n');
  }

  /** Every interpretation of a standard file, each as one markdown line. */
  static List<String> interpretations(Standard s) {
    List<String> out = new ArrayList<>();
    Standard.Rules r = s.rules();
    add(out, "evaluations", r.evaluations().interpretation());
    add(out, "discarded branches", r.discardedBranches().interpretation());
    add(out, "distillation teachers", r.teachers().interpretation());
    add(out, "synthetic-data generators", r.dataGenerators().interpretation());
    add(out, "own base models", r.baseModels().interpretation());
    add(out, "open resources of others", r.thirdPartyOpenResources().interpretation());
    add(out, "open resources this developer released", r.selfReleasedOpenResources().interpretation());
    add(out, "risk-only activities", r.riskOnly().interpretation());
    add(out, "published synthetic data", r.publishedSyntheticData().interpretation());
    for (Standard.Interpretation i : s.interpretations()) {
      add(out, i.about(), i.note());
    }
    return out;
  }

  private static void add(List<String> out, String about, String note) {
    if (note != null) {
      out.add("*" + markdown(about) + "*: " + markdown(note));
    }
  }

  /** Per project, the findings that sit beside the compute total. */
  static void findings(StringBuilder md, Standard s, StandardTotals.Result result) {
    boolean any = false;
    for (TotalRow t : result.totals()) {
      if (!t.standardId().equals(s.id()) || !t.standardVersion().equals(s.version())) {
        continue;
      }
      List<String> lines = new ArrayList<>();
      lines.add(String.format(Locale.ROOT, "total %s FLOP (two significant figures)", twoFigures(t.flop())));
      if (t.largeDeveloperNote() != null) {
        lines.add(markdown(t.largeDeveloperNote()));
      }
      if (t.modificationNote() != null) {
        lines.add(markdown(t.modificationNote()));
      }
      if (t.otherThresholds() != null) {
        lines.add("other thresholds: " + markdown(t.otherThresholds()));
      }
      lines.add(t.flopArchitecture() == null ? "architecture cross-check: not-given (no branch of the total has an"
          + " architecture in the registry)" : String.format(Locale.ROOT, "architecture cross-check: 6·N·D = %.4e FLOP"
          + " over %d line items, against their hardware estimate: %s", t.flopArchitecture(), t.architectureLineItems(),
          t.architectureCheck()));
      md.append("- ").append(code(t.project())).append(": ").append(String.join("; ", lines)).append('\n');
      any = true;
    }
    if (any) {
      md.append('\n');
    }
  }

  /** A FLOP figure to two significant figures, as the EU guidelines ask a notification to give it. */
  static String twoFigures(double flop) {
    return String.format(Locale.ROOT, "%.1e", flop);
  }

  /** The EU guidelines' estimation guidance (Annex A.2) and what the cross-check's disagreements usually mean. */
  static void estimationGuidance(StringBuilder md, StandardTotals.Result result) {
    long disagree = result.treatment().stream().filter(t -> ArchitectureCheck.DISAGREES.equals(t.architectureCheck()))
        .map(TreatmentRow::lineItemId).distinct().count();
    long given = result.treatment().stream().filter(t -> t.flopArchitecture() != null)
        .map(TreatmentRow::lineItemId).distinct().count();
    md.append("### Estimating training compute (EU guidelines, Annex A.2) and the architecture cross-check\n\n")
        .append("The guidelines allow \"any method\" so long as the estimate is \"accurate within an overall error margin ")
        .append("of 30% of the reported estimate\" (para 123), and describe two approaches:\n\n")
        .append("- **Hardware-based** (para 126): C = N · L · H · U, the number of GPUs times the duration of use times ")
        .append("the peak theoretical performance times the average utilisation. The ledger's line items are this ")
        .append("approach done per GPU and time window: exact counts where profilers give them, else pipe activity or ")
        .append("utilization times the dense peak, else allocated GPU-seconds times the dense peak times the standard's ")
        .append("assumed utilization.\n")
        .append("- **Architecture-based** (paras 130-132): C = full passes × operations per pass, for dense ")
        .append("transformers C ≈ 6 · P · D (P parameters, D training tokens). When the registry gives a branch's ")
        .append("`architecture` (parameters — the active ones for a mixture of experts —, tokens and epochs), ")
        .append("`treatment.flop_architecture` holds 6 · N · tokens · epochs. Assumptions: 2 operations per parameter ")
        .append("and token forward and 4 backward, no recomputation of activations, no attention term (negligible for ")
        .append("a \"large\" model, whose parameters are much more than a twelfth of its context length, footnote 13), ")
        .append("every token trained on.\n")
        .append("- \"all operations should be counted equally, independently of floating-point precision\" (para 124-125): ")
        .append("FLOP of different precisions are added without weights.\n")
        .append("- A notification gives the compute \"in FLOP and with two significant figures (e.g. 2.3x10^25 FLOP)\" ")
        .append("(para 32); each total above is also given so.\n\n")
        .append("`architecture_check` is `agrees` when the 6·N·D estimate lies within 30 % of the hardware estimate ")
        .append("(either side), `disagrees` beyond it, `not-given` when the registry has no architecture; the per-total ")
        .append("check compares the line items that have both. In this run ").append(given)
        .append(" line items had an architecture and ").append(disagree).append(" disagreed. Likely causes when the ")
        .append("hardware estimate is higher: recomputation of activations (adds about one forward pass, a third more), ")
        .append("padding and sequence packing losses, evaluations or other work run in the same jobs, a GPU's utilization ")
        .append("counter reading time busy rather than operations (low real utilization), restarts from checkpoints ")
        .append("(repeated steps); when it is lower: idle GPUs counted below their share, a wrong or missing precision, ")
        .append("telemetry gaps. On either side: a wrong parameter count (total instead of active parameters for a ")
        .append("mixture of experts), or tokens counted per epoch but given once.\n\n");
  }
}
