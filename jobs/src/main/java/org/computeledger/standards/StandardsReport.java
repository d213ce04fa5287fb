package org.computeledger.standards;

import static org.computeledger.common.UserText.code;
import static org.computeledger.common.UserText.markdown;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.computeledger.schema.Table;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.computeledger.standards.StandardTotals.TreatmentRow;

/**
 * The standards stage's outputs: {@code standard_totals} and {@code treatment} as Datasets of their
 * declared schemas, and the methodology section per standard (what was counted, what was excluded
 * and why), written from the same rows so the two cannot disagree. A standard file's words, project
 * and line item names and reasons go through {@link org.computeledger.common.UserText}.
 */
public final class StandardsReport {
  private StandardsReport() {}

  public static Dataset<Row> totals(SparkSession spark, List<TotalRow> rows) {
    List<Row> out = new ArrayList<>();
    for (TotalRow t : rows) {
      out.add(RowFactory.create(t.standardId(), t.standardVersion(), t.standardTitle(), t.jurisdiction(),
          t.historical(), t.project(), t.flop(), t.flopLow(), t.flopHigh(), money(t.cost(), 12), t.costBasis(),
          t.currency(), t.costComplete(), t.computeThresholdId(), t.computeThresholdFlop(), t.costThresholdId(),
          money(t.costThreshold(), 2), t.crossesCompute(), t.crossesCost(), t.mayCrossCompute(), t.inScope(),
          t.otherThresholds(), t.lineItemsCounted(), t.lineItemsExcluded(), Date.valueOf(t.reviewDueDate()),
          t.reviewOverdue(), t.reviewWarning(), t.versionStatus(), t.versionNote(), t.largeDeveloper(),
          t.largeDeveloperNote(), t.modificationThresholdFlop(), t.crossesModification(), t.modificationNote(),
          t.flopArchitecture(), t.architectureCheck(), t.architectureLineItems()));
    }
    return spark.createDataFrame(out, Table.STANDARD_TOTALS.schema());
  }

  public static Dataset<Row> treatment(SparkSession spark, List<TreatmentRow> rows) {
    List<Row> out = new ArrayList<>();
    for (TreatmentRow t : rows) {
      out.add(RowFactory.create(t.standardId(), t.standardVersion(), t.project(), t.lineItemId(),
          t.lineItemProject(), t.branch(), t.activity(), t.reachedVia(), t.treatment(), t.rule(), t.reason(),
          t.flop(), t.flopLow(), t.flopHigh(), money(t.cost(), 12), t.currency(), t.flopArchitecture(),
          t.architectureCheck()));
    }
    return spark.createDataFrame(out, Table.TREATMENT.schema());
  }

  private static BigDecimal money(BigDecimal v, int scale) {
    return v == null ? null : v.setScale(scale, RoundingMode.HALF_EVEN);
  }

  /** One section per standard for {@code methodology.md}. */
  public static String methodology(List<Standard> standards, StandardTotals.Result result, LocalDate runDate) {
    StringBuilder md = new StringBuilder();
    md.append("## Accounting standards\n\n");
    md.append("Each standard is a dated, versioned data file (`standards/` in the jar, or `--standard-file`). ")
        .append("`standard_totals/` holds one row per (standard, project): the first compute and cost thresholds ")
        .append("that apply to every model are in `compute_threshold_flop`/`crosses_compute`/`may_cross_compute` and ")
        .append("`cost_threshold`/`crosses_cost`; a standard's further thresholds (indicators, modification ")
        .append("thresholds) are in `other_thresholds`. `crosses_*` means strictly above. A cost that is partly ")
        .append("missing is unknown (`crosses_cost` empty) unless the known part alone is above the threshold. ")
        .append("`treatment/` says, for every line item each project's total reached, whether it was counted and why. ")
        .append("Line items of no project (`(unattributed)`) are never added to a project's total.\n\n");
    md.append("Report date (which version is in force, review warnings): ").append(runDate).append(".\n\n");
    md.append("| standard | version | jurisdiction | effective | review due | standing |\n|---|---|---|---|---|---|\n");
    for (Standard s : standards) {
      StandardVersions.Status standing = StandardVersions.on(s, standards, runDate).status();
      md.append("| ").append(markdown(s.id())).append(" | ").append(markdown(s.version())).append(" | ")
          .append(markdown(s.jurisdiction()))
          .append(" | ").append(s.effectiveDate()).append(" | ").append(s.reviewDue()).append(" | ")
          .append(standing.text()).append(reviewOverdue(s, standing, runDate) ? " **review overdue**" : "")
          .append(" |\n");
    }
    md.append('\n');
    StandardsMethodology.versionsApplied(md, standards, runDate);
    sideBySide(md, standards, result);
    for (Standard s : standards) {
      section(md, s, standards, result, runDate);
    }
    StandardsMethodology.estimationGuidance(md, result);
    return md.toString();
  }

