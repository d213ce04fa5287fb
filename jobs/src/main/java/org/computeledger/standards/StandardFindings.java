package org.computeledger.standards;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Architecture;
import org.computeledger.attribute.Registry.Project;
import org.computeledger.attribute.Registry.Use;
import org.computeledger.standards.Standard.ComputeThreshold;
import org.computeledger.standards.StandardTotals.TotalRow;
import org.computeledger.standards.StandardTotals.TreatmentRow;

/**
 * The standards stage's findings that need more than the sum of counted line items: which version of
 * the standard is in force on the report date, the developer's revenue (large frontier developer),
 * the EU one-third rule for a project that modifies another's model, thresholds on part of the compute
 * or for some modalities only, and the architecture cross-check (6·N·D). Pure functions of the
 * registry and the treatment rows that {@link StandardTotals} made.
 */
final class StandardFindings {
  private StandardFindings() {}

  /** Each row with the architecture estimate of its branch when the registry gives one. */
  static List<TreatmentRow> withArchitecture(List<TreatmentRow> rows, Registry registry) {
    List<TreatmentRow> out = new ArrayList<>(rows.size());
    for (TreatmentRow r : rows) {
      if (r.flop() == null) {
        out.add(r); // an open resource with no compute in the ledger
        continue;
      }
      Architecture a = architecture(registry, r.lineItemProject(), r.branch());
      out.add(r.withArchitecture(a == null ? null : ArchitectureCheck.flop(a)));
    }
    return out;
  }

  private static Architecture architecture(Registry registry, String project, String branch) {
    if (project == null || branch == null) {
      return null;
    }
    return registry.project(project).flatMap(p -> p.branches().stream().filter(b -> b.id().equals(branch))
        .findFirst()).map(Registry.Branch::architecture).orElse(null);
  }

  /** The total with the findings of this class added. */
  static TotalRow complete(TotalRow t, Standard s, Project p, Registry registry, List<TreatmentRow> rows,
      StandardVersions.VersionStatus version) {
    List<String> others = new ArrayList<>();
    if (t.otherThresholds() != null) {
      others.add(t.otherThresholds());
    }
    for (ComputeThreshold ct : s.computeThresholds()) {
      if (ct.activities() != null || !ct.modalities().isEmpty()) {
        others.add(partialThreshold(ct, p, rows));
      }
    }
    Developer dev = largeDeveloper(s, registry);
    Modification mod = modification(s, registry, p, t.flop());
    double archFlop = 0;
    double hardware = 0;
    int archItems = 0;
    for (TreatmentRow r : rows) {
      if (StandardTotals.COUNTED.equals(r.treatment()) && r.flopArchitecture() != null
          && !r.lineItemId().startsWith("resource:")) {
        archFlop += r.flopArchitecture();
        hardware += r.flop();
        archItems++;
      }
    }
    boolean superseded = version.status() == StandardVersions.Status.SUPERSEDED;
    return new TotalRow(t.standardId(), t.standardVersion(), t.standardTitle(), t.jurisdiction(),
        t.historical() || superseded, t.project(), t.flop(), t.flopLow(), t.flopHigh(), t.cost(), t.costBasis(),
        t.currency(), t.costComplete(), t.computeThresholdId(), t.computeThresholdFlop(), t.costThresholdId(),
        t.costThreshold(), t.crossesCompute(), t.crossesCost(), t.mayCrossCompute(), t.inScope(),
        others.isEmpty() ? null : String.join("; ", others), t.lineItemsCounted(), t.lineItemsExcluded(),
        // a superseded version's successor is applied beside it: no "check for a newer version" warning
        t.reviewDueDate(), t.reviewOverdue() && !superseded, superseded ? null : t.reviewWarning(),
        version.status().text(), version.note(),
        dev.large(), dev.note(), mod.threshold(), mod.crosses(), mod.note(), archItems == 0 ? null : archFlop,
        archItems == 0 ? ArchitectureCheck.NOT_GIVEN : ArchitectureCheck.check(hardware, archFlop), archItems);
  }

