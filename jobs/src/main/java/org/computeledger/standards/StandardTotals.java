package org.computeledger.standards;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Project;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.attribute.Registry.Use;
import org.computeledger.standards.Standard.ComputeThreshold;
import org.computeledger.standards.Standard.CostBasis;
import org.computeledger.standards.Standard.CostThreshold;
import org.computeledger.standards.Standard.RiskOnly;
import org.computeledger.standards.Standard.Rule;
import org.computeledger.standards.Standard.SelfRelease;
import org.computeledger.standards.Standard.Trigger;

/**
 * The standards stage: from the line items and the registry, each standard's total per project and
 * the treatment of every line item it reached (counted or excluded, the rule and why). Pure functions
 * of their arguments; the run date is one of them, so that the review warning (P7) is testable.
 *
 * <p>A project's total is its own line items plus, transitively, those of the projects it uses when
 * the standard counts that kind of use (P1 teachers and data generators, own base models, P2
 * self-released open resources), each project once however many paths reach it. A project reached
 * only through uses the standard excludes is listed as excluded, and what it uses is not followed.
 */
public final class StandardTotals {
  /** Line items of no registry project: reported, never added to a project's total. */
  public static final String UNATTRIBUTED = "(unattributed)";

  public static final String COUNTED = "counted";
  public static final String EXCLUDED = "excluded";

  private StandardTotals() {}

  /** Utilization the run's allocation method used (point, low, high), which line item FLOP carry. */
  public record AllocationMethod(double util, double low, double high) {}

  /** One row of {@code treatment}: the fate of one line item (or open resource) under one standard. */
  public record TreatmentRow(String standardId, String standardVersion, String project, String lineItemId,
      String lineItemProject, String branch, String activity, String reachedVia, String treatment, String rule,
      String reason, Double flop, Double flopLow, Double flopHigh, BigDecimal cost, String currency,
      Double flopArchitecture, String architectureCheck) {

    public TreatmentRow(String standardId, String standardVersion, String project, String lineItemId,
        String lineItemProject, String branch, String activity, String reachedVia, String treatment, String rule,
        String reason, Double flop, Double flopLow, Double flopHigh, BigDecimal cost, String currency) {
      this(standardId, standardVersion, project, lineItemId, lineItemProject, branch, activity, reachedVia, treatment,
          rule, reason, flop, flopLow, flopHigh, cost, currency, null, null);
    }

    /** The same row with the registry's architecture estimate for its branch, and the check against it. */
    TreatmentRow withArchitecture(Double arch) {
      return new TreatmentRow(standardId, standardVersion, project, lineItemId, lineItemProject, branch, activity,
          reachedVia, treatment, rule, reason, flop, flopLow, flopHigh, cost, currency, arch,
          flop == null ? null : ArchitectureCheck.check(flop, arch));
    }
  }

  /** One row of {@code standard_totals}: a project's total under one standard, and the threshold findings. */
  public record TotalRow(String standardId, String standardVersion, String standardTitle, String jurisdiction,
      boolean historical, String project, double flop, double flopLow, double flopHigh, BigDecimal cost,
      String costBasis, String currency, boolean costComplete, String computeThresholdId, double computeThresholdFlop,
      String costThresholdId, BigDecimal costThreshold, boolean crossesCompute, Boolean crossesCost,
      boolean mayCrossCompute, Boolean inScope, String otherThresholds, int lineItemsCounted, int lineItemsExcluded,
      LocalDate reviewDueDate, boolean reviewOverdue, String reviewWarning, String versionStatus,
      String versionNote, Boolean largeDeveloper, String largeDeveloperNote, Double modificationThresholdFlop,
      Boolean crossesModification, String modificationNote, Double flopArchitecture, String architectureCheck,
      int architectureLineItems) {}

  /** Both tables for one standard. */
  public record Result(List<TotalRow> totals, List<TreatmentRow> treatment) {}

  /** Every standard in turn, rows in standard order then project order. */
  public static Result applyAll(List<Standard> standards, Registry registry, List<LineItem> items,
      AllocationMethod run, LocalDate runDate) {
    List<TotalRow> totals = new ArrayList<>();
    List<TreatmentRow> treatment = new ArrayList<>();
    for (Standard s : standards) {
      Result r = apply(s, standards, registry, items, run, runDate);
      totals.addAll(r.totals());
      treatment.addAll(r.treatment());
    }
    return new Result(totals, treatment);
  }