  /**
   * A version is overdue for review only while it is the one a reader relies on: once a newer version
   * of the same standard is applied beside it (superseded), or when it never was law (historical), its
   * review date passing asks nothing of anyone.
   */
  static boolean reviewOverdue(Standard s, StandardVersions.Status standing, LocalDate runDate) {
    return runDate.isAfter(s.reviewDue())
        && (standing == StandardVersions.Status.IN_FORCE || standing == StandardVersions.Status.NOT_YET_IN_FORCE);
  }

  /**
   * Each project's total under every standard, and why each differs from the first standard's: the
   * line items one counts and the other does not. The two lists explain the difference exactly when
   * both standards assume the same utilization for the allocation method.
   */
  static void sideBySide(StringBuilder md, List<Standard> standards, StandardTotals.Result result) {
    if (standards.isEmpty()) {
      return;
    }
    List<String> projects = new ArrayList<>();
    for (TotalRow t : result.totals()) {
      if (!projects.contains(t.project())) {
        projects.add(t.project());
      }
    }
    md.append("### Side by side\n\nFLOP per project under each standard:\n\n| project |");
    for (Standard s : standards) {
      md.append(' ').append(markdown(name(s, standards))).append(" |");
    }
    md.append("\n|---|").append("---:|".repeat(standards.size())).append('\n');
    for (String p : projects) {
      md.append("| ").append(markdown(p)).append(" |");
      for (Standard s : standards) {
        md.append(String.format(Locale.ROOT, " %.4e |", totalOf(result, s, p).flop()));
      }
      md.append('\n');
    }
    md.append('\n');
    Standard first = standards.get(0);
    for (Standard other : standards.subList(1, standards.size())) {
      for (String p : projects) {
        double diff = totalOf(result, first, p).flop() - totalOf(result, other, p).flop();
        if (diff == 0) {
          continue;
        }
        Map<String, Double> a = counted(result, first, p);
        Map<String, Double> b = counted(result, other, p);
        md.append(String.format(Locale.ROOT, "- %s: %s minus %s = %.4e FLOP", code(p),
            markdown(name(first, standards)), markdown(name(other, standards)), diff));
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        a.forEach((id, f) -> {
          if (!b.containsKey(id)) {
            onlyA.add(String.format(Locale.ROOT, "%s %.4e", code(id), f));
          }
        });
        b.forEach((id, f) -> {
          if (!a.containsKey(id)) {
            onlyB.add(String.format(Locale.ROOT, "%s %.4e", code(id), f));
          }
        });
        md.append("; counted only by ").append(markdown(name(first, standards))).append(": ")
            .append(onlyA.isEmpty() ? "none" : String.join(", ", onlyA))
            .append("; counted only by ").append(markdown(name(other, standards))).append(": ")
            .append(onlyB.isEmpty() ? "none" : String.join(", ", onlyB)).append('\n');
      }
    }
    md.append('\n');
  }

  /** A standard's id, or "id version" when the run applies several versions of it. */
  private static String name(Standard s, List<Standard> standards) {
    return standards.stream().filter(o -> o.id().equals(s.id())).count() > 1 ? s.label() : s.id();
  }

  private static TotalRow totalOf(StandardTotals.Result result, Standard s, String project) {
    return result.totals().stream().filter(t -> t.standardId().equals(s.id())
        && t.standardVersion().equals(s.version()) && t.project().equals(project)).findFirst().orElseThrow();
  }

