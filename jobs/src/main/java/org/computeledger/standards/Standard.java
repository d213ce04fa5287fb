package org.computeledger.standards;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.common.UntrustedInput;

/**
 * One version of an accounting standard (PRODUCT.md §7): what counts towards a project's total, the
 * thresholds to test and the reason for each rule, read from a dated data file. The built-in files
 * live in {@code standards/} on the class path; a user's own goes through {@link #load(Path)}.
 *
 * @param reviewPeriodMonths the version should be looked at again this many months after it took
 *     effect; a report made later warns (P7)
 * @param costBasis which cost of a line item the standard counts: the bill, or market prices
 * @param trigger how the thresholds combine into "the law applies"
 * @param assumedUtilization utilization the allocation method assumes for held GPUs without telemetry
 */
public record Standard(
    String id,
    String version,
    String title,
    String jurisdiction,
    LocalDate effectiveDate,
    int reviewPeriodMonths,
    boolean historical,
    List<String> sources,
    List<ComputeThreshold> computeThresholds,
    List<CostThreshold> costThresholds,
    CostBasis costBasis,
    Trigger trigger,
    double assumedUtilization,
    Set<Activity> countedActivities,
    Rules rules,
    List<String> notes,
    String file,
    LargeDeveloper largeDeveloper,
    ModificationRule modificationRule,
    List<Interpretation> interpretations) {

  /** Where the built-in files sit on the class path, with their index. */
  static final String BUILT_IN_DIR = "/standards/";

  public Standard {
    sources = List.copyOf(sources);
    computeThresholds = List.copyOf(computeThresholds);
    costThresholds = List.copyOf(costThresholds);
    countedActivities = Set.copyOf(countedActivities);
    notes = List.copyOf(notes);
    interpretations = List.copyOf(interpretations);
  }

  /** After this date the version is overdue for review (P7). */
  public LocalDate reviewDue() {
    return effectiveDate.plusMonths(reviewPeriodMonths);
  }

  /** {@code id version}, the way reports name a standard. */
  public String label() {
    return id + " " + version;
  }

  /** Every built-in standard, in the order of the index. */
  public static List<Standard> builtIns() {
    List<Standard> all = new ArrayList<>();
    for (String line : resourceText(BUILT_IN_DIR + "index.txt").split("\n")) {
      String name = line.strip();
      if (!name.isEmpty() && !name.startsWith("#")) {
        all.add(StandardParser.parse(resourceText(BUILT_IN_DIR + name), "built-in standard " + name));
      }
    }
    return all;
  }

  /**
   * The standards a run applies: the built-ins named by {@code ids} (all of them when none is named),
   * then the user's own files. Naming an unknown id, or two standards with the same id and version, is
   * an error before anything runs.
   */
  public static List<Standard> select(List<Standard> builtIns, List<String> ids, List<Standard> files) {
    List<Standard> chosen = new ArrayList<>();
    if (ids.isEmpty()) {
      chosen.addAll(builtIns);
    }
    for (String id : ids) {
      // an id names every version of the standard, so the report can say which one was in force;
      // "id version" names one
      List<Standard> named = builtIns.stream().filter(b -> b.id().equals(id) || b.label().equals(id)).toList();
      if (named.isEmpty()) {
        throw new StandardException("--standard: unknown standard '" + id + "'; built-in: "
            + String.join(", ", builtIns.stream().map(Standard::id).distinct().toList()) + " (or give --standard-file)");
      }
      for (Standard s : named) {
        if (!chosen.contains(s)) {
          chosen.add(s);
        }
      }
    }
    for (Standard f : files) {
      for (Standard c : chosen) {
        if (c.id().equals(f.id()) && c.version().equals(f.version())) {
          throw new StandardException(f.file() + ": field 'version': expected a version other than " + f.version()
              + ", which " + c.file() + " already gives standard " + f.id());
        }
      }
      chosen.add(f);
    }
    return chosen;
  }

  /**
   * Reads and validates a user's standard file (at most {@link UntrustedInput#STANDARD_MAX_BYTES}); every
   * problem is a {@link StandardException}.
   */
  public static Standard load(Path file) {
    try {
      try (InputStream in = Files.newInputStream(file)) {
        return StandardParser.parse(UntrustedInput.readText(in, file.toString(), UntrustedInput.STANDARD_MAX_BYTES),
            file.toString());
      }
    } catch (StandardException e) {
      throw e;
    } catch (org.computeledger.common.LedgerException e) {
      // larger than the limit
      throw new StandardException(e.getMessage(), e);
    } catch (IOException e) {
      throw new StandardException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String resourceText(String resource) {
    try (InputStream in = Standard.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  /**
   * A compute threshold. {@code modificationsOnly}: the law applies it to a model that modifies
   * another (fine-tuning a covered model), which the registry cannot tell, so the report tests it on
   * the project's total and says so. {@code activities}: when not null, only compute of these
   * activities counts towards this threshold (the EU's 10^23 indicator counts compute that updates
   * parameters); {@code modalities}: when not empty, the threshold applies only to a model that can
   * generate one of these (the registry's {@code generates}).
   */
  public record ComputeThreshold(String id, double flop, boolean modificationsOnly, String meaning,
      Set<Activity> activities, List<String> modalities) {
    public ComputeThreshold {
      activities = activities == null ? null : Set.copyOf(activities);
      modalities = modalities == null ? List.of() : List.copyOf(modalities);
    }

    public ComputeThreshold(String id, double flop, boolean modificationsOnly, String meaning) {
      this(id, flop, modificationsOnly, meaning, null, List.of());
    }
  }

  /**
   * A fact about the developer, not its compute, that a law adds to the compute finding: RAISE's and
   * SB 53's "large frontier developer" (annual gross revenue with affiliates above an amount). It is
   * read from the registry's {@code developer_revenue} and reported beside the finding.
   */
  public record LargeDeveloper(String id, BigDecimal revenue, String currency, String meaning, String basis) {}

  /**
   * When a project that modifies another's model makes the modifier the provider of a new model (the
   * EU guidelines' one-third rule): more than {@code fractionOfOriginal} of the original model's training
   * compute; when that compute is unknown, {@code fractionOfOriginal} of {@code unknownSystemicRiskFlop} (the
   * original is presumed to have systemic risk) or of {@code unknownOtherFlop} (otherwise).
   */
  public record ModificationRule(double fractionOfOriginal, double unknownSystemicRiskFlop, double unknownOtherFlop,
      String basis) {}

  /** A rule the standard's text does not settle, and how this file reads it (listed in methodology.md). */
  public record Interpretation(String about, String note) {}

  /** A cost threshold, in one currency. */
  public record CostThreshold(String id, BigDecimal amount, String currency, boolean modificationsOnly,
      String meaning) {}

  /** Which cost column of the line items a standard counts. */
  public enum CostBasis {
    BILLED("billed"), MARKET("market");

    final String yamlName;

    CostBasis(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }
  }

  /** How a standard's thresholds combine into "the law applies to this model". */
  public enum Trigger {
    COMPUTE("compute"), COMPUTE_AND_COST("compute-and-cost"), COMPUTE_OR_COST("compute-or-cost");

    final String yamlName;

    Trigger(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }
  }

  /**
   * Whether a class of compute counts; {@code basis} is the reason, quoted in the report.
   * {@code interpretation} is null when the quoted text settles the rule, else the note saying how
   * the file reads a text that does not.
   */
  public record Rule(Treatment treatment, String basis, String interpretation) {
    public Rule(Treatment treatment, String basis) {
      this(treatment, basis, null);
    }

    public boolean counts() {
      return treatment == Treatment.COUNTED;
    }
  }

  /** The treatment of open resources this developer released itself; P2's window in months. */
  public record SelfReleaseRule(SelfRelease treatment, int windowMonths, String basis, String interpretation) {
    public SelfReleaseRule(SelfRelease treatment, int windowMonths, String basis) {
      this(treatment, windowMonths, basis, null);
    }
  }

  public enum Treatment {
    COUNTED("counted"), EXCLUDED("excluded");

    final String yamlName;

    Treatment(String yamlName) {
      this.yamlName = yamlName;
    }
  }

  public enum SelfRelease {
    COUNTED("counted"), EXCLUDED("excluded"), COUNTED_WITHIN_WINDOW("counted-within-window");

    final String yamlName;

    SelfRelease(String yamlName) {
      this.yamlName = yamlName;
    }
  }

  public enum RiskOnly {
    COUNTED("counted"), EXCLUDED_WITH_JUSTIFICATION("excluded-with-justification");

    final String yamlName;

    RiskOnly(String yamlName) {
      this.yamlName = yamlName;
    }
  }

  public record RiskOnlyRule(RiskOnly treatment, String basis, String interpretation) {
    public RiskOnlyRule(RiskOnly treatment, String basis) {
      this(treatment, basis, null);
    }
  }

  /**
   * The standard's treatment of each class of compute. Uses of other projects split by the role the
   * registry gives them: {@code teachers} (as distillation-teacher), {@code dataGenerators} (as
   * synthetic-data) and {@code baseModels} (any other role: the developer's own earlier models).
   * {@code publishedSyntheticData}: synthetic-data branches whose data is publicly accessible (optional in
   * a file; counted when the file has no such rule).
   */
  public record Rules(
      Rule evaluations,
      Rule discardedBranches,
      Rule teachers,
      Rule dataGenerators,
      Rule baseModels,
      Rule thirdPartyOpenResources,
      SelfReleaseRule selfReleasedOpenResources,
      RiskOnlyRule riskOnly,
      Rule publishedSyntheticData) {}
}