  /**
   * A threshold tested on the compute of some activities only (the EU indicator counts compute that
   * updates parameters) and only for a model that generates one of its modalities.
   */
  static String partialThreshold(ComputeThreshold ct, Project p, List<TreatmentRow> rows) {
    double flop = 0;
    double high = 0;
    for (TreatmentRow r : rows) {
      if (StandardTotals.COUNTED.equals(r.treatment()) && r.flop() != null && (ct.activities() == null
          || ct.activities().stream().anyMatch(a -> a.yamlName().equals(r.activity())))) {
        flop += r.flop();
        high += r.flopHigh();
      }
    }
    String finding = flop > ct.flop() ? "crossed" : high > ct.flop() ? "may cross (high end above it)" : "not crossed";
    List<String> detail = new ArrayList<>();
    if (ct.activities() != null) {
      detail.add(String.format(Locale.ROOT, "%.4g FLOP of %s", flop,
          String.join(", ", ct.activities().stream().map(a -> a.yamlName()).sorted().toList())));
    }
    if (!ct.modalities().isEmpty()) {
      List<String> gen = p.generates();
      if (gen.isEmpty()) {
        detail.add("applies only if the model generates " + String.join("|", ct.modalities())
            + ", which the registry does not say (give the project's 'generates')");
      } else if (gen.stream().noneMatch(g -> ct.modalities().contains(g) || isLanguage(g, ct.modalities()))) {
        finding = "not applicable";
        detail.add("the model generates " + String.join(", ", gen) + ", none of " + String.join("|", ct.modalities()));
      } else {
        detail.add("the model generates " + String.join(", ", gen));
      }
    }
    return String.format(Locale.ROOT, "%s (%.4g FLOP): %s — %s", ct.id(), ct.flop(), finding,
        String.join("; ", detail));
  }

  /** Code is text and speech is audio (the guidelines' footnotes 2 and 3). */
  private static boolean isLanguage(String generated, List<String> modalities) {
    return (generated.equals("code") && modalities.contains("text"))
        || (generated.equals("speech") && modalities.contains("audio"));
  }

  record Developer(Boolean large, String note) {}

  static Developer largeDeveloper(Standard s, Registry registry) {
    Standard.LargeDeveloper ld = s.largeDeveloper();
    if (ld == null) {
      return new Developer(null, null);
    }
    String rule = ld.id() + " (annual gross revenue with affiliates above " + ld.revenue().toPlainString() + " "
        + ld.currency() + ")";
    Registry.DeveloperRevenue r = registry.revenue();
    if (r == null) {
      return new Developer(null, "unknown: the registry gives no developer_revenue, so " + rule
          + " cannot be decided");
    }
    if (!r.currency().equals(ld.currency())) {
      return new Developer(null, "unknown: the registry's revenue is in " + r.currency() + ", " + rule + " is in "
          + ld.currency());
    }
    boolean large = r.annualGross().compareTo(ld.revenue()) > 0;
    return new Developer(large, (large ? "" : "not ") + rule + ": " + r.year() + " revenue "
        + r.annualGross().toPlainString() + " " + r.currency() + (large ? " is above " : " is not above ")
        + ld.revenue().toPlainString() + " " + ld.currency() + " (the law reads the preceding calendar year)");
  }

  record Modification(Double threshold, Boolean crosses, String note) {}

  /**
   * The one-third rule for a project that modifies another developer's model (a use with
   * {@code base_model: true} released by someone else). Modifying one's own model is the same model's
   * lifecycle, not a modification that makes a new provider.
   */
  static Modification modification(Standard s, Registry registry, Project p, double flop) {
    Standard.ModificationRule rule = s.modificationRule();
    if (rule == null) {
      return new Modification(null, null, null);
    }
    Use base = p.uses().stream().filter(u -> u.baseModel() && u.isResource()
        && (u.releasedBy() == null || !u.releasedBy().strip().equalsIgnoreCase(registry.developer().strip())))
        .findFirst().orElse(null);
    if (base == null) {
      return new Modification(null, null, null);
    }
    double of;
    String why;
    if (base.originalTrainingFlop() != null) {
      of = base.originalTrainingFlop();
      why = String.format(Locale.ROOT, "of the original's training compute %.2g FLOP (registry)", of);
    } else if (Boolean.TRUE.equals(base.originalSystemicRisk())) {
      of = rule.unknownSystemicRiskFlop();
      why = String.format(Locale.ROOT, "of %.2g FLOP: the original's compute is unknown and it has systemic risk", of);
    } else {
      of = rule.unknownOtherFlop();
      why = String.format(Locale.ROOT, "of %.2g FLOP: the original's compute is unknown and it %s", of,
          base.originalSystemicRisk() == null ? "is not said to have systemic risk (registry: no systemic_risk)"
              : "has no systemic risk");
    }
    double threshold = rule.fractionOfOriginal() * of;
    boolean crosses = flop > threshold;
    String carries = crosses && Boolean.TRUE.equals(base.originalSystemicRisk())
        ? "; the original is presumed to have systemic risk, so the modified model is presumed to have systemic risk too"
        : "";
    String note = String.format(Locale.ROOT, "%s modifies %s: threshold %.4g × %s = %.4g FLOP; the modification's"
        + " %.4g FLOP is %s: the modifier %s the provider of the modified model%s", p.id(), base.resource(),
        rule.fractionOfOriginal(), why, threshold, flop, crosses ? "above" : "not above",
        crosses ? "becomes" : "does not become", carries);
    return new Modification(threshold, crosses, note);
  }
}