  /** Line item id → FLOP of the line items the standard counted for the project. */
  private static Map<String, Double> counted(StandardTotals.Result result, Standard s, String project) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (TreatmentRow t : result.treatment()) {
      if (t.standardId().equals(s.id()) && t.standardVersion().equals(s.version()) && project.equals(t.project())
          && StandardTotals.COUNTED.equals(t.treatment()) && t.flop() != null) {
        m.put(t.lineItemId(), t.flop());
      }
    }
    return m;
  }

  private static void section(StringBuilder md, Standard s, List<Standard> standards, StandardTotals.Result result,
      LocalDate runDate) {
    md.append("### ").append(markdown(s.title())).append(" (").append(markdown(s.id())).append(' ')
        .append(markdown(s.version())).append(")\n\n");
    if (s.historical()) {
      md.append("**Historical:** this standard is not in force; it is applied for comparison only.\n\n");
    }
    if (runDate.isAfter(s.reviewDue())
        && StandardVersions.on(s, standards, runDate).status() != StandardVersions.Status.SUPERSEDED) {
      md.append("**Warning:** this version took effect on ").append(s.effectiveDate()).append(" and was due for review on ")
          .append(s.reviewDue()).append(" (").append(s.reviewPeriodMonths()).append(" months); check for a newer version ")
          .append("before relying on these totals.\n\n");
    }
    md.append("Jurisdiction: ").append(markdown(s.jurisdiction())).append(". Effective ").append(s.effectiveDate())
        .append(". File: ").append(code(s.file())).append(". Sources:\n\n");
    for (String src : s.sources()) {
      md.append("- ").append(markdown(src)).append('\n');
    }
    md.append('\n');
    md.append("Thresholds (").append(triggerText(s)).append("; cost on the ").append(s.costBasis().yamlName())
        .append(" basis; allocation method at assumed utilization ").append(s.assumedUtilization()).append("):\n\n");
    for (Standard.ComputeThreshold t : s.computeThresholds()) {
      md.append(String.format(Locale.ROOT, "- %s: %.4g FLOP — %s%n", code(t.id()), t.flop(), markdown(t.meaning())));
    }
    for (Standard.CostThreshold t : s.costThresholds()) {
      md.append(String.format(Locale.ROOT, "- %s: %s %s — %s%n", code(t.id()), t.amount().toPlainString(),
          markdown(t.currency()), markdown(t.meaning())));
    }
    md.append('\n');
    Standard.Rules r = s.rules();
    md.append("What counts and why:\n\n| compute | treatment | why |\n|---|---|---|\n");
    md.append("| activities | counted: ").append(String.join(", ", s.countedActivities().stream()
        .map(a -> a.yamlName()).sorted().toList())).append("; others excluded | the standard's list |\n");
    rule(md, "evaluations", r.evaluations());
    rule(md, "discarded branches", r.discardedBranches());
    rule(md, "distillation teachers (used projects)", r.teachers());
    rule(md, "synthetic-data generators (used projects)", r.dataGenerators());
    rule(md, "own base models (used projects)", r.baseModels());
    rule(md, "synthetic data the registry declares published", r.publishedSyntheticData());
    rule(md, "open resources of others", r.thirdPartyOpenResources());
    md.append("| open resources this developer released | ").append(r.selfReleasedOpenResources().treatment().yamlName)
        .append(r.selfReleasedOpenResources().windowMonths() > 0
            ? " (" + r.selfReleasedOpenResources().windowMonths() + " months before development start)" : "")
        .append(" | ").append(markdown(r.selfReleasedOpenResources().basis())).append(" |\n");
    md.append("| risk-only activities | ").append(r.riskOnly().treatment().yamlName).append(" | ")
        .append(markdown(r.riskOnly().basis())).append(" |\n\n");
    StandardsMethodology.versionAndInterpretations(md, s, standards, runDate);
    for (String note : s.notes()) {
      md.append("- ").append(markdown(note)).append('\n');
    }
    if (!s.notes().isEmpty()) {
      md.append('\n');
    }

    md.append("| project | FLOP | range | cost | crosses compute | may cross | crosses cost | in scope |\n")
        .append("|---|---:|---|---:|---|---|---|---|\n");
    for (TotalRow t : result.totals()) {
      if (!t.standardId().equals(s.id()) || !t.standardVersion().equals(s.version())) {
        continue;
      }
      md.append(String.format(Locale.ROOT, "| %s | %.4e | %.4e – %.4e | %s | %s | %s | %s | %s |%n", markdown(t.project()),
          t.flop(), t.flopLow(), t.flopHigh(),
          t.cost() == null ? "unknown" : t.cost().setScale(2, RoundingMode.HALF_EVEN) + " " + markdown(t.currency())
              + (t.costComplete() ? "" : " (incomplete)"),
          yes(t.crossesCompute()), yes(t.mayCrossCompute()),
          t.costThresholdId() == null ? "n/a" : yes(t.crossesCost()), yes(t.inScope())));
    }
    md.append('\n');
    StandardsMethodology.findings(md, s, result);
    Map<String, List<TreatmentRow>> byProject = new LinkedHashMap<>();
    for (TreatmentRow t : result.treatment()) {
      if (t.standardId().equals(s.id()) && t.standardVersion().equals(s.version())) {
        byProject.computeIfAbsent(String.valueOf(t.project()), k -> new ArrayList<>()).add(t);
      }
    }
    for (Map.Entry<String, List<TreatmentRow>> e : byProject.entrySet()) {
      md.append(code(e.getKey())).append(":\n\n");
      for (TreatmentRow t : e.getValue()) {
        md.append("- ").append(t.treatment()).append(' ').append(code(t.lineItemId()))
            .append(t.flop() == null ? "" : String.format(Locale.ROOT, " (%.4e FLOP)", t.flop()))
            .append(t.flopArchitecture() == null ? "" : String.format(Locale.ROOT, " [6·N·D %.4e FLOP: %s]",
                t.flopArchitecture(), t.architectureCheck()))
            .append(": ").append(markdown(t.reason())).append('\n');
      }
      md.append('\n');
    }
  }

  private static void rule(StringBuilder md, String what, Standard.Rule r) {
    md.append("| ").append(what).append(" | ").append(r.treatment().yamlName).append(" | ").append(markdown(r.basis()))
        .append(" |\n");
  }

  private static String triggerText(Standard s) {
    return switch (s.trigger()) {
      case COMPUTE -> "the compute threshold decides";
      case COMPUTE_AND_COST -> "the law applies when both compute and cost are above";
      case COMPUTE_OR_COST -> "compute and cost each trigger on their own (P6)";
    };
  }

  private static String yes(Boolean b) {
    return b == null ? "unknown" : b ? "**yes**" : "no";
  }
}