  public static Result apply(Standard s, Registry registry, List<LineItem> items, AllocationMethod run,
      LocalDate runDate) {
    return apply(s, List.of(s), registry, items, run, runDate);
  }

  /**
   * One standard; {@code applied} are all the standards of the run, among which the versions of
   * {@code s}'s id decide whether {@code s} is the version in force on {@code runDate}.
   */
  public static Result apply(Standard s, List<Standard> applied, Registry registry, List<LineItem> items,
      AllocationMethod run, LocalDate runDate) {
    List<LineItem> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparing(LineItem::id));
    List<TotalRow> totals = new ArrayList<>();
    List<TreatmentRow> treatment = new ArrayList<>();
    StandardVersions.VersionStatus version = StandardVersions.on(s, applied, runDate);
    for (Project p : registry.projects()) {
      List<TreatmentRow> rows = StandardFindings.withArchitecture(projectTreatment(s, registry, p, sorted, run),
          registry);
      treatment.addAll(rows);
      totals.add(StandardFindings.complete(total(s, p.id(), rows, runDate), s, p, registry, rows, version));
    }
    for (LineItem li : sorted) {
      if (registry.project(li.project()).isEmpty()) {
        treatment.add(row(s, li.project(), li, "-", EXCLUDED, "no_project",
            "belongs to no project of the registry: reported here, never added to a project's total", run));
      }
    }
    return new Result(totals, treatment);
  }

  /** How a project was reached from the project being reported. */
  private record Reach(String via, boolean counted, String rule, String reason) {}

  /** The rows for one reported project: its own line items, what it uses, and the open resources it relies on. */
  static List<TreatmentRow> projectTreatment(Standard s, Registry registry, Project root, List<LineItem> items,
      AllocationMethod run) {
    Map<String, Reach> counted = new LinkedHashMap<>();
    Map<String, Reach> excluded = new LinkedHashMap<>();
    List<TreatmentRow> resourceRows = new ArrayList<>();
    counted.put(root.id(), new Reach("own", true, "counted_activities", null));
    walk(s, registry, root.id(), root, counted, excluded, resourceRows);

    List<TreatmentRow> rows = new ArrayList<>();
    for (Map.Entry<String, Reach> e : counted.entrySet()) {
      for (LineItem li : items) {
        if (li.project().equals(e.getKey())) {
          rows.add(branchTreatment(s, root.id(), li, e.getValue(), run, dataPublished(registry, li)));
        }
      }
    }
    for (Map.Entry<String, Reach> e : excluded.entrySet()) {
      if (counted.containsKey(e.getKey())) {
        continue; // another path counts it, and a project is counted once
      }
      Reach r = e.getValue();
      for (LineItem li : items) {
        if (li.project().equals(e.getKey())) {
          rows.add(row(s, root.id(), li, r.via(), EXCLUDED, r.rule(), r.reason(), run));
        }
      }
    }
    rows.addAll(resourceRows);
    return rows;
  }

  /** Depth-first over the uses the standard counts; the registry has already refused cycles. */
  private static void walk(Standard s, Registry registry, String rootId, Project from, Map<String, Reach> counted,
      Map<String, Reach> excluded, List<TreatmentRow> resourceRows) {
    for (Use u : from.uses()) {
      Reach reach = reach(s, registry, from, u);
      if (reach == null) {
        continue;
      }
      if (u.project() == null) {
        // an open resource with no project of this developer behind it: no compute in the ledger
        String id = "resource:" + u.resource();
        if (resourceRows.stream().anyMatch(r -> r.lineItemId().equals(id))) {
          continue; // two projects of the total rely on it; it is listed once
        }
        resourceRows.add(new TreatmentRow(s.id(), s.version(), rootId, id, null, null, null,
            reach.via(), reach.counted() ? COUNTED : EXCLUDED, reach.rule(),
            reach.counted() ? reach.reason() + "; the registry names no project for it, so its compute is not in"
                + " the ledger and is missing from this total" : reach.reason(),
            null, null, null, null, null, null, null));
        continue;
      }
      if (reach.counted()) {
        if (!counted.containsKey(u.project())) {
          counted.put(u.project(), reach);
          walk(s, registry, rootId, registry.project(u.project()).orElseThrow(), counted, excluded, resourceRows);
        }
      } else {
        excluded.putIfAbsent(u.project(), reach);
      }
    }
  }

  /** What the standard makes of one use; null for a use with nothing to account (a non-open resource with no project). */
  private static Reach reach(Standard s, Registry registry, Project from, Use u) {
    Standard.Rules rules = s.rules();
    if (!u.isResource()) {
      String via = from.id() + " uses project " + u.project() + " as " + u.as().yamlName();
      String rule;
      Rule r;
      if (u.as() == Activity.DISTILLATION_TEACHER) {
        rule = "teachers";
        r = rules.teachers();
      } else if (u.as() == Activity.SYNTHETIC_DATA) {
        rule = "data_generators";
        r = rules.dataGenerators();
      } else {
        rule = "base_models";
        r = rules.baseModels();
      }
      return new Reach(via, r.counts(), rule, verdict(r.counts(), via, r.basis()));
    }
    if (!Boolean.TRUE.equals(u.open())) {
      if (u.project() == null) {
        return null;
      }
      String via = from.id() + " uses resource " + u.resource() + " (not open) from project " + u.project();
      Rule r = rules.baseModels();
      return new Reach(via, r.counts(), "base_models", verdict(r.counts(), via, r.basis()));
    }
    String via = from.id() + " uses open resource " + u.resource() + ", released by " + u.releasedBy() + " on "
        + u.releasedOn();
    if (!u.releasedBy().strip().equalsIgnoreCase(registry.developer().strip())) {
      Rule r = rules.thirdPartyOpenResources();
      return new Reach(via, r.counts(), "third_party_open_resources", verdict(r.counts(), via, r.basis()));
    }
    Standard.SelfReleaseRule r = rules.selfReleasedOpenResources();
    String rule = "self_released_open_resources";
    return switch (r.treatment()) {
      case COUNTED -> new Reach(via, true, rule, verdict(true, via, r.basis()));
      case EXCLUDED -> new Reach(via, false, rule, verdict(false, via, r.basis()));
      case COUNTED_WITHIN_WINDOW -> {
        LocalDate windowStart = from.developmentStart().minusMonths(r.windowMonths());
        boolean inside = !u.releasedOn().isBefore(windowStart);
        String when = inside
            ? "released " + u.releasedOn() + ", within " + r.windowMonths() + " months before " + from.id()
                + "'s development start " + from.developmentStart()
            : "released " + u.releasedOn() + ", more than " + r.windowMonths() + " months before " + from.id()
                + "'s development start " + from.developmentStart();
        yield new Reach(via, inside, rule, (inside ? "counted: " : "excluded: ") + when + " (" + r.basis() + ")");
      }
    };
  }

  private static String verdict(boolean counts, String via, String basis) {
    return (counts ? "counted: " : "excluded: ") + via + " (" + basis + ")";
  }

  /** The branch-level rules, in order: evaluations, discarded branches, activities, risk-only (P3). */
  static TreatmentRow branchTreatment(Standard s, String project, LineItem li, Reach reach, AllocationMethod run,
      boolean dataPublished) {
    Standard.Rules rules = s.rules();
    String what = li.activity() == null ? "no activity" : li.activity().yamlName();
    if (dataPublished && li.activity() == Activity.SYNTHETIC_DATA && !rules.publishedSyntheticData().counts()) {
      return row(s, project, li, reach.via(), EXCLUDED, "published_synthetic_data",
          "excluded: synthetic data the registry declares publicly accessible (" + rules.publishedSyntheticData().basis()
              + ")", run);
    }
    if (li.activity() == Activity.EVALUATION && !rules.evaluations().counts()) {
      return row(s, project, li, reach.via(), EXCLUDED, "evaluations",
          "excluded: evaluation (" + rules.evaluations().basis() + ")", run);
    }
    if (li.status() == Status.DISCARDED && !rules.discardedBranches().counts()) {
      return row(s, project, li, reach.via(), EXCLUDED, "discarded_branches",
          "excluded: discarded branch (" + rules.discardedBranches().basis() + ")", run);
    }
    if (li.activity() != Activity.EVALUATION && !s.countedActivities().contains(li.activity())) {
      return row(s, project, li, reach.via(), EXCLUDED, "counted_activities",
          "excluded: activity " + what + " is not among the activities " + s.label() + " counts", run);
    }
    if (li.riskOnly()) {
      if (s.rules().riskOnly().treatment() == RiskOnly.EXCLUDED_WITH_JUSTIFICATION) {
        return li.hasJustification()
            ? row(s, project, li, reach.via(), EXCLUDED, "risk_only", "excluded: risk-only with written justification \""
                + li.justification() + "\" (" + rules.riskOnly().basis() + ")", run)
            : row(s, project, li, reach.via(), COUNTED, "risk_only", "counted: risk-only claimed without a written"
                + " justification, so the exemption is not granted (" + rules.riskOnly().basis() + ")", run);
      }
      return row(s, project, li, reach.via(), COUNTED, "risk_only",
          "counted: risk-only claimed, but " + rules.riskOnly().basis(), run);
    }
    List<String> why = new ArrayList<>();
    why.add(li.activity() == Activity.EVALUATION ? "evaluation (" + rules.evaluations().basis() + ")"
        : what + " is among the activities " + s.label() + " counts");
    if (li.status() == Status.DISCARDED) {
      why.add("discarded branch (" + rules.discardedBranches().basis() + ")");
    }
    String own = String.join("; ", why);
    return row(s, project, li, reach.via(), COUNTED, reach.reason() == null ? "counted_activities" : reach.rule(),
        reach.reason() == null ? "counted: " + own : reach.reason() + "; " + own, run);
  }

  /** Whether the registry declares the line item's branch a synthetic-data branch with published output. */
  private static boolean dataPublished(Registry registry, LineItem li) {
    return registry.project(li.project()).flatMap(p -> p.branches().stream()
        .filter(b -> b.id().equals(li.branch())).findFirst()).map(Registry.Branch::dataPublished).orElse(false);
  }

  /** A treatment row with the line item's FLOP under the standard's assumed utilization, and its cost on the standard's basis. */
  static TreatmentRow row(Standard s, String project, LineItem li, String via, String treatment, String rule,
      String reason, AllocationMethod run) {
    double[] f = flopUnder(s, li, run);
    return new TreatmentRow(s.id(), s.version(), project, li.id(), li.project(), li.branch(),
        li.activity() == null ? null : li.activity().yamlName(), via, treatment, rule, reason, f[0], f[1], f[2],
        cost(s, li), costCurrency(s, li), null, null);
  }

  /**
   * Point, low and high FLOP of a line item when its allocation-method part assumes the standard's
   * utilization instead of the run's: that part is linear in the assumed utilization, and its range
   * widens to include the standard's value.
   */
  static double[] flopUnder(Standard s, LineItem li, AllocationMethod run) {
    double u = s.assumedUtilization();
    if (u == run.util() || li.flopAllocation() == 0.0) {
      return new double[] {li.flop(), li.flopLow(), li.flopHigh()};
    }
    double base = li.flopAllocation() / run.util(); // GPU-seconds × dense peak
    return new double[] {
      li.flop() - li.flopAllocation() + base * u,
      li.flopLow() - base * run.low() + base * Math.min(run.low(), u),
      li.flopHigh() - base * run.high() + base * Math.max(run.high(), u)
    };
  }

  static BigDecimal cost(Standard s, LineItem li) {
    return s.costBasis() == CostBasis.MARKET ? li.costMarket() : li.costBilled();
  }

  /** The currency of {@link #cost}: market prices have their own (prices.csv), the bill its own. */
  static String costCurrency(Standard s, LineItem li) {
    return s.costBasis() == CostBasis.MARKET ? li.marketCurrency() : li.currency();
  }

  /** Sums the counted rows and tests the thresholds; compute and cost each on their own (P6). */
  static TotalRow total(Standard s, String project, List<TreatmentRow> rows, LocalDate runDate) {
    double flop = 0;
    double low = 0;
    double high = 0;
    BigDecimal cost = BigDecimal.ZERO;
    boolean costComplete = true;
    Set<String> currencies = new java.util.TreeSet<>();
    int counted = 0;
    int excluded = 0;
    for (TreatmentRow r : rows) {
      if (r.lineItemId().startsWith("resource:")) {
        continue;
      }
      if (!COUNTED.equals(r.treatment())) {
        excluded++;
        continue;
      }
      counted++;
      flop += r.flop();
      low += r.flopLow();
      high += r.flopHigh();
      if (r.cost() == null || r.currency() == null) {
        costComplete = false;
      } else {
        cost = cost.add(r.cost());
        currencies.add(r.currency());
      }
    }
    String currency = currencies.size() == 1 ? currencies.iterator().next() : null;
    if (currencies.size() > 1) {
      costComplete = false;
      cost = null; // a sum across currencies means nothing
    }

    ComputeThreshold ct = s.computeThresholds().stream().filter(t -> !t.modificationsOnly()).findFirst().orElseThrow();
    CostThreshold kt = s.costThresholds().stream().filter(t -> !t.modificationsOnly()).findFirst().orElse(null);
    boolean crossesCompute = flop > ct.flop();
    boolean mayCross = !crossesCompute && high > ct.flop();
    Boolean crossesCost = kt == null ? null : crossesCost(kt, cost, currency, costComplete);
    Boolean inScope = switch (s.trigger()) {
      case COMPUTE -> crossesCompute;
      case COMPUTE_AND_COST -> and(crossesCompute, crossesCost);
      case COMPUTE_OR_COST -> or(crossesCompute, crossesCost);
    };

    List<String> others = new ArrayList<>();
    for (ComputeThreshold t : s.computeThresholds()) {
      // a threshold on part of the compute, or for some modalities, needs the registry: StandardFindings
      if (t != ct && t.activities() == null && t.modalities().isEmpty()) {
        String finding = flop > t.flop() ? "crossed" : high > t.flop() ? "may cross (high end above it)" : "not crossed";
        others.add(String.format(Locale.ROOT, "%s (%.4g FLOP%s): %s", t.id(), t.flop(),
            t.modificationsOnly() ? ", applies only to a modification of another model" : "", finding));
      }
    }
    for (CostThreshold t : s.costThresholds()) {
      if (t != kt) {
        Boolean c = crossesCost(t, cost, currency, costComplete);
        others.add(String.format(Locale.ROOT, "%s (%s %s, %s cost%s): %s", t.id(), t.amount().toPlainString(),
            t.currency(), s.costBasis().yamlName(), t.modificationsOnly() ? ", applies only to a modification of another model" : "",
            c == null ? "unknown (cost incomplete)" : c ? "crossed" : "not crossed"));
      }
    }
    LocalDate due = s.reviewDue();
    boolean overdue = runDate.isAfter(due);
    String warning = overdue ? "version " + s.version() + " of " + s.id() + " was due for review on " + due
        + "; check for a newer version of the standard before relying on this total" : null;
    return new TotalRow(s.id(), s.version(), s.title(), s.jurisdiction(), s.historical(), project, flop, low, high,
        cost, s.costBasis().yamlName(), currency, costComplete, ct.id(), ct.flop(), kt == null ? null : kt.id(),
        kt == null ? null : kt.amount(), crossesCompute, crossesCost, mayCross, inScope,
        others.isEmpty() ? null : String.join("; ", others), counted, excluded, due, overdue, warning, null, null,
        null, null, null, null, null, null, null, 0);
  }

  /**
   * True or false when the cost decides it; null ("unknown") when part of the cost is missing and the
   * known part stays below the threshold. A missing cost never counts as zero.
   */
  static Boolean crossesCost(CostThreshold t, BigDecimal cost, String currency, boolean complete) {
    if (cost == null || (currency != null && !currency.equals(t.currency()))) {
      return null;
    }
    boolean above = cost.compareTo(t.amount()) > 0;
    if (above && currency != null) {
      return true; // the known part alone is above it
    }
    return complete && currency != null ? Boolean.FALSE : complete && cost.signum() == 0 ? Boolean.FALSE : null;
  }

  private static Boolean and(boolean a, Boolean b) {
    return !a || Boolean.FALSE.equals(b) ? Boolean.FALSE : b;
  }

  private static Boolean or(boolean a, Boolean b) {
    return a || Boolean.TRUE.equals(b) ? Boolean.TRUE : b;
  }
}
